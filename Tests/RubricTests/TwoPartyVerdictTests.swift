import CallAnalysis
import DSP
import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// Two-party guidelines on calls built from fixture speech (CallBuilder), events placed by
/// construction: interruptions, waits, backchannels in long customer turns, and an agent who
/// gets louder after the customer does. Each has a passing twin.
struct TwoPartyVerdictTests {
    static func evaluate(_ b: CallBuilder) throws -> RubricEvaluation {
        let a = try CallAnalyzer.analyze(buffer: b.buffer(), options: AnalysisOptions(language: .en))
        return RubricEvaluator.evaluate(RubricInput(a), rubric: .builtIn)
    }
    static func result(_ e: RubricEvaluation, _ id: GuidelineID) -> GuidelineResult { e.guidelines.first { $0.id == id.rawValue }! }
    static let utterances = CallBuilder.utterances
    static var long: [CallBuilder.Utterance] { utterances.filter { $0.lastSpeech - $0.firstSpeech > 4 } }

    /// Agent and customer alternate; `interruptAt` lists customer turns the agent cuts into 1.5 s after
    /// they start (the customer stops 0.6 s later); `waitAfter` adds a silent wait before an agent turn.
    static func alternating(interrupt: Set<Int> = [], waitSeconds: [Int: Double] = [:]) -> (CallBuilder, [Double], [(Double, Double)]) {
        var b = CallBuilder()
        var t = 0.5
        var interruptions: [Double] = [], waits: [(Double, Double)] = []
        for k in 0..<4 {
            t = b.place(utterances[k % utterances.count], onAgent: true, speechStart: t) + 0.6
            let u = long[k % long.count]
            if interrupt.contains(k) {
                let at = t + 1.5
                b.place(u, onAgent: false, speechStart: t, cutAt: at + 0.6)
                interruptions.append(at)
                t = at
            } else {
                let end = b.place(u, onAgent: false, speechStart: t)
                let wait = waitSeconds[k] ?? 0.6
                if wait > 3 { waits.append((end, end + wait)) }
                t = end + wait
            }
        }
        b.place(utterances[4], onAgent: true, speechStart: t)
        return (b, interruptions, waits)
    }

    @Test func noInterrupting() throws {
        let good = Self.result(try Self.evaluate(Self.alternating().0), .noInterrupting)
        let (call, times, _) = Self.alternating(interrupt: [1, 2])
        let bad = Self.result(try Self.evaluate(call), .noInterrupting)
        #expect(good.verdict == .pass)
        #expect(bad.verdict == .fail)
        #expect(bad.evidence.count == 2)
        for (e, t) in zip(bad.evidence, times) { #expect(abs(e.start - t) < 0.1, "\(e) vs \(t)") }  // activity onset ±0.1 s
    }

    @Test func noWaiting() throws {
        let good = Self.result(try Self.evaluate(Self.alternating().0), .noWaiting)
        let (call, _, waits) = Self.alternating(waitSeconds: [2: 16])
        let bad = Self.result(try Self.evaluate(call), .noWaiting)
        #expect(good.verdict == .pass)
        #expect(bad.verdict == .fail)  // 16 s of dead air ≥ 15 s, and a 16 s response latency ≥ 8 s
        let w = try #require(waits.first)
        // The wait: from the customer's end to the agent's next start (0.3 s: the Common Voice clips' truth
        // comes from an energy VAD, ±80 ms, and the agent's onset breath counts as speech).
        #expect(bad.evidence.contains { abs($0.start - w.0) < 0.3 && abs($0.end - w.1) < 0.3 }, "\(bad.evidence) vs \(w)")
    }

    /// A customer turn of several long utterances with 0.4 s gaps (> 15 s), with or without agent backchannels.
    static func longCustomerTurn(backchannels: Bool) -> (CallBuilder, (Double, Double)) {
        var b = CallBuilder()
        var t = b.place(Self.utterances[0], onAgent: true, speechStart: 0.5) + 0.6
        let start = t
        for k in 0..<4 {
            let end = b.place(Self.long[k % Self.long.count], onAgent: false, speechStart: t)
            if backchannels && k < 3 { b.placeShort(Self.utterances[1], onAgent: true, time: t + 1.5, durationSeconds: 0.4) }
            t = end + 0.4
        }
        let end = t - 0.4
        b.place(Self.utterances[2], onAgent: true, speechStart: t + 0.4)
        return (b, (start, end))
    }

    @Test func backchannels() throws {
        let (goodCall, turn) = Self.longCustomerTurn(backchannels: true)
        #expect(turn.1 - turn.0 > 15)
        let good = Self.result(try Self.evaluate(goodCall), .backchannels)
        let bad = Self.result(try Self.evaluate(Self.longCustomerTurn(backchannels: false).0), .backchannels)
        #expect(good.verdict == .pass, "\(good)")
        #expect(bad.verdict == .fail, "\(bad)")
        let e = try #require(bad.evidence.first)  // the customer turn, ±0.15 s activity edges
        #expect(abs(e.start - turn.0) < 0.15 && abs(e.end - turn.1) < 0.15, "\(e) vs \(turn)")
    }

    /// The same customer utterance five times at 0 dB except the third at +10 dB; the agent answers each
    /// with the same utterance, at +10 dB after the loud one if `escalate`. Same voices throughout, so
    /// only the gains differ from each speaker's baseline.
    static func raisedCustomer(escalate: Bool) -> (CallBuilder, (Double, Double)) {
        var b = CallBuilder()
        var t = 0.5
        var response = (0.0, 0.0)
        for k in 0..<5 {
            let u = Self.utterances[0]
            let end = b.place(u, onAgent: false, speechStart: t, gainDB: k == 2 ? 10 : 0)
            let a = Self.utterances[4]
            let aEnd = b.place(a, onAgent: true, speechStart: end + 0.6, gainDB: k == 2 && escalate ? 10 : 0)
            if k == 2 { response = (end + 0.6, aEnd) }
            t = aEnd + 0.6
        }
        return (b, response)
    }

    @Test func calm() throws {
        let (goodCall, response) = Self.raisedCustomer(escalate: false)
        let good = Self.result(try Self.evaluate(goodCall), .calm)
        let bad = Self.result(try Self.evaluate(Self.raisedCustomer(escalate: true).0), .calm)
        #expect(good.verdict == .pass, "\(good)")
        #expect(bad.verdict == .fail, "\(bad)")
        // Evidence: the agent's response to the loud customer utterance. It covers the placed speech
        // (±0.15 s) and reaches at most 0.6 s beyond it: at +10 dB more of the clip's quiet onset and
        // tail (truth from an energy VAD) rises above the noise.
        #expect(bad.evidence.count == 1)
        #expect(bad.evidence.contains {
            $0.start <= response.0 + 0.15 && $0.end >= response.1 - 0.15 && $0.start >= response.0 - 0.6 && $0.end <= response.1 + 0.6
        }, "\(bad.evidence) vs \(response)")
    }
}
