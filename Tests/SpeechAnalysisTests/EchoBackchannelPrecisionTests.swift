import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17: with the customer's line echo on the agent channel, the rules reported agent
/// backchannels where the agent said nothing (1 / 5 / 8 on `BackchannelLevelTests`' 6 calls at
/// 0 / −10 / −20 dB under echo at −25 dB / 30 ms; 5–9 on held-out echo constructions): 0.10–0.14 s
/// fragments of the customer's echo that the crosstalk gate let through — the echo of the weak
/// edges and narrow-band stretches of the customer's syllables, standing over the agent channel's
/// floor in only 1–2 bands. On `BackchannelLevelTests`' calls (agent backchannels under long
/// customer turns, truth exact by construction), under echo at several return losses and delays
/// (ITU-T G.168: line echo paths to 64–128 ms, return loss 15–25 dB and more), every backchannel
/// the rules report must be a placed one, and the placed ones must still be found.
@Suite struct EchoBackchannelPrecisionTests {
    /// Seeds per construction: fewer under the sanitizers (`make sanitize` sets VOICEQA_SANITIZER).
    static let seeds: ClosedRange<UInt64> = Sanitizer.isActive ? 1...2 : 1...6

    /// (backchannel level under the agent's speech, echo level, echo delay): −25 dB / 30 ms is the
    /// construction the fragments were studied on; the others were not looked at.
    @Test(arguments: Sanitizer.few([(0.0, -25.0, 30.0), (-10.0, -25.0, 30.0), (-20.0, -25.0, 30.0),
                                    (-10.0, -20.0, 45.0), (-15.0, -30.0, 90.0), (-20.0, -25.0, 120.0),
                                    (-10.0, -15.0, 64.0)], 1))
    func noBackchannelWhereTheAgentSaidNothing(levelDB: Double, echoDB: Double, delayMilliseconds: Double) throws {
        let (placed, found, asInterruption, extras) = Self.tally(levelDB: levelDB, echoDB: echoDB,
                                                                 delayMilliseconds: delayMilliseconds, seeds: Self.seeds)
        print("echo \(echoDB) dB / \(delayMilliseconds) ms, backchannels \(levelDB) dB: found \(found)/\(placed), as interruptions \(asInterruption), reported where none was placed \(extras.count) \(extras)")
        #expect(extras.isEmpty)                                   // no backchannel where the agent said nothing
        #expect(Double(found) / Double(placed) >= 0.85)           // issue 17: backchannel recall ≥ 0.85
        #expect(asInterruption == 0)
    }

    /// `BackchannelLevelTests`' calls on `seeds` with the customer's echo at `echoDB` and
    /// `delayMilliseconds`: backchannels placed, found, counted as interruptions, and each one
    /// reported where none was placed.
    static func tally(levelDB: Double, echoDB: Double, delayMilliseconds: Double, seeds: ClosedRange<UInt64>)
        -> (placed: Int, found: Int, asInterruption: Int, extras: [String]) {
        var placed = 0, found = 0, asInterruption = 0, extras: [String] = []
        for seed in seeds {
            let (builder, times) = BackchannelLevelTests.call(seed: seed, levelDB: levelDB)
            var buffer = builder.buffer(seed: seed)
            CrosstalkGateStudy.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
            let c = TurnTakingSyntheticCallTests.conversation(buffer)
            let backchannels = c.backchannels ?? [], interruptions = c.interruptions ?? []
            placed += times.count
            found += times.filter { t in backchannels.contains { abs($0.time - t) < 0.5 } }.count
            asInterruption += times.filter { t in interruptions.contains { abs($0.time - t) < 0.5 } }.count
            for b in backchannels where !times.contains(where: { abs(b.time - $0) < 0.5 }) {
                extras.append(String(format: "seed %d %@ at %.3f s (%.3f s)", Int(seed), "\(b.by)", b.time, b.durationSeconds))
            }
        }
        return (placed, found, asInterruption, extras)
    }
}
