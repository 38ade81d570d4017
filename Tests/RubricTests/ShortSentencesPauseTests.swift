import AudioIO
import CallAnalysis
import DSP
import Foundation
import Reports
@testable import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// `short-sentences` reads the pauses inside the agent's turns (rubric 1.2.0, issue 17 cause 5):
/// the pause rate in turns spanning ≥ 10 s (pass ≥ 10, fail ≤ 4 per minute of speech) and the
/// longest pause inside a turn (pass ≤ 1 s, fail ≥ 3 s). Truth by construction: calls built from
/// pieces of real fixture speech placed with set gaps, so every pause and its length is known.
struct ShortSentencesPauseTests {
    static let rubric11Path = Fixtures.root.appendingPathComponent("rubrics").appendingPathComponent("voiceqa-rubric-1.1.0.json").path

    /// Pieces of continuous speech: the longest true speech segment of each levelled utterance
    /// (no pause inside by the truth), longest first.
    static let pieces: [(samples: [Float], seconds: Double)] = CallBuilder.levelledUtterances.compactMap { u in
        guard let s = u.segments.max(by: { $0.1 - $0.0 < $1.1 - $1.0 }), s.1 - s.0 >= 1.5 else { return nil }
        let from = Int(s.0 * CallBuilder.rateHz), to = min(u.samples.count, Int(s.1 * CallBuilder.rateHz))
        var x = Array(u.samples[from..<to])
        for i in 0..<160 { x[i] *= Float(i) / 160; x[x.count - 1 - i] *= Float(i) / 160 }
        return (x, Double(x.count) / CallBuilder.rateHz)
    }.sorted { $0.seconds > $1.seconds }

    /// A call: a customer turn, then the agent's turn of `pieces` separated by `gaps` (seconds,
    /// customer silent), then a customer turn. Returns the analysis and the true agent speech time.
    static func call(pieces chosen: [Int], gaps: [Double]) throws -> (CallAnalysis, speechSeconds: Double) {
        precondition(gaps.count == chosen.count - 1)
        var b = CallBuilder()
        let customer = CallBuilder.levelledUtterances[2]
        var t = b.place(customer, onAgent: false, speechStart: 0.5) + 0.7
        var speech = 0.0
        for (k, p) in chosen.enumerated() {
            CallBuilder.add(&b.agent, pieces[p].samples, at: Int(t * CallBuilder.rateHz))
            b.agentSegments.append((t, t + pieces[p].seconds))
            speech += pieces[p].seconds + (k < gaps.count && gaps[k] < 0.25 ? gaps[k] : 0)
            t += pieces[p].seconds + (k < gaps.count ? gaps[k] : 0)
        }
        b.place(customer, onAgent: false, speechStart: t + 0.7)
        return (try CallAnalyzer.analyze(buffer: b.buffer()), speech)
    }

    static func shortSentences(_ a: CallAnalysis, rubric: Rubric = .builtIn) throws -> GuidelineResult {
        try #require(RubricEvaluator.evaluate(RubricInput(a), rubric: rubric).guidelines.first { $0.id == "short-sentences" })
    }

    @Test func builtInThresholds() throws {
        #expect(Rubric.builtIn.rubricVersion == "voiceqa-rubric/1.2.0")
        let t = try #require(Rubric.builtIn.guideline(.shortSentences)).resolvedThresholds(.zh)
        #expect(t["pauseTurnSeconds"] == 10 && t["pausesPerMinutePass"] == 10 && t["pausesPerMinuteFail"] == 4)
        #expect(t["longestPausePassSeconds"] == 1 && t["longestPauseFailSeconds"] == 3)
    }

    /// The longest pause: one agent turn under 10 s (so the rate check does not apply) of two
    /// pieces with a pause of 0.6, 2.0 or 3.6 s between them. The measured pause is the set gap
    /// within 0.15 s (activity edges, docs/accuracy.md: boundary median 0.015–0.08 s), and the
    /// verdict is the ramp's: pass ≤ 1 s, warn between, fail ≥ 3 s (2.0 s: score 50 ± 8, the
    /// 0.15 s edge tolerance over the 2 s ramp).
    @Test(arguments: [(0.6, GuidelineResult.Verdict.pass), (2.0, .warn), (3.6, .fail)])
    func longestPauseInsideATurn(gap: Double, verdict: GuidelineResult.Verdict) throws {
        let short = Self.pieces.indices.filter { Self.pieces[$0].seconds < 3.5 }.prefix(2)
        try #require(short.count == 2)
        let (a, _) = try Self.call(pieces: Array(short), gaps: [gap])
        let g = try Self.shortSentences(a)
        let longest = try #require(g.measured?["longestWithinTurnPauseSeconds"])
        print("short-sentences, set pause \(gap) s: longest within-turn pause \(longest) s, score \(g.score ?? -1), \(g.verdict)")
        #expect(abs(longest - gap) <= 0.15)
        #expect(g.measured?["withinTurnPausesPerMinuteOfSpeech"] == nil)  // no turn spans 10 s
        #expect(g.verdict == verdict)
        if verdict == .warn { #expect(abs((g.score ?? 0) - 50) <= 8) }
        if verdict != .pass { #expect(g.evidence.contains { $0.kind == "long-pause" && abs(($0.values?["durationSeconds"] ?? 0) - gap) <= 0.15 }) }
        // A rubric 1.1 file has no pause checks: the same call passes, as it did under 1.1.
        let old = try Self.shortSentences(a, rubric: try Rubric.load(path: Self.rubric11Path))
        #expect(old.verdict == .pass && old.measured?["longestWithinTurnPauseSeconds"] == nil)
        #expect(old.thresholds?["longestPausePassSeconds"] == nil)
    }

    /// The pause rate: one agent turn of about 16–20 s of speech, its units under the 10 s
    /// long-unit line, with 1 pause (true rate ≈ 3–4 per minute: fail) or with 4 (≈ 12–15: pass).
    /// The measured rate is the true count over the true speech time within 15 % (activity edges
    /// on ~20 s of speech, and a piece split by activity would add a pause).
    @Test(arguments: [1, 4])
    func pauseRateInsideALongTurn(pauseCount: Int) throws {
        // Pieces in order until ~16 s of speech; gaps of 0.1 s (no pause) except `pauseCount` of 0.6 s
        // spread evenly, so no unit reaches 10 s.
        var chosen: [Int] = [], total = 0.0
        for (k, p) in Self.pieces.enumerated() where total < 16 && p.seconds < 5 { chosen.append(k); total += p.seconds }
        try #require(chosen.count > pauseCount && total >= 12)
        var gaps = [Double](repeating: 0.1, count: chosen.count - 1)
        for j in 1...pauseCount { gaps[j * (chosen.count - 1) / (pauseCount + 1)] = 0.6 }
        try #require(gaps.filter { $0 == 0.6 }.count == pauseCount)
        let (a, speech) = try Self.call(pieces: chosen, gaps: gaps)
        let truthRate = 60 * Double(pauseCount) / speech
        let g = try Self.shortSentences(a)
        let rate = try #require(g.measured?["withinTurnPausesPerMinuteOfSpeech"])
        print("short-sentences, \(pauseCount) pauses in \(String(format: "%.1f", speech)) s of speech: true \(String(format: "%.2f", truthRate)) per minute, measured \(rate), score \(g.score ?? -1), \(g.verdict); units \(a.channels[0].rate?.utterances.map { $0.end - $0.start } ?? [])")
        #expect(abs(rate - truthRate) <= 0.15 * truthRate)
        #expect((g.measured?["longUtteranceRatio"] ?? 1) == 0)          // the rate alone decides
        #expect(g.verdict == (truthRate >= 10 ? .pass : truthRate <= 4 ? .fail : .warn))
        if truthRate <= 4 { #expect(g.evidence.contains { $0.kind == "few-pauses" }) }
        let old = try Self.shortSentences(a, rubric: try Rubric.load(path: Self.rubric11Path))
        #expect(old.verdict == .pass && old.measured?["withinTurnPausesPerMinuteOfSpeech"] == nil)
    }

    /// Turns from segments and within-turn pauses, on numbers: gaps under a pause stay in the
    /// turn, within-turn pauses too, any other gap ends it.
    @Test func turnsOfSegments() {
        let segs = [Segment(start: 0, end: 4), Segment(start: 4.1, end: 8), Segment(start: 8.6, end: 12),
                    Segment(start: 15, end: 20), Segment(start: 21, end: 30)]
        let pauses = [Segment(start: 8, end: 8.6), Segment(start: 20, end: 21)]
        let turns = RubricEvaluator.agentTurns(segs, pauses: pauses, minimumPauseSeconds: 0.25)
        #expect(turns.map(\.span) == [Segment(start: 0, end: 12), Segment(start: 15, end: 30)])
        #expect(turns.map(\.pauseCount) == [1, 1])
        #expect(abs(turns[0].speechSeconds - 11.3) < 1e-9 && abs(turns[1].speechSeconds - 14) < 1e-9)
    }

    /// A file may give one check's group whole or not at all.
    @Test func aHalfGivenCheckIsRefused() throws {
        var r = Rubric.builtIn
        let i = r.guidelines.firstIndex { $0.id == .shortSentences }!
        r.guidelines[i].thresholds["default"]?["longestPauseFailSeconds"] = nil
        #expect(throws: RubricError.self) { try r.validate() }
        r.guidelines[i].thresholds["default"]?["longestPauseFailSeconds"] = 0.5   // below the pass line
        #expect(throws: RubricError.self) { try r.validate() }
        r.guidelines[i].thresholds["default"]?["longestPausePassSeconds"] = nil
        r.guidelines[i].thresholds["default"]?["longestPauseFailSeconds"] = nil
        #expect(throws: Never.self) { try r.validate() }
    }

    /// The binary knows 1.1.0's thresholds (for reports stored without them): those of the 1.1.0 file.
    @Test func builtInOneOneIsTheFile() throws {
        let file = try Rubric.load(path: Self.rubric11Path)
        let known = try #require(Rubric.builtIn(version: file.rubricVersion))
        for (a, b) in zip(known.guidelines, file.guidelines) {
            for language in SpeechLanguage.allCases {
                #expect(a.resolvedThresholds(language) == b.resolvedThresholds(language), "\(a.id) \(language)")
            }
        }
    }
}
