import AudioIO
import DSP
import Foundation

/// Builds two-channel test calls from the real fixture utterances (16 kHz ones), with events
/// known by construction: each placement's speech segments come from the fixture ground truth.
public struct CallBuilder {
    public struct Utterance: @unchecked Sendable {
        public var id: String
        public var samples: [Float]
        /// Speech segments relative to the utterance start, seconds.
        public var segments: [(Double, Double)]
        public var firstSpeech: Double { segments.first?.0 ?? 0 }
        public var lastSpeech: Double { segments.last?.1 ?? 0 }
    }

    public static let rateHz = 16000.0

    /// The 16 kHz speech fixtures (ARCTIC, Common Voice ja, AISHELL zh), decoded once: those
    /// before issue 17's batch, so the calls the tests build stay the ones their figures were
    /// measured on (`batchUtterances` holds the batch's).
    public static let utterances: [Utterance] = load { !Fixtures.isIssue17Batch($0) }
    /// The 16 kHz utterances of issue 17's batch (MFA English and Japanese, THCHS-30).
    public static let batchUtterances: [Utterance] = load { Fixtures.isIssue17Batch($0) }

    static func load(_ include: (String) -> Bool) -> [Utterance] {
        Fixtures.stems(in: "speech").filter(include).compactMap { stem -> Utterance? in
            guard let truth = try? Fixtures.truth("speech", stem), (truth["sample_rate"] as? Int) == 16000,
                  let buffer = try? AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem)) else { return nil }
            return Utterance(id: stem, samples: buffer.channels[0], segments: Fixtures.speechSegments(truth).first ?? [])
        }
    }

    /// The same utterances, each scaled so its mean power over its speech segments is −26 dBFS
    /// (the nominal active speech level of ITU-T P.56 practice), as one talker's channel sounds
    /// behind a telephone AGC; the raw fixtures differ by up to ~20 dB, which would set a quiet
    /// clip far under a channel's nominal SNR.
    public static let levelledUtterances: [Utterance] = utterances.map { u in
        var sum = 0.0, count = 0
        for (a, b) in u.segments {
            let lo = max(0, Int(a * rateHz)), hi = min(u.samples.count, Int(b * rateHz))
            for i in lo..<max(lo, hi) { sum += Double(u.samples[i]) * Double(u.samples[i]) }
            count += max(0, hi - lo)
        }
        guard count > 0, sum > 0 else { return u }
        let gain = Float((pow(10, -26.0 / 10) / (sum / Double(count))).squareRoot())
        var v = u
        v.samples = u.samples.map { $0 * gain }
        return v
    }

    public var agent: [Float] = []
    public var customer: [Float] = []
    /// Ground-truth speech segments per channel.
    public var agentSegments: [(Double, Double)] = []
    public var customerSegments: [(Double, Double)] = []

    public init() {}

    /// Places `utterance` on a channel so that its first speech starts at `speechStart`, cut
    /// (with a 10 ms fade) at `cutAt` seconds of call time if given. Returns the time its speech ends.
    @discardableResult
    public mutating func place(_ u: Utterance, onAgent: Bool, speechStart: Double, cutAt: Double? = nil,
                               gainDB: Double = 0) -> Double {
        let offset = speechStart - u.firstSpeech
        var samples = u.samples
        var segments = u.segments.map { ($0.0 + offset, $0.1 + offset) }
        if let cut = cutAt {
            let keep = max(0, min(samples.count, Int((cut - offset) * Self.rateHz)))
            samples = Array(samples[0..<keep])
            let fade = min(160, keep)
            for i in 0..<fade { samples[keep - fade + i] *= Float(fade - i) / Float(fade) }
            segments = segments.compactMap { $0.0 < cut ? ($0.0, min($0.1, cut)) : nil }
        }
        let start = Int((offset * Self.rateHz).rounded())
        let g = Float(pow(10, gainDB / 20))
        if onAgent {
            Self.add(&agent, samples.map { $0 * g }, at: start)
            agentSegments += segments
        } else {
            Self.add(&customer, samples.map { $0 * g }, at: start)
            customerSegments += segments
        }
        return segments.last?.1 ?? speechStart
    }

    /// A short vocalisation: `durationSeconds` cut from the middle of `u`'s longest speech
    /// segment, with 10 ms fades, starting at `time`, `gainDB` above the utterance's own level.
    public mutating func placeShort(_ u: Utterance, onAgent: Bool, time: Double, durationSeconds: Double,
                                    gainDB: Double = 0) {
        let longest = u.segments.max { ($0.1 - $0.0) < ($1.1 - $1.0) }!
        let mid = (longest.0 + longest.1) / 2
        let from = Int((mid - durationSeconds / 2) * Self.rateHz), count = Int(durationSeconds * Self.rateHz)
        var piece = Array(u.samples[from..<(from + count)])
        for i in 0..<160 { piece[i] *= Float(i) / 160; piece[count - 1 - i] *= Float(i) / 160 }
        let g = Float(pow(10, gainDB / 20))
        if g != 1 { for i in 0..<count { piece[i] *= g } }
        let start = Int(time * Self.rateHz)
        if onAgent { Self.add(&agent, piece, at: start); agentSegments.append((time, time + durationSeconds)) }
        else { Self.add(&customer, piece, at: start); customerSegments.append((time, time + durationSeconds)) }
    }

    /// The call as a buffer, both channels padded to the same length plus `tailSeconds`,
    /// with seeded white noise at `noiseRMS` on both channels.
    public func buffer(tailSeconds: Double = 1, noiseRMS: Double = 0.0003, seed: UInt64 = 1) -> AudioBuffer {
        let n = max(agent.count, customer.count) + Int(tailSeconds * Self.rateHz)
        var a = agent + [Float](repeating: 0, count: n - agent.count)
        var c = customer + [Float](repeating: 0, count: n - customer.count)
        var rng = SeededRandom(seed: seed)
        for i in 0..<n {
            a[i] += Float(noiseRMS * rng.gaussian())
            c[i] += Float(noiseRMS * rng.gaussian())
        }
        return AudioBuffer(sampleRateHz: Self.rateHz, channels: [a, c])
    }

    public static func add(_ target: inout [Float], _ x: [Float], at start: Int) {
        let start = max(0, start)
        if target.count < start + x.count { target += [Float](repeating: 0, count: start + x.count - target.count) }
        for i in 0..<x.count { target[start + i] += x[i] }
    }
}
