import DSP
import Foundation

/// Converts wideband test audio into what a telephone call delivers: 8 kHz, 300–3400 Hz band,
/// G.711 µ-law. Each step is also usable on its own.
public enum Telephone {
    /// Full chain: resample to 8 kHz, zero-phase 300–3400 Hz band-pass, µ-law encode + decode.
    public static func narrowband(_ x: [Float], sampleRateHz: Double) -> [Float] {
        let at8k = sampleRateHz == 8000 ? x : resample(x, fromHz: sampleRateHz, toHz: 8000)
        return muLawRoundTrip(bandPass(at8k, sampleRateHz: 8000))
    }

    // MARK: Resampling

    /// Polyphase windowed-sinc resampler for integer rates (ratio L/M after dividing by the gcd).
    /// Low-pass at 0.92 × the lower Nyquist frequency, Kaiser window (β = 8, ≈ −80 dB side lobes;
    /// Kaiser 1974, "Nonrecursive digital filter design using the I0-sinh window function"),
    /// 24 zero crossings each side. Output sample n sits at input time n·M/L.
    public static func resample(_ x: [Float], fromHz: Double, toHz: Double) -> [Float] {
        let fin = Int(fromHz.rounded()), fout = Int(toHz.rounded())
        precondition(Double(fin) == fromHz && Double(fout) == toHz && fin > 0 && fout > 0, "integer rates only")
        if fin == fout { return x }
        let g = gcd(fin, fout), up = fout / g, down = fin / g
        let cutoff = 0.92 * 0.5 * Double(min(fin, fout)) / Double(fin)  // cycles per input sample
        let zeroCrossings = 24.0, beta = 8.0
        let half = Int((zeroCrossings / (2 * cutoff)).rounded(.up))
        let taps = 2 * half
        // table[p][j] = h(j − half + 1 − p/up), the kernel for fractional position p/up.
        var table = [Double](repeating: 0, count: up * taps)
        let i0Beta = besselI0(beta)
        for p in 0..<up {
            let fraction = Double(p) / Double(up)
            for j in 0..<taps {
                let t = Double(j - half + 1) - fraction
                let u = t / Double(half)
                guard abs(u) < 1 else { continue }
                let sinc = t == 0 ? 1 : sin(2 * .pi * cutoff * t) / (2 * .pi * cutoff * t)
                table[p * taps + j] = 2 * cutoff * sinc * besselI0(beta * (1 - u * u).squareRoot()) / i0Beta
            }
        }
        let outCount = Int((Double(x.count) * Double(up) / Double(down)).rounded(.down))
        var y = [Float](repeating: 0, count: outCount)
        x.withUnsafeBufferPointer { xs in
            table.withUnsafeBufferPointer { h in
                y.withUnsafeMutableBufferPointer { ys in
                    for n in 0..<outCount {
                        let position = n * down
                        let i = position / up, p = position % up
                        var s = 0.0
                        let base = p * taps
                        for j in 0..<taps {
                            let k = i + j - half + 1
                            if k >= 0 && k < xs.count { s += Double(xs[k]) * h[base + j] }
                        }
                        ys[n] = Float(s)
                    }
                }
            }
        }
        return y
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// Modified Bessel function of the first kind, order 0 (power series).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        while term > 1e-12 * sum {
            term *= (x / (2 * k)) * (x / (2 * k))
            sum += term
            k += 1
        }
        return sum
    }

    // MARK: Band-pass

    /// 300–3400 Hz band-pass: a 4th-order Butterworth high-pass at `lowHz` cascaded with a
    /// 4th-order Butterworth low-pass at `highHz` (each two bilinear biquads, Q = 1/(2cos(π/8)) and
    /// 1/(2cos(3π/8)); R. Bristow-Johnson, "Audio EQ Cookbook"), run forward and then backward over
    /// the signal so the result has zero phase and the squared magnitude response.
    public static func bandPass(_ x: [Float], sampleRateHz: Double, lowHz: Double = 300, highHz: Double = 3400) -> [Float] {
        let qs = [1 / (2 * cos(Double.pi / 8)), 1 / (2 * cos(3 * Double.pi / 8))]
        var sections: [Biquad] = []
        for q in qs { sections.append(cookbook(highPass: true, frequencyHz: lowHz, q: q, sampleRateHz: sampleRateHz)) }
        for q in qs { sections.append(cookbook(highPass: false, frequencyHz: highHz, q: q, sampleRateHz: sampleRateHz)) }
        var y = x.map(Double.init)
        for pass in 0..<2 {
            for s in sections.indices {
                var f = sections[s]
                f.reset()
                for i in 0..<y.count { y[i] = f.process(y[i]) }
            }
            y.reverse()
            _ = pass
        }
        return y.map { Float($0) }
    }

    static func cookbook(highPass: Bool, frequencyHz: Double, q: Double, sampleRateHz: Double) -> Biquad {
        let w0 = 2 * Double.pi * frequencyHz / sampleRateHz
        let alpha = sin(w0) / (2 * q), c = cos(w0), a0 = 1 + alpha
        let b1 = highPass ? -(1 + c) : (1 - c)
        let b0 = highPass ? (1 + c) / 2 : (1 - c) / 2
        return Biquad(b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    // MARK: G.711 µ-law

    /// Encodes each sample to a G.711 µ-law byte and decodes it back (ITU-T G.711 (1988), Table 2a;
    /// segment encoding of the 14-bit magnitude with bias 33, full scale = ±32768 at 16 bits).
    public static func muLawRoundTrip(_ x: [Float]) -> [Float] {
        x.map { muLawDecode(muLawEncode($0)) }
    }

    public static func muLawEncode(_ sample: Float) -> UInt8 {
        let bias = 0x84, clip = 32635
        var s = Int((Double(sample) * 32768).rounded())
        let sign = s < 0 ? 0x80 : 0
        if s < 0 { s = -s }
        s = min(s, clip) + bias
        let highestBit = Int.bitWidth - 1 - s.leadingZeroBitCount
        let exponent = max(0, min(7, highestBit - 7))
        let mantissa = (s >> (exponent + 3)) & 0x0F
        return ~UInt8(sign | (exponent << 4) | mantissa)
    }

    public static func muLawDecode(_ byte: UInt8) -> Float {
        let u = Int(~byte)
        let exponent = (u >> 4) & 0x07, mantissa = u & 0x0F
        let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
        return Float((u & 0x80) != 0 ? -magnitude : magnitude) / 32768
    }
}
