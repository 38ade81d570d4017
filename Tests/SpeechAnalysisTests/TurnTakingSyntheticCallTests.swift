import CallAnalysis
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Two-channel calls built in the test from real fixture speech, with events known by
/// construction, so each rule is checked end to end (decoder-free: speech activity → turn-taking)
/// on dozens of events, with and without −20 dB echo of the customer on the agent channel.
struct TurnTakingSyntheticCallTests {
    struct Truth {
        var interruptions: [(time: Double, by: Conversation.Party)] = []
        var backchannels: [Double] = []
        var latencies: [(customerEnd: Double, agentStart: Double)] = []
        /// The utterances either side of each latency (customer's, agent's), for studies.
        var latencyTalkers: [(customer: String, agent: String)] = []
        var deadAir: [(Double, Double)] = []
    }

    /// The built calls' seeds: 1–6 (4 with echo), the first 2 under the sanitizers, which need
    /// each path once; every figure and target is asserted on all of them in the plain run.
    static func seeds(_ count: UInt64) -> ClosedRange<UInt64> { 1...(Sanitizer.isActive ? 2 : count) }

    static func scenario(seed: UInt64, levelled: Bool = false) -> (CallBuilder, Truth) {
        var rng = SeededRandom(seed: seed)
        func uniform(_ r: ClosedRange<Double>) -> Double { Double.random(in: r, using: &rng) }
        let all = levelled ? CallBuilder.levelledUtterances : CallBuilder.utterances
        let long = all.filter { $0.lastSpeech - $0.firstSpeech > 4 }          // Japanese Common Voice clips
        let any = all
        func pick(_ pool: [CallBuilder.Utterance]) -> CallBuilder.Utterance { pool[Int.random(in: 0..<pool.count, using: &rng)] }
        var b = CallBuilder(), truth = Truth()

        // 1. Agent greets; the customer answers with a long turn holding one agent backchannel.
        var end = b.place(pick(any), onAgent: true, speechStart: 0.5)
        var start = end + uniform(0.4...1.2)
        let u2 = pick(long)
        let customerEnd2 = b.place(u2, onAgent: false, speechStart: start)
        let bcTime = start + 1.4
        b.placeShort(pick(any), onAgent: true, time: bcTime, durationSeconds: uniform(0.35...0.7))
        truth.backchannels.append(bcTime)
        // 2. The agent answers after a normal latency.
        start = customerEnd2 + uniform(0.3...1.5)
        truth.latencies.append((customerEnd2, start))
        let u3 = pick(any)
        truth.latencyTalkers.append((u2.id, u3.id))
        end = b.place(u3, onAgent: true, speechStart: start)
        // 3. The customer talks; the agent interrupts 1.5 s in and the customer yields 0.4–0.8 s later.
        start = end + uniform(0.4...1.0)
        let u4 = pick(long)
        let interruptAt = start + 1.5
        b.place(u4, onAgent: false, speechStart: start, cutAt: interruptAt + uniform(0.4...0.8))
        end = b.place(pick(any), onAgent: true, speechStart: interruptAt)
        truth.interruptions.append((interruptAt, .agent))
        // 4. Dead air, then the customer speaks and the agent answers.
        let dead = uniform(3.5...7)
        truth.deadAir.append((end, end + dead))
        let u6 = pick(any)
        let customerEnd6 = b.place(u6, onAgent: false, speechStart: end + dead)
        start = customerEnd6 + uniform(0.3...1.5)
        truth.latencies.append((customerEnd6, start))
        // 5. The customer interrupts the agent's long turn and the agent yields.
        let u7 = pick(long)
        truth.latencyTalkers.append((u6.id, u7.id))
        let customerStart = start + 1.2
        b.place(u7, onAgent: true, speechStart: start, cutAt: customerStart + uniform(0.4...0.8))
        let u8 = pick(any)
        let customerEnd8 = b.place(u8, onAgent: false, speechStart: customerStart)
        truth.interruptions.append((customerStart, .customer))
        // 6. The agent closes after a latency.
        start = customerEnd8 + uniform(0.3...1.5)
        truth.latencies.append((customerEnd8, start))
        let u9 = pick(any)
        truth.latencyTalkers.append((u8.id, u9.id))
        b.place(u9, onAgent: true, speechStart: start)
        return (b, truth)
    }

    struct Score {
        var interruptionHits = 0, interruptionsFound = 0, interruptionsTrue = 0
        var backchannelHits = 0, backchannelsTrue = 0, backchannelsCalledInterruptions = 0
        var latencyErrors: [Double] = [], latenciesMissed = 0
        var deadAirBoundaryErrors: [Double] = [], deadAirMissed = 0
        /// Dead air found, and how many of them overlap no true dead air (issue 17: precision).
        var deadAirFound = 0, deadAirFalse = 0
    }

    static func score(_ c: Conversation, _ t: Truth, into s: inout Score) {
        let found = c.interruptions ?? []
        s.interruptionsFound += found.count
        s.interruptionsTrue += t.interruptions.count
        for i in t.interruptions {
            if found.contains(where: { abs($0.time - i.time) < 0.5 && $0.by == i.by }) { s.interruptionHits += 1 }
            else { print("missed interruption by \(i.by) at \(i.time)") }
        }
        s.backchannelsTrue += t.backchannels.count
        for bc in t.backchannels {
            if (c.backchannels ?? []).contains(where: { abs($0.time - bc) < 0.5 }) { s.backchannelHits += 1 }
            if found.contains(where: { abs($0.time - bc) < 0.5 }) { s.backchannelsCalledInterruptions += 1 }
        }
        let latencies = Self.latencyErrors(c, t)
        s.latencyErrors += latencies.errors
        s.latenciesMissed += latencies.missed
        for d in t.deadAir {
            if let m = c.deadAir.first(where: { $0.overlapSeconds(with: Segment(start: d.0, end: d.1)) > 0 }) {
                s.deadAirBoundaryErrors += [abs(m.start - d.0), abs(m.end - d.1)]
            } else { s.deadAirMissed += 1 }
        }
        s.deadAirFound += c.deadAir.count
        s.deadAirFalse += c.deadAir.filter { TurnTakingFixtureTests.trueDeadAir(overlapping: $0, in: t.deadAir) == nil }.count
    }

    /// The response latency `c` found for true latency `l`: the one whose agent start lies within
    /// 0.5 s of the true one (nil: missed).
    static func found(_ l: (customerEnd: Double, agentStart: Double), in c: Conversation) -> Conversation.Latency? {
        c.responseLatency?.items.first { abs($0.agentStart - l.agentStart) < 0.5 }
    }

    /// The absolute error of each true latency of `t` that `c` found, seconds, and how many it missed.
    static func latencyErrors(_ c: Conversation, _ t: Truth) -> (errors: [Double], missed: Int) {
        var errors: [Double] = [], missed = 0
        for l in t.latencies {
            if let m = Self.found(l, in: c) { errors.append(abs(m.seconds - (l.agentStart - l.customerEnd))) } else { missed += 1 }
        }
        return (errors, missed)
    }

    @Test(arguments: Sanitizer.few([false, true], 1))
    func eventsOnBuiltCalls(withEcho: Bool) throws {
        var s = Score()
        for seed in Self.seeds(6) {
            let (builder, truth) = Self.scenario(seed: seed)
            var buffer = builder.buffer(seed: seed)
            if withEcho {
                // The customer leaks into the agent channel at −20 dB, 30 ms late (hybrid echo).
                let delay = Int(0.03 * CallBuilder.rateHz)
                for i in delay..<buffer.frameCount { buffer.channels[0][i] += 0.1 * buffer.channels[1][i - delay] }
            }
            let analysis = try CallAnalyzer.analyze(buffer: buffer)
            Self.score(try #require(analysis.conversation), truth, into: &s)
        }
        let precision = Double(s.interruptionHits) / Double(max(1, s.interruptionsFound))
        let recall = Double(s.interruptionHits) / Double(s.interruptionsTrue)
        print("turn-taking on built calls (echo \(withEcho)): interruptions P \(precision) R \(recall); backchannels \(s.backchannelHits)/\(s.backchannelsTrue); latency MAE \(Statistics.mean(s.latencyErrors) ?? -1) s, missed \(s.latenciesMissed); dead-air boundary max \(s.deadAirBoundaryErrors.max() ?? -1) s, missed \(s.deadAirMissed), found \(s.deadAirFound) (\(s.deadAirFalse) with no true dead air)")
        // The targets: precision and recall ≥ 0.9 (matched within 0.5 s), backchannel
        // recall ≥ 0.8 and none called an interruption, latency MAE ≤ 0.15 s, dead air found
        // with boundaries within 0.3 s.
        #expect(precision >= 0.9)
        #expect(recall >= 0.9)
        #expect(Double(s.backchannelHits) / Double(s.backchannelsTrue) >= 0.8)
        #expect(s.backchannelsCalledInterruptions == 0)
        #expect((Statistics.mean(s.latencyErrors) ?? 1) <= 0.15)
        #expect(s.latenciesMissed <= 1)
        #expect(s.deadAirMissed == 0)
        #expect(s.deadAirFalse == 0)   // precision ≥ 0.95 (issue 17), one dead air per call
        #expect((s.deadAirBoundaryErrors.max() ?? 1) <= 0.3)
    }

    enum NoiseKind: String, Sendable, CaseIterable { case white, babble }

    /// Each channel through the front end, band levels kept (what speech activity reads).
    static func contours(_ buffer: AudioBuffer) -> [ChannelContours] {
        buffer.channels.map { samples -> ChannelContours in
            let frontEnd = ChannelFrontEnd(sampleRateHz: buffer.sampleRateHz, retainBandLevels: true)
            frontEnd.consume(samples)
            return frontEnd.finish()
        }
    }

    /// Front end → two-channel speech activity → turn-taking: the path `CallAnalyzer` takes to
    /// `conversation`, without pitch, level and rate (so a built call costs a fraction in debug).
    static func conversation(_ buffer: AudioBuffer) -> Conversation {
        let contours = Self.contours(buffer)
        return Self.conversation(contours, SpeechActivityDetector.detect(contours), durationSeconds: buffer.durationSeconds)
    }

    /// Turn-taking of a call's two channels (agent, customer) from their contours and speech activity.
    static func conversation(_ contours: [ChannelContours], _ activity: [SpeechActivity], durationSeconds: Double) -> Conversation {
        TurnTaking.analyze(agent: PartyInput(segments: activity[0].segments, contours: contours[0]),
                           customer: PartyInput(segments: activity[1].segments, contours: contours[1]),
                           durationSeconds: durationSeconds)
    }

    /// The built calls from level-matched utterances (`CallBuilder.levelledUtterances`: each
    /// talker at one level, as behind a telephone AGC) with `kind` noise on each channel at
    /// `snrDB` under that channel's mean speech power (the fixture calls' SNR definition), so
    /// edges and short vocalisations meet the noise of the fixture calls while the truth stays
    /// exact by construction (the fixture calls' AMI turns are padded by up to 0.6 s; see
    /// docs/accuracy.md).
    static func noisyScores(_ kind: NoiseKind, snrDB: Double, seeds: ClosedRange<UInt64>) throws -> Score {
        var s = Score()
        for seed in seeds {
            let call = Self.noisyCall(kind, snrDB: snrDB, seed: seed)
            Self.score(Self.conversation(call.noisy), call.truth, into: &s)
        }
        return s
    }

    /// One built call of `noisyScores`: the level-matched scenario of `seed`, before and after
    /// the noise (babble of `babbleTalkers` talkers).
    static func noisyCall(_ kind: NoiseKind, snrDB: Double, seed: UInt64, babbleTalkers: Int = 6) -> (clean: AudioBuffer, noisy: AudioBuffer, truth: Truth) {
        let (builder, truth) = Self.scenario(seed: seed, levelled: true)
        let clean = builder.buffer(seed: seed)
        var buffer = clean
        for (k, segments) in [builder.agentSegments, builder.customerSegments].enumerated() {
            let power = NoiseMixing.meanPower(buffer.channels[k], sampleRateHz: CallBuilder.rateHz, over: segments)
            let noiseSeed = seed &* 31 &+ UInt64(k)
            let noise = switch kind {
            case .white: Synth.whiteNoise(durationSeconds: Double(buffer.frameCount) / CallBuilder.rateHz,
                                          sampleRateHz: CallBuilder.rateHz, rms: 1, seed: noiseSeed)
            case .babble: NoiseMixing.babble(from: CallBuilder.levelledUtterances.map(\.samples), talkerCount: babbleTalkers,
                                             length: buffer.frameCount, seed: noiseSeed)
            }
            buffer.channels[k] = NoiseMixing.add(noise, to: buffer.channels[k], speechPower: power, snrDB: snrDB)
        }
        return (clean, buffer, truth)
    }

    /// `latencyMAESeconds`: the latency MAE measured on the 18 latencies (2026-12-05, analysisVersion 14).
    @Test(arguments: Sanitizer.few([(NoiseKind.white, 10.0, 0.100), (.white, 5.0, 0.092)], 1))
    func eventsOnNoisyBuiltCalls(kind: NoiseKind, snrDB: Double, latencyMAESeconds: Double) throws {
        let s = try Self.noisyScores(kind, snrDB: snrDB, seeds: Self.seeds(6))
        let precision = Double(s.interruptionHits) / Double(max(1, s.interruptionsFound))
        let recall = Double(s.interruptionHits) / Double(s.interruptionsTrue)
        let bcRecall = Double(s.backchannelHits) / Double(s.backchannelsTrue)
        let latencyMAE = Statistics.mean(s.latencyErrors) ?? 1
        print("turn-taking on built calls, \(kind) noise \(snrDB) dB: interruptions P \(precision) R \(recall) (\(s.interruptionHits)/\(s.interruptionsTrue), \(s.interruptionsFound) found); backchannels \(s.backchannelHits)/\(s.backchannelsTrue), as interruptions \(s.backchannelsCalledInterruptions); latency MAE \(latencyMAE) s over \(s.latencyErrors.count), max \(s.latencyErrors.max() ?? -1), missed \(s.latenciesMissed); dead-air boundary max \(s.deadAirBoundaryErrors.max() ?? -1) s, missed \(s.deadAirMissed), found \(s.deadAirFound) (\(s.deadAirFalse) with no true dead air)")
        // The targets, on 12 interruptions, 6 backchannels, 18 latencies and 6 dead airs
        // whose truth is exact by construction (phone labels, or energy VAD ±50 ms on the clean clip).
        #expect(precision >= 0.9 && recall >= 0.9)
        #expect(bcRecall >= 0.8)
        #expect(s.backchannelsCalledInterruptions == 0)
        // Latency: the target is 0.10 s; held to the measured MAE plus 0.01 s (one
        // frame). Where the error comes from (LatencyNoiseStudy, docs/accuracy.md "Turn-taking"):
        // the customer's turn end, which the noisy-channel hold (0.15 s) puts 0.11–0.15 s past the
        // truth on 12 of the 18 ends (the last 0.03–0.08 s of those phrase ends lie ≥ 10 dB under
        // the noise) and which stays 0.03–0.07 s early on the 6 ends of ja_commonvoice_38853932,
        // whose last ~0.2 s sink into the noise; the agent's onsets are within 0.07 s.
        #expect(latencyMAE <= latencyMAESeconds + 0.01 && s.latenciesMissed == 0)
        #expect(s.deadAirMissed == 0)
        #expect(s.deadAirFalse == 0)   // precision ≥ 0.95 (issue 17), one dead air per call
        #expect((s.deadAirBoundaryErrors.max() ?? 1) <= 0.3)
    }

    /// Hybrid or acoustic echo of the customer on the agent channel (the usual direction on a
    /// recorded line), at `echoDB` with `delayMilliseconds`: ITU-T G.168 tests echo paths up to
    /// 64–128 ms and line echo return loss of 15–25 dB (`eventsOnBuiltCalls` has −20 dB at 30 ms).
    /// Level-matched utterances, interruptions both ways, 4 calls each.
    @Test(arguments: Sanitizer.few([(-15.0, 64.0), (-25.0, 120.0)], 1))
    func eventsWithEcho(echoDB: Double, delayMilliseconds: Double) throws {
        var s = Score()
        for seed in Self.seeds(4) {
            let (builder, truth) = Self.scenario(seed: seed, levelled: true)
            var buffer = builder.buffer(seed: seed)
            let delay = Int(delayMilliseconds / 1000 * CallBuilder.rateHz), gain = Float(pow(10, echoDB / 20))
            for i in stride(from: buffer.frameCount - 1, through: delay, by: -1) {
                buffer.channels[0][i] += gain * buffer.channels[1][i - delay]
            }
            Self.score(Self.conversation(buffer), truth, into: &s)
        }
        let precision = Double(s.interruptionHits) / Double(max(1, s.interruptionsFound))
        let recall = Double(s.interruptionHits) / Double(s.interruptionsTrue)
        let latencyMAE = Statistics.mean(s.latencyErrors) ?? 1
        print("turn-taking on built calls, echo \(echoDB) dB at \(delayMilliseconds) ms: interruptions P \(precision) R \(recall) (\(s.interruptionHits)/\(s.interruptionsTrue), \(s.interruptionsFound) found); backchannels \(s.backchannelHits)/\(s.backchannelsTrue), as interruptions \(s.backchannelsCalledInterruptions); latency MAE \(latencyMAE) s over \(s.latencyErrors.count), missed \(s.latenciesMissed); dead-air boundary max \(s.deadAirBoundaryErrors.max() ?? -1) s, missed \(s.deadAirMissed), found \(s.deadAirFound) (\(s.deadAirFalse) with no true dead air)")
        // The targets: echo must neither create nor hide overlaps. Before gaps holding
        // leakage next to fragments were kept open, echo frames the gate let through were bridged
        // into the agent's next turn and hid an interruption (7/8 at −15 dB/64 ms here; 11/12 at
        // −20 dB/30 ms in `eventsOnBuiltCalls`).
        #expect(precision >= 0.9 && recall >= 0.9)
        #expect(Double(s.backchannelHits) / Double(s.backchannelsTrue) >= 0.8)
        #expect(s.backchannelsCalledInterruptions == 0)
        // Latency: without line noise, the level-matched clips' lip clicks (~30 dB under the
        // speech, 0.2–0.25 s before the labelled onset) were bridged into 7 of the 12 agent turns,
        // which then started 0.20–0.24 s early (0.16 s MAE); fragments shorter than a syllable
        // and 20 dB under a neighbouring run are now dropped on clean channels (0.02 s MAE).
        #expect(latencyMAE <= 0.15 && s.latenciesMissed <= 1)
        #expect(s.deadAirMissed == 0)
        #expect(s.deadAirFalse == 0)   // precision ≥ 0.95 (issue 17), one dead air per call
        #expect((s.deadAirBoundaryErrors.max() ?? 1) <= 0.3)
    }
}
