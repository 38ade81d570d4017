import CallAnalysis
import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17, cause 6: filled pauses where there are none. Agents who only read: the fixture
/// read speech (every source but the MFA clips recorded with hesitations), each source's
/// utterances joined into one dense turn (`DenseSpeech`, gaps under 0.3 s), as recorded and at
/// tempo 0.8 (WSOLA: lengthened vowels), analysed as a mono agent. Every detection that is not
/// an unscripted filler of the recording (below) is a false alarm; the target is at most 10 per
/// hour of agent speech. Recall on the planted fillers of the fixture calls (PSOLA-lengthened
/// vowels) is the other half.
@Suite struct FilledPauseReadSpeechTests {
    static let hesitant: Set<String> = ["en_mfa_mcauliffe_crossword", "en_mfa_mcauliffe_surround", "en_mfa_mcauliffe_um"]

    /// Filled pauses the readers said although the script has none, seconds in the clip. The
    /// fast English reading has an "um" after "but": the recording's author aligned it himself as
    /// the word "um", phones [ɐ] 2.670–2.860 s and [m] 2.860–3.280 s (Montreal Forced Aligner
    /// docs, `docs/source/_static/sound_files/english_fast.svg` at cc7ec76, the figure of
    /// `user_guide/implementations/lexicon_probabilities.md`; times read off its word and phone
    /// tiers, 203.67 px per second). The fixture's transcript is the script, so it leaves it out.
    static let unscriptedFillers: [String: [(Double, Double)]] = ["en_mfa_mcauliffe_english_fast": [(2.670, 3.280)]]

    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func falseAlarmsOnReadSpeech() throws {
        let clips = try ActivityFixtureTests.speechClips().filter { !Self.hesitant.contains($0.stem) }
        var groups: [String: [ActivityFixtureTests.Clip]] = [:]
        for c in clips { groups["\(c.source)@\(Int(c.rateHz))", default: []].append(c) }
        var alarms = [0, 0], speechSeconds = [0.0, 0.0], found = [0, 0], labelled = [0, 0]
        for (key, g) in groups.sorted(by: { $0.key < $1.key }) {
            let turn = DenseSpeech.join(g.map { .init(samples: $0.samples, truth: $0.truth) }, sampleRateHz: g[0].rateHz, marginSeconds: 0.125)
            // The unscripted fillers in the joined turn: each clip moved by its first segment's shift.
            var fillers: [(Double, Double)] = [], firstSegment = 0
            for c in g where !c.truth.isEmpty {
                let shift = turn.truth[firstSegment].0 - c.truth[0].0
                fillers += (Self.unscriptedFillers[c.stem] ?? []).map { ($0.0 + shift, $0.1 + shift) }
                firstSegment += c.truth.count
            }
            for (k, speed) in [1.0, 0.8].enumerated() {
                let x = speed == 1 ? turn.samples : TimeScaling.timeScaled(turn.samples, sampleRateHz: Int(g[0].rateHz), speed: speed)
                let analysis = try CallAnalyzer.analyze(buffer: AudioBuffer(sampleRateHz: g[0].rateHz, mono: x))
                let items = analysis.conversation?.filledPauses?.items ?? []
                let truth = fillers.map { ($0.0 / speed, $0.1 / speed) }  // WSOLA: output time = input time / speed
                // A detection matches a filler when they overlap by at least half the shorter one (as on the calls).
                func matches(_ f: FilledPauses.Item, _ t: (Double, Double)) -> Bool { min(f.end, t.1) - max(f.start, t.0) >= 0.5 * min(f.end - f.start, t.1 - t.0) }
                let hits = items.filter { f in truth.contains { matches(f, $0) } }.count
                let seconds = analysis.channels[0].speech.speechSeconds  // detected speech: THCHS-30's truth leaves phrases out
                alarms[k] += items.count - hits
                found[k] += truth.filter { t in items.contains { matches($0, t) } }.count
                labelled[k] += truth.count
                speechSeconds[k] += seconds
                print(String(format: "filled pauses on read speech %@ (n %d) tempo %.1f: %d false alarms in %.1f s of speech, %d of %d unscripted fillers found %@",
                             key, g.count, speed, items.count - hits, seconds, hits, truth.count,
                             items.map { String(format: "%.2f–%.2f", $0.start, $0.end) }.joined(separator: " ")))
            }
        }
        for k in 0..<2 {
            print(String(format: "filled pauses on read speech, tempo %.1f: %d false alarms in %.1f s = %.0f per hour; %d of %d unscripted fillers found",
                         [1.0, 0.8][k], alarms[k], speechSeconds[k], Double(alarms[k]) / speechSeconds[k] * 3600, found[k], labelled[k]))
            // Measured 0 in 139.4 s (tempo 1.0) and 0 in 172.4 s (0.8); the target allows 10 per hour.
            #expect(Double(alarms[k]) / speechSeconds[k] * 3600 <= 10)  // issue 17 target
            // The fast English reading's "um" is found at both tempi (measured 1 of 1).
            #expect(labelled[k] == 1 && found[k] == 1, "tempo \([1.0, 0.8][k]): \(found[k]) of \(labelled[k])")
        }
    }

    @Test func plantedFillersOnTheCalls() throws {
        var hits = 0, labels = 0, detections = 0
        for stem in Fixtures.stems(in: "calls") {  // the calls with planted fillers (false alarms: the test above)
            let truth = try FilledPauseTests.truthFillers(stem)
            guard !truth.isEmpty else { continue }
            let language = (try Fixtures.truth("calls", stem)["language"] as? String ?? "")
            let options = AnalysisOptions(language: language.hasPrefix("zh") ? .zh : language.hasPrefix("ja") ? .ja : .en)
            let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: options)
            let found = analysis.conversation?.filledPauses?.items ?? []
            let matched = found.filter { f in truth.contains { t in min(f.end, t.1) - max(f.start, t.0) >= 0.5 * min(f.end - f.start, t.1 - t.0) } }
            hits += matched.count; labels += truth.count; detections += found.count
            print("filled pauses \(stem): \(matched.count) of \(truth.count) planted found, \(found.count - matched.count) other")
        }
        print("filled pauses on the calls with planted fillers: recall \(hits)/\(labels), \(detections - hits) other detections")
        #expect(labels >= 10)
        #expect(Double(hits) >= 0.85 * Double(labels))  // issue 17 target
    }

    /// The calls built from the fixture read speech: every detection that is not a planted filler
    /// is a false alarm, on the calls whose agent reads only (no turn cut from the MFA clips recorded
    /// with hesitations, whose real "um"s are not labelled). Target: ≤ 10 per hour of agent speech.
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func falseAlarmsOnTheCalls() throws {
        var alarms = 0, speechSeconds = 0.0, calls = 0
        for stem in Fixtures.stems(in: "calls") {
            let truth = try Fixtures.truth("calls", stem)
            let sources = (truth["placements"] as? [[String: Any]] ?? []).filter { ($0["channel"] as? String) == "agent" }
                .flatMap { p in (p["concat_of"] as? [String]) ?? [p["source_id"] as? String ?? ""] }
            guard !sources.contains(where: Self.hesitant.contains) else { continue }
            let language = truth["language"] as? String ?? ""
            let options = AnalysisOptions(language: language.hasPrefix("zh") ? .zh : language.hasPrefix("ja") ? .ja : .en)
            let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: options)
            let planted = try FilledPauseTests.truthFillers(stem)
            let other = (analysis.conversation?.filledPauses?.items ?? []).filter { f in !planted.contains { min(f.end, $0.1) - max(f.start, $0.0) > 0 } }
            let seconds = try #require(analysis.channels.first { $0.role == .agent }).speech.speechSeconds
            alarms += other.count; speechSeconds += seconds; calls += 1
            print(String(format: "filled pauses, false alarms on %@: %d in %.1f s of agent speech %@", stem, other.count, seconds,
                         other.map { String(format: "%.2f–%.2f", $0.start, $0.end) }.joined(separator: " ")))
        }
        print(String(format: "filled pauses on %d calls whose agent only reads: %d false alarms in %.1f s = %.0f per hour", calls, alarms, speechSeconds, Double(alarms) / speechSeconds * 3600))
        #expect(calls >= 10)
        #expect(Double(alarms) / speechSeconds * 3600 <= 10)  // issue 17 target
    }
}
