import Foundation

/// Dense turns built from fixture utterances whose truth is known: each utterance is cut to its
/// speech (first true start to last true end, with at most `marginSeconds` of its own
/// background either side) and the cuts are joined one after another, so the gaps between
/// utterances are under 0.3 s and the result speaks almost without pause, as an agent reading a
/// script does. The truth is the utterances' own segments, shifted.
public enum DenseSpeech {
    public struct Utterance: Sendable {
        public var samples: [Float]
        public var truth: [(Double, Double)]
        public init(samples: [Float], truth: [(Double, Double)]) { self.samples = samples; self.truth = truth }
    }

    /// The utterance with every pause between its true segments shortened to at most
    /// `maximumGapSeconds` (the gap's first and last halves kept, so each segment keeps its own
    /// onset and decay): what the same voice sounds like reading without pausing.
    public static func compacted(_ u: Utterance, sampleRateHz: Double, maximumGapSeconds: Double) -> Utterance {
        guard let first = u.truth.first else { return u }
        let keepHalf = Int((maximumGapSeconds / 2 * sampleRateHz).rounded())
        var out: [Float] = [], truth: [(Double, Double)] = []
        var cursor = 0  // next input sample to copy
        var previousEnd = Int(first.0 * sampleRateHz)
        out.append(contentsOf: u.samples[0..<min(u.samples.count, previousEnd)]); cursor = previousEnd
        for (a, b) in u.truth {
            let start = min(u.samples.count, Int((a * sampleRateHz).rounded())), end = min(u.samples.count, Int((b * sampleRateHz).rounded()))
            if start - previousEnd > 2 * keepHalf {
                out.append(contentsOf: u.samples[cursor..<(previousEnd + keepHalf)])
                cursor = start - keepHalf
            }
            out.append(contentsOf: u.samples[cursor..<start])
            let s = Double(out.count) / sampleRateHz
            out.append(contentsOf: u.samples[start..<end])
            truth.append((s, Double(out.count) / sampleRateHz))
            cursor = end; previousEnd = end
        }
        out.append(contentsOf: u.samples[cursor...])
        return Utterance(samples: out, truth: truth)
    }

    /// Joins `utterances` (one sample rate) with at most `marginSeconds` of each one's own
    /// background either side of its speech (so each gap ≤ 2 × margin).
    public static func join(_ utterances: [Utterance], sampleRateHz: Double,
                            marginSeconds: Double = 0.1) -> (samples: [Float], truth: [(Double, Double)]) {
        var out: [Float] = [], truth: [(Double, Double)] = []
        for u in utterances {
            guard let first = u.truth.first?.0, let last = u.truth.last?.1 else { continue }
            let lo = max(0, Int(((first - marginSeconds) * sampleRateHz).rounded(.down)))
            let hi = min(u.samples.count, Int(((last + marginSeconds) * sampleRateHz).rounded(.up)))
            guard hi > lo else { continue }
            let offset = Double(out.count) / sampleRateHz - Double(lo) / sampleRateHz
            out.append(contentsOf: u.samples[lo..<hi])
            truth += u.truth.map { ($0.0 + offset, $0.1 + offset) }
        }
        return (out, truth)
    }
}
