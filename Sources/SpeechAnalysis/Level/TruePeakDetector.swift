import Foundation

/// True-peak level of one channel per ITU-R BS.1770-4, Annex 2: the largest magnitude of the
/// signal 4× oversampled by a polyphase FIR interpolator. Also tracks the sample peak.
///
/// Interpolator (designed here, not copied): the values at n + k/4 (k = 1, 2, 3) are
/// Σ_j x[n + j]·h_k[j], j = −5…6, with h_k[j] = sinc(k/4 − j)·w((k/4 − j)/6), a Kaiser window
/// (β = 6) on ±6 input samples (48 taps at the 4× rate, the length of the Annex 2 example filter),
/// each phase normalised to unit DC gain. Phase 0 is the sample itself.
///
/// Only oversamples where it can change the answer: a group of 16 positions is interpolated only
/// if G·max|x| over the group and its neighbours (which contain its support) exceeds the running
/// true peak, where G = max_k Σ_j |h_k[j]| bounds every interpolated value, so skipping never
/// changes the result.
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
                (b.baseAddress! + filled).update(from: samples.baseAddress! + offset, count: n)
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
        var positions = filled - Self.before
        if positions > Self.chunk {
            // The last samples reach into the look-ahead of a full chunk (stream length ≡ 1…5
            // mod 1024): end that chunk first, with zeros after the end, as `consume` would.
            let end = filled
            buffer.withUnsafeMutableBufferPointer { b in
                for i in end..<b.count { b[i] = 0 }
            }
            process(positions: Self.chunk)
            let keep = Self.before + Self.after
            buffer.withUnsafeMutableBufferPointer { b in
                b.baseAddress!.update(from: b.baseAddress! + (b.count - keep), count: keep)
            }
            filled = end - Self.chunk
            positions = filled - Self.before
        }
        if positions > 0 {
            buffer.withUnsafeMutableBufferPointer { b in
                for i in filled..<b.count { b[i] = 0 }
            }
            // Whole groups: the padded positions lie after the end, where the signal is zero.
            process(positions: (positions + Self.group - 1) / Self.group * Self.group)
        }
        filled = Self.before
        return (samplePeak, max(truePeak, samplePeak))
    }

    /// Positions buffer[before ..< before + positions] (a multiple of `group`) are samples n;
    /// interpolates after each. Vectorised across the 16 positions of a group; a group is
    /// interpolated when it or a neighbour (16 ≥ 6 samples, so they contain its support
    /// x[n−5] … x[n+6]) holds a sample above (running true peak) / G.
    private func process(positions: Int) {
        typealias V = SIMD16<Float>
        precondition(positions <= Self.chunk && positions % Self.group == 0, "true-peak pass outside its buffer")
        let groups = positions / Self.group
        let stride = MemoryLayout<Float>.stride
        buffer.withUnsafeBufferPointer { b in
            taps.withUnsafeBufferPointer { h in
                let raw = UnsafeRawPointer(b.baseAddress!)
                @inline(__always) func load(_ index: Int) -> V { raw.loadUnaligned(fromByteOffset: index * stride, as: V.self) }
                @inline(__always) func exceeds(_ v: V, _ t: Float) -> Bool {
                    any((v .> V(repeating: t)) .| (v .< V(repeating: -t)))
                }
                var threshold = max(truePeak, samplePeak) / gain
                var left = false
                for i in 0..<Self.before where abs(b[i]) > threshold { left = true }
                var right = false
                for i in (Self.before + positions)..<(Self.before + positions + Self.after) where abs(b[i]) > threshold { right = true }
                var current = exceeds(load(Self.before), threshold)
                for g in 0..<groups {
                    let base = Self.before + g * Self.group
                    let next = g + 1 < groups ? exceeds(load(base + Self.group), threshold) : right
                    if current || left || next {
                        // Sample peak (only groups near the running peak can raise it).
                        let x = load(base)
                        if exceeds(x, samplePeak) {
                            for i in 0..<Self.group where abs(x[i]) > samplePeak { samplePeak = abs(x[i]) }
                        }
                        interpolatedGroupCount += 1
                        for k in 0..<(Self.factor - 1) {
                            var y = V(repeating: 0)
                            for j in 0..<Self.tapCount {
                                y += V(repeating: h[k * Self.tapCount + j]) * load(base - Self.before + j)
                            }
                            if exceeds(y, truePeak) {
                                for i in 0..<Self.group where abs(y[i]) > truePeak { truePeak = abs(y[i]) }
                            }
                        }
                        threshold = max(truePeak, samplePeak) / gain
                    }
                    left = current
                    current = next
                }
            }
        }
    }
}
