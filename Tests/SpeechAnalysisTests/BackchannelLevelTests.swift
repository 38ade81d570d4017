import CallAnalysis
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17: agent backchannels ("mm", "对", "はい") under the customer's speech, at several levels
/// below the agent's own speech, on calls built from real fixture speech (events known by
/// construction). A quiet backchannel must still be found, and never be counted as an
/// interruption; with line echo of the customer on the agent channel too.
@Suite struct BackchannelLevelTests {
    struct Tally { var placed = 0, found = 0, asInterruption = 0, otherInterruptions = 0 }

    /// One call: agent turn, then three long customer turns, each holding one agent backchannel
    /// `levelDB` under the (levelled) agent speech, each followed by an agent turn.
    static func call(seed: UInt64, levelDB: Double) -> (CallBuilder, [Double]) {
        var rng = SeededRandom(seed: seed)
        func uniform(_ r: ClosedRange<Double>) -> Double { Double.random(in: r, using: &rng) }
        let all = CallBuilder.levelledUtterances
        let long = all.filter { $0.lastSpeech - $0.firstSpeech > 4 }
        func pick(_ pool: [CallBuilder.Utterance]) -> CallBuilder.Utterance { pool[Int.random(in: 0..<pool.count, using: &rng)] }
        var b = CallBuilder(), times: [Double] = []
        var end = b.place(pick(all), onAgent: true, speechStart: 0.5)
        for _ in 0..<3 {
            let start = end + uniform(0.4...1.0)
            let customerEnd = b.place(pick(long), onAgent: false, speechStart: start)
            let t = start + uniform(1.2...2.5)
            b.placeShort(pick(all), onAgent: true, time: t, durationSeconds: uniform(0.3...0.6), gainDB: levelDB)
            times.append(t)
            end = b.place(pick(all), onAgent: true, speechStart: customerEnd + uniform(0.3...1.2))
        }
        return (b, times)
    }

    static func tally(levelDB: Double, echoDB: Double?) throws -> Tally {
        var tally = Tally()
        for seed in TurnTakingSyntheticCallTests.seeds(6) {   // 1–2 under the sanitizers
            let (builder, times) = Self.call(seed: seed, levelDB: levelDB)
            var buffer = builder.buffer(seed: seed)
            if let echoDB {
                // The customer on the agent channel, `echoDB` down and 30 ms late (hybrid echo).
                let delay = Int(0.03 * CallBuilder.rateHz), gain = Float(pow(10, echoDB / 20))
                for i in stride(from: buffer.frameCount - 1, through: delay, by: -1) {
                    buffer.channels[0][i] += gain * buffer.channels[1][i - delay]
                }
            }
            let conversation = try #require(try CallAnalyzer.analyze(buffer: buffer).conversation)
            let interruptions = conversation.interruptions ?? []
            tally.placed += times.count
            for t in times {
                if (conversation.backchannels ?? []).contains(where: { abs($0.time - t) < 0.5 }) { tally.found += 1 }
                if interruptions.contains(where: { abs($0.time - t) < 0.5 }) { tally.asInterruption += 1 }
            }
            tally.otherInterruptions += interruptions.filter { i in !times.contains { abs(i.time - $0) < 0.5 } }.count
        }
        return tally
    }

    /// Issue 17's targets on `t`: backchannel recall ≥ 0.85 over the 18 placements, asserted in the
    /// plain run (the sanitizers' 2 seeds place 6, too few to hold a recall figure: −25 dB finds
    /// 5 of them), and none of the backchannels nor any other overlap counted as an interruption,
    /// which holds on any subset of the calls and is asserted in every run.
    static func expectTargets(_ t: Tally, sourceLocation: SourceLocation = #_sourceLocation) {
        if !Sanitizer.isActive { #expect(Double(t.found) / Double(t.placed) >= 0.85, sourceLocation: sourceLocation) }
        #expect(t.asInterruption == 0, sourceLocation: sourceLocation)
        #expect(t.otherInterruptions == 0, sourceLocation: sourceLocation)
    }

    /// Before the customer could resume under a backchannel made in the customer's pause (the
    /// rule asked the customer to resume after it), 0 dB gave 14/18 found and 3 counted as the
    /// customer's interruptions, −10 dB 14/18 and 1.
    @Test(arguments: Sanitizer.few([0.0, -10.0], 1))
    func backchannelUnderCustomerSpeech(levelDB: Double) throws {
        let t = try Self.tally(levelDB: levelDB, echoDB: nil)
        print("backchannels \(levelDB) dB under the agent's speech: found \(t.found)/\(t.placed), as interruptions \(t.asInterruption), other interruptions \(t.otherInterruptions)")
        Self.expectTargets(t)
    }

    /// 20 dB under the agent's speech, a backchannel is about 20 dB under the customer's speech
    /// in every band. The crosstalk gate took any frame ≥ 15 dB under the other party for leakage
    /// (`CrosstalkGate.dominanceDB`): 14/18 found, each miss found with the customer channel
    /// silent. Such a frame is now leakage only if its own sound (outside the bands buried 15 dB
    /// under the other party) would miss the level gates: 18/18. −25 dB was held out (not looked
    /// at when the rule was made): 16/18.
    @Test(arguments: Sanitizer.few([-20.0, -25.0], 1))
    func quietBackchannelUnderCustomerSpeech(levelDB: Double) throws {
        let t = try Self.tally(levelDB: levelDB, echoDB: nil)
        print("backchannels \(levelDB) dB under the agent's speech: found \(t.found)/\(t.placed), as interruptions \(t.asInterruption), other interruptions \(t.otherInterruptions)")
        Self.expectTargets(t)
    }

    /// With the customer leaking back at −25 dB (a typical hybrid echo return loss, ITU-T G.168):
    /// a backchannel 10 dB under the agent's speech is still 15 dB over the echo, one 20 dB under
    /// only 5 dB (15/18 found while any frame ≥ 15 dB under the other party was leakage; 18/18 now).
    @Test(arguments: Sanitizer.few([0.0, -10.0, -20.0], 1))
    func backchannelUnderCustomerSpeechWithEcho(levelDB: Double) throws {
        let t = try Self.tally(levelDB: levelDB, echoDB: -25)
        print("backchannels \(levelDB) dB under the agent's speech, echo −25 dB: found \(t.found)/\(t.placed), as interruptions \(t.asInterruption), other interruptions \(t.otherInterruptions)")
        Self.expectTargets(t)
    }
}
