import CallAnalysis
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17: "no backchannel counted as an interruption", on the case the held-out echo study
/// found (docs/accuracy.md, −15 dB backchannels under echo at −30 dB / 90 ms): an agent
/// backchannel in a pause of the customer's turn, the customer going on under it, less than 1 s
/// after other agent sound that was itself a backchannel. Here the earlier sound is a real
/// backchannel ("mm … yeah", listeners' feedback often comes in runs), built from real fixture
/// speech, with a customer interruption and an agent interruption in every call, so the rule is
/// checked to keep finding real interruptions while it stops counting backchannels as ones.
/// Truth is exact by construction (`CallBuilder`: phone labels or energy VAD on the clean clips).
@Suite struct ConsecutiveBackchannelTests {
    typealias Truth = TurnTakingSyntheticCallTests.Truth

    /// One call: the agent greets; the customer's long turn holds an agent "mm" and, in the
    /// customer's pause 0.4–0.8 s after it, a second backchannel the customer resumes under
    /// (0.08–0.15 s after its start, overlapping it by ≥ 0.3 s); the agent answers; the customer
    /// interrupts the agent's next turn and the agent yields; the agent interrupts the customer's
    /// next turn and the customer yields; the agent closes. Backchannels at `levelDB` under the
    /// agent's own (levelled) speech.
    static func call(seed: UInt64, levelDB: Double) -> (CallBuilder, Truth) {
        var rng = SeededRandom(seed: seed)
        func uniform(_ r: ClosedRange<Double>) -> Double { Double.random(in: r, using: &rng) }
        let all = CallBuilder.levelledUtterances
        let long = all.filter { $0.lastSpeech - $0.firstSpeech > 4 }
        func pick(_ pool: [CallBuilder.Utterance]) -> CallBuilder.Utterance { pool[Int.random(in: 0..<pool.count, using: &rng)] }
        var b = CallBuilder(), truth = Truth()

        // 1. Greeting; the customer's turn, paused at `pauseStart`, with two agent backchannels.
        var end = b.place(pick(all), onAgent: true, speechStart: 0.5)
        var start = end + uniform(0.4...1.0)
        let cutAt = start + uniform(2.0...3.0)
        let pauseStart = b.place(pick(long), onAgent: false, speechStart: start, cutAt: cutAt)
        let secondTime = pauseStart + uniform(0.25...0.35)
        let secondSeconds = uniform(0.45...0.6)
        let firstSeconds = uniform(0.2...0.35)
        let firstTime = secondTime - uniform(0.4...0.8) - firstSeconds
        b.placeShort(pick(all), onAgent: true, time: firstTime, durationSeconds: firstSeconds, gainDB: levelDB)
        b.placeShort(pick(all), onAgent: true, time: secondTime, durationSeconds: secondSeconds, gainDB: levelDB)
        truth.backchannels += [firstTime, secondTime]
        let customerEnd = b.place(pick(long), onAgent: false, speechStart: secondTime + uniform(0.08...0.15))
        // 2. The agent answers.
        start = customerEnd + uniform(0.3...1.0)
        truth.latencies.append((customerEnd, start))
        end = b.place(pick(all), onAgent: true, speechStart: start)
        // 3. The agent's long turn; the customer barges in 1.2 s into it and the agent yields.
        start = end + uniform(0.5...1.0)
        let customerStart = start + 1.2
        b.place(pick(long), onAgent: true, speechStart: start, cutAt: customerStart + uniform(0.4...0.8))
        end = b.place(pick(long), onAgent: false, speechStart: customerStart)
        truth.interruptions.append((customerStart, .customer))
        // 4. The customer's next turn; the agent barges in 1.5 s into it and the customer yields.
        start = end + uniform(0.5...1.0)
        let agentStart = start + 1.5
        b.place(pick(long), onAgent: false, speechStart: start, cutAt: agentStart + uniform(0.4...0.8))
        end = b.place(pick(all), onAgent: true, speechStart: agentStart)
        truth.interruptions.append((agentStart, .agent))
        return (b, truth)
    }

    /// Seeds per case: fewer under the sanitizers (`make sanitize` sets VOICEQA_SANITIZER).
    static let seeds: ClosedRange<UInt64> = ProcessInfo.processInfo.environment["VOICEQA_SANITIZER"] == nil ? 1...3 : 1...1

    /// Backchannels 0, −10 and −20 dB under the agent's speech; and −15 dB with the customer's echo
    /// on the agent channel at −30 dB / 90 ms (the held-out construction that found the case).
    @Test(arguments: [(0.0, nil), (-10.0, nil), (-20.0, nil), (-15.0, -30.0)] as [(Double, Double?)])
    func backchannelRunIsNoInterruption(levelDB: Double, echoDB: Double?) throws {
        var s = TurnTakingSyntheticCallTests.Score(), extraBackchannels = 0
        for seed in Self.seeds {
            let (builder, truth) = Self.call(seed: seed, levelDB: levelDB)
            var buffer = builder.buffer(seed: seed)
            if let echoDB { CrosstalkGateStudy.addEcho(&buffer, echoDB: echoDB, delaySeconds: 0.09) }
            let c = TurnTakingSyntheticCallTests.conversation(buffer)
            TurnTakingSyntheticCallTests.score(c, truth, into: &s)
            extraBackchannels += (c.backchannels ?? []).filter { b in !truth.backchannels.contains { abs(b.time - $0) < 0.5 } }.count
            for bc in truth.backchannels {
                if let i = (c.interruptions ?? []).first(where: { abs($0.time - bc) < 0.5 }) {
                    print("backchannel run, seed \(seed): backchannel at \(bc) counted as an interruption by \(i.by) at \(i.time)")
                }
            }
        }
        let precision = Double(s.interruptionHits) / Double(max(1, s.interruptionsFound))
        let recall = Double(s.interruptionHits) / Double(s.interruptionsTrue)
        print("backchannel runs \(levelDB) dB, echo \(echoDB.map { "\($0) dB / 90 ms" } ?? "none"): interruptions P \(precision) R \(recall) (\(s.interruptionHits)/\(s.interruptionsTrue), \(s.interruptionsFound) found); backchannels \(s.backchannelHits)/\(s.backchannelsTrue), as interruptions \(s.backchannelsCalledInterruptions), found away from the placed ones \(extraBackchannels)")
        #expect(s.backchannelsCalledInterruptions == 0)   // issue 17: no backchannel counted as an interruption
        #expect(precision >= 0.9 && recall >= 0.9)         // issue 17: interruptions P and R ≥ 0.9
        #expect(Double(s.backchannelHits) / Double(s.backchannelsTrue) >= 0.85)   // issue 17: backchannel recall ≥ 0.85
    }
}
