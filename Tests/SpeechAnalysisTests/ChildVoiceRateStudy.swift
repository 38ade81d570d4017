import AudioIO
import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17 on voices the fixtures lack: speaking rate and speech activity on each fixture
/// utterance with pitch AND formants shifted by k (`PitchShiftedTelephoneTests.shifted`: resampled
/// by 1/k, then WSOLA back to its own duration), the usual proxy for children's voices (k 1.25–1.5)
/// and very deep ones (k 0.6–0.8). The syllables and the speech segments are the original's, so
/// the truth is the fixture's. Counts are `RateFixture.detected` in the truth segments, activity
/// is `ActivityScore` against the truth segments (THCHS-30 reported, not pooled, as in
/// `ActivityFixtureTests`). A study (about 2 min in a debug build): prints per source (n = clips)
/// and pooled; run with `VOICEQA_CHILD_STUDY=all` (or a comma-separated list of condition names).
/// docs/accuracy.md, "Issue 17: children's and deep voices". `ChildVoiceRateTests` holds the
/// figures at k 1.25 and 1.5.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_CHILD_STUDY"] != nil))
struct ChildVoiceRateStudy {
    struct Condition { var name: String; var k: (p: Int, q: Int)?; var phone: Bool; var wsolaOnly: Bool = false }

    static let conditions: [Condition] = [
        Condition(name: "original", k: nil, phone: false),
        Condition(name: "k 0.60", k: (3, 5), phone: false),
        Condition(name: "k 0.70", k: (7, 10), phone: false),
        Condition(name: "k 0.80", k: (4, 5), phone: false),
        Condition(name: "k 1.25", k: (5, 4), phone: false),
        Condition(name: "k 1.50", k: (3, 2), phone: false),
        Condition(name: "k 1.80", k: (9, 5), phone: false),
        Condition(name: "phone", k: nil, phone: true),
        Condition(name: "phone k 1.25", k: (5, 4), phone: true),
        Condition(name: "phone k 1.50", k: (3, 2), phone: true),
        // WSOLA alone (no shift) at the speed the k 1.25 / 1.5 copies use, there and back.
        Condition(name: "WSOLA 0.80 round trip", k: (5, 4), phone: false, wsolaOnly: true),
        Condition(name: "WSOLA 0.67 round trip", k: (3, 2), phone: false, wsolaOnly: true),
    ]

    static func signal(_ f: RateFixture, _ c: Condition) -> (samples: [Float], rateHz: Int) {
        var x = f.samples
        if let (p, q) = c.k {
            if c.wsolaOnly {
                let speed = Double(q) / Double(p)
                x = TimeScaling.timeScaled(TimeScaling.timeScaled(x, sampleRateHz: f.sampleRateHz, speed: speed),
                                           sampleRateHz: f.sampleRateHz, speed: 1 / speed)
                if x.count > f.samples.count { x.removeLast(x.count - f.samples.count) }
            } else {
                x = PitchShiftedTelephoneTests.shifted(x, sampleRateHz: f.sampleRateHz, p: p, q: q)
            }
        }
        if c.phone { return (Telephone.narrowband(x, sampleRateHz: Double(f.sampleRateHz)), 8000) }
        return (x, f.sampleRateHz)
    }

    @Test func shiftedVoices() throws {
        let fixtures = try RateFixture.all()
        let truths = try fixtures.map { Fixtures.speechSegments(try Fixtures.truth("speech", $0.stem)).first ?? [] }
        let only = ProcessInfo.processInfo.environment["VOICEQA_CHILD_STUDY"].flatMap { $0 == "all" ? nil : Set($0.split(separator: ",").map(String.init)) }
        for c in Self.conditions where only?.contains(c.name) ?? true {
            var rows: [(stem: String, source: String, language: SpeechLanguage, detected: Int, truth: Int, activity: ActivityScore)] = []
            for (f, truth) in zip(fixtures, truths) {
                let (x, rateHz) = Self.signal(f, c)
                let contours = ActivityFixtureTests.contours(x, rateHz: Double(rateHz))
                let d = f.detected(contours: contours)
                var s = ActivityScore()
                s.add(detected: ActivityFixtureTests.pairs(SpeechActivityDetector.detect(contours).segments), truth: truth,
                      durationSeconds: Double(x.count) / Double(rateHz))
                rows.append((f.stem, Fixtures.source(f.stem), f.language, d.count, f.trueCount, s))
                print("child \(c.name) \(f.stem): \(d.count)/\(f.trueCount) activity \(s)")
            }
            func line(_ name: String, _ g: [(stem: String, source: String, language: SpeechLanguage, detected: Int, truth: Int, activity: ActivityScore)]) -> String {
                let mape = RateStatistics.medianAPE(g.map { ($0.detected, $0.truth) })
                let signed = g.map { 100 * Double($0.detected - $0.truth) / Double($0.truth) }.reduce(0, +) / Double(g.count)
                let pooled = g.filter { !Fixtures.truthLeavesOutSpeech($0.stem) }.reduce(ActivityScore()) { $0 + $1.activity }
                let all = g.reduce(ActivityScore()) { $0 + $1.activity }
                return String(format: "child %@ %@ (n %d): MAPE %.1f %%, signed mean %+.1f %%, activity F1 %.3f (all %.3f)",
                              c.name, name, g.count, mape, signed, pooled.f1, all.f1)
            }
            for source in Set(rows.map(\.source)).sorted() { print(line(source, rows.filter { $0.source == source })) }
            for language in SpeechLanguage.allCases where rows.contains(where: { $0.language == language }) {
                print(line(language.rawValue, rows.filter { $0.language == language }))
            }
            let r = RateStatistics.pearson(rows.map { Double($0.detected) }, rows.map { Double($0.truth) })
            print(line("all", rows) + String(format: ", r %.3f", r))
        }
    }

    /// Each source's shifted utterances joined into one dense turn as in
    /// `RateAccuracyTests.denseTurnsAtTempo135` (gaps under 0.3 s, `DenseSpeech.join`): a child
    /// reading without pause, issue 17's failing kind. Count against the summed truth; activity F1
    /// against the joined truth segments.
    @Test func shiftedDenseTurns() throws {
        let fixtures = try RateFixture.all()
        var groups: [String: [RateFixture]] = [:]
        for f in fixtures { groups["\(Fixtures.source(f.stem))@\(f.sampleRateHz)", default: []].append(f) }
        for c in Self.conditions where c.name == "original" || c.name == "k 1.25" || c.name == "k 1.50" {
            var missed = 0, total = 0, pooled = ActivityScore()
            for (key, g) in groups.sorted(by: { $0.key < $1.key }) {
                let joined = DenseSpeech.join(g.map { .init(samples: Self.signal($0, c).samples, truth: $0.segments.map { ($0.start, $0.end) }) },
                                              sampleRateHz: Double(g[0].sampleRateHz), marginSeconds: 0.125)
                var turn = g[0]
                turn.samples = joined.samples
                turn.segments = joined.truth.map { Segment(start: $0.0, end: $0.1) }
                turn.trueCount = g.reduce(0) { $0 + $1.trueCount }
                let contours = ActivityFixtureTests.contours(turn.samples, rateHz: Double(turn.sampleRateHz))
                let d = turn.detected(contours: contours)
                var s = ActivityScore()
                s.add(detected: ActivityFixtureTests.pairs(SpeechActivityDetector.detect(contours).segments), truth: joined.truth,
                      durationSeconds: Double(turn.samples.count) / Double(turn.sampleRateHz))
                if !key.hasPrefix("zh_thchs30") { pooled = pooled + s }
                missed += abs(d.count - turn.trueCount); total += turn.trueCount
                print(String(format: "child dense %@ %@ (n %d, %.1f s): %d/%d (%+.1f %%), activity %@", c.name, key, g.count,
                             Double(turn.samples.count) / Double(turn.sampleRateHz), d.count, turn.trueCount,
                             100 * Double(d.count - turn.trueCount) / Double(turn.trueCount), s.description))
            }
            print(String(format: "child dense %@ (n %d turns): pooled count error %.1f %% (%d of %d), activity (all but THCHS-30) %@",
                         c.name, groups.count, 100 * Double(missed) / Double(total), missed, total, pooled.description))
        }
    }
}
