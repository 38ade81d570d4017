import Foundation

/// True-peak level of one channel per ITU-R BS.1770-4, Annex 2: the largest magnitude of the
/// signal 4× oversampled by a polyphase FIR interpolator. Also tracks the sample peak.
///
/// Interpolator (designed here, not copied): the values at n + k/4 (k = 1, 2, 3) are
/// Σ_j x[n + j]·h_k[j], j = −5…6, with h_k[j] = sinc(k/4 − j)·w((k/4 − j)/6), a Kaiser window
/// (β = 6) on ±6 input samples (48 taps at the 4× rate, the length of the Annex 2 example filter),
/// each phase normalised to unit DC gain. Phase 0 is the sample itself.
///
/// Only oversamples where it can change the answer: a stretch of 16 positions is interpolated only
/// if G·max|x| over its 27-sample support exceeds the running true peak, where G = max_k Σ_j |h_k[j]|
/// bounds every interpolated value, so skipping never changes the result.
/// Deviation from Annex 2: no −12.04 dB input attenuation (samples are Float, so nothing overflows).
final class TruePeakDetector {
    static let factor = 4
    static let before = 5, after = 6                 // support of each phase: x[n−5] … x[n+6]
    static let tapCount = before + after + 1         // 12 taps per phase
    static let group = 16                            // positions gated together
    static let chunk = 1024                          // positions buffered per pass (multiple of group)

    /// h_k[j] for k = 1, 2, 3, stored k-major, 12 taps each.
    let taps: [Float]
    /// Bound on |interpolated| / max|input| over the support.
    let gain: Float
    private var buffer: [Float]
    private var filled: Int
    private(set) var samplePeak: Float = 0
    private(set) var truePeak: Float = 0
    /// Groups interpolated (for profiling the gate).
    private(set) var interpolatedGroupCount = 0

    init() {
        let beta = 6.0, halfWidth = 6.0
        func besselI0(_ x: Double) -> Double {     // power series, converges fast for x ≤ 20
            var sum = 1.0, term = 1.0, k = 1.0
            while term > 1e-12 * sum { term *= (x / (2 * k)) * (x / (2 * k)); sum += term; k += 1 }
            return sum
        }
        var h: [Float] = []
        var bound: Float = 1
        for k in 1..<Self.factor {
            var phase: [Double] = []
            for j in -Self.before...Self.after {
                let u = Double(k) / Double(Self.factor) - Double(j)          // distance to the tap in input samples
                let sinc = sin(Double.pi * u) / (Double.pi * u)
                let r = u / halfWidth
                let window = abs(r) < 1 ? besselI0(beta * (1 - r * r).squareRoot()) / besselI0(beta) : 0
                phase.append(sinc * window)
            }
            let dc = phase.reduce(0, +)
            let normalised = phase.map { Float($0 / dc) }
            h += normalised
            bound = max(bound, normalised.reduce(0) { $0 + abs($1) })
        }
        taps = h
        gain = bound * 1.0001                        // margin for Float rounding
        buffer = [Float](repeating: 0, count: Self.before + Self.chunk + Self.after)
        filled = Self.before                          // the signal is zero before its start
    }

    func consume(_ samples: UnsafeBufferPointer<Float>) {
        var offset = 0
        while offset < samples.count {
            let n = min(samples.count - offset, buffer.count - filled)
            buffer.withUnsafeMutableBufferPointer { b in
                for i in 0..<n { b[filled + i] = samples[offset + i] }
            }
            filled += n
            offset += n
            if filled == buffer.count {
                process(positions: Self.chunk)
                // Keep the last before + after samples as the next pass's history and look-ahead.
                let keep = Self.before + Self.after
                buffer.withUnsafeMutableBufferPointer { b in
                    b.baseAddress!.update(from: b.baseAddress! + (b.count - keep), count: keep)
                }
                filled = keep
            }
        }
    }

    /// Ends the stream (the signal is zero after its end). Returns (sample peak, true peak), linear.
    func finish() -> (samplePeak: Float, truePeak: Float) {
        let positions = filled - Self.before
        if positions > 0 {
            buffer.withUnsafeMutableBufferPointer { b in
                for i in filled..<b.count { b[i] = 0 }
            }
            process(positions: positions)
        }
        filled = Self.before
        return (samplePeak, max(truePeak, samplePeak))
    }

    /// Positions buffer[before ..< before + positions] are samples n; interpolates after each.
    private func process(positions: Int) {
        buffer.withUnsafeBufferPointer { b in
            taps.withUnsafeBufferPointer { h in
                var start = 0
                while start < positions {
                    let count = min(Self.group, positions - start)
                    let base = Self.before + start
                    var peak: Float = 0
                    for i in base..<(base + count) { peak = max(peak, abs(b[i])) }
                    if peak > samplePeak { samplePeak = peak }
                    var support = peak
                    for i in (base - Self.before)..<base { support = max(support, abs(b[i])) }
                    for i in (base + count)..<(base + count + Self.after) { support = max(support, abs(b[i])) }
                    if support * gain > max(truePeak, samplePeak) {
                        interpolatedGroupCount += 1
                        for k in 0..<(Self.factor - 1) {
                            let phase = UnsafeBufferPointer(rebasing: h[(k * Self.tapCount)..<((k + 1) * Self.tapCount)])
                            for n in base..<(base + count) {
                                var y: Float = 0
                                for j in 0..<Self.tapCount { y += phase[j] * b[n - Self.before + j] }
                                let m = abs(y)
                                if m > truePeak { truePeak = m }
                            }
                        }
                    }
                    start += count
                }
            }
        }
    }
}
