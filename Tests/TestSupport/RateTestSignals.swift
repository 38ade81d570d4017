import DSP
import Foundation

/// Input transformations for the speaking-rate tests: a telephone copy (8 kHz, 300–3400 Hz,
/// mu-law) and pitch-preserving time-scaling. Private to those tests (named distinctly from the
/// shared telephone helpers so branches merge cleanly).
public enum RateTestSignals {
    /// Resamples with a polyphase windowed-sinc low-pass (cut-off 0.45 of the lower rate,
    /// ±16 zero crossings, Hann window). Rates must have a rational ratio with integer Hz.
    public static func resample(_ x: [Float], fromHz: Int, toHz: Int) -> [Float] {
        if fromHz == toHz { return x }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let g = gcd(fromHz, toHz)
        let up = toHz / g, down = fromHz / g  // output m sits at input position m·down/up
        let cutoff = 0.45 * Double(min(fromHz, toHz)) / Double(fromHz)  // cycles per input sample
        let halfWidth = Int((16 / (2 * cutoff)).rounded(.up))
        let taps = 2 * halfWidth + 1
        // table[phase][j] = h(j − halfWidth − phase/up)
        var table = [Double](repeating: 0, count: up * taps)
        for phase in 0..<up {
            for j in 0..<taps {
                let t = Double(j - halfWidth) - Double(phase) / Double(up)
                let arg = 2 * cutoff * t
                let sinc = abs(arg) < 1e-12 ? 1 : sin(Double.pi * arg) / (Double.pi * arg)
                let w = abs(t) >= Double(halfWidth) ? 0 : 0.5 + 0.5 * cos(Double.pi * t / Double(halfWidth))
                table[phase * taps + j] = 2 * cutoff * sinc * w
            }
        }
        let outCount = x.count * up / down
        var y = [Float](repeating: 0, count: outCount)
        x.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { h in
                y.withUnsafeMutableBufferPointer { out in
                    for m in 0..<outCount {
                        let base = m * down / up, phase = (m * down) % up
                        var s = 0.0
                        let lo = max(0, halfWidth - base), hi = min(taps, input.count - base + halfWidth)
                        if lo < hi {
                            for j in lo..<hi { s += h[phase * taps + j] * Double(input[base + j - halfWidth]) }
                        }
                        out[m] = Float(s)
                    }
                }
            }
        }
        return y
    }

    /// 4th-order Butterworth high-pass at 300 Hz and low-pass at 3400 Hz (two biquads each,
    /// Q = 1/(2cos(π/8)) and 1/(2cos(3π/8)); bilinear transform as in the RBJ Audio EQ
    /// Cookbook), run forward and then backward (zero phase).
    public static func telephoneBand(_ x: [Float], sampleRateHz: Double) -> [Float] {
        let qs = [1 / (2 * cos(Double.pi / 8)), 1 / (2 * cos(3 * Double.pi / 8))]
        var sections: [Biquad] = []
        for q in qs { sections.append(biquad(highPass: true, cornerHz: 300, q: q, sampleRateHz: sampleRateHz)) }
        for q in qs { sections.append(biquad(highPass: false, cornerHz: 3400, q: q, sampleRateHz: sampleRateHz)) }
        var y = x.map(Double.init)
        for pass in 0..<2 {
            for var s in sections {
                s.reset()
                for i in 0..<y.count { y[i] = s.process(y[i]) }
            }
            if pass == 0 { y.reverse() } else { y.reverse() }
        }
        return y.map { Float($0) }
    }

    static func biquad(highPass: Bool, cornerHz: Double, q: Double, sampleRateHz: Double) -> Biquad {
        let w0 = 2 * Double.pi * cornerHz / sampleRateHz
        let c = cos(w0), alpha = sin(w0) / (2 * q), a0 = 1 + alpha
        let b0 = (highPass ? (1 + c) / 2 : (1 - c) / 2) / a0
        let b1 = (highPass ? -(1 + c) : 1 - c) / a0
        return Biquad(b0: b0, b1: b1, b2: b0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    /// Mu-law (µ = 255) companding quantised to 8 bits (sign + 7), then expanded: the
    /// continuous law that G.711's segmented mu-law approximates.
    public static func muLaw(_ x: [Float]) -> [Float] {
        let mu = 255.0, norm = log1p(mu)
        return x.map { v in
            let a = min(1, abs(Double(v)))
            let code = (log1p(mu * a) / norm * 127).rounded() / 127
            let back = (pow(1 + mu, code) - 1) / mu
            return Float(v < 0 ? -back : back)
        }
    }

    /// Telephone copy: resampled to 8 kHz, band-limited 300–3400 Hz, mu-law.
    public static func telephoneCopy(_ x: [Float], sampleRateHz: Int) -> [Float] {
        muLaw(telephoneBand(resample(x, fromHz: sampleRateHz, toHz: 8000), sampleRateHz: 8000))
    }

    /// Pitch-preserving time-scaling by WSOLA (Verhelst & Roelands 1993, ICASSP): 30 ms Hann
    /// frames overlap-added at a 15 ms synthesis hop, each taken near `speed`·(output time)
    /// in the input, shifted by up to ±10 ms to best continue the previous frame
    /// (cross-correlation). `speed` 1.25 plays 25 % faster (output 1/1.25 as long).
    public static func timeScaled(_ x: [Float], sampleRateHz: Int, speed: Double) -> [Float] {
        let n = Int(0.03 * Double(sampleRateHz)) / 2 * 2, hop = n / 2
        let tolerance = Int(0.01 * Double(sampleRateHz))
        let window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }  // periodic Hann
        let outCount = Int(Double(x.count) / speed)
        var y = [Float](repeating: 0, count: outCount + n)
        var previous = 0  // input start of the previous frame
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { out in
                var k = 0
                while k * hop + n <= out.count {
                    let ideal = Int(Double(k * hop) * speed)
                    var best = min(max(0, ideal), max(0, input.count - n))
                    if k > 0 {
                        let natural = previous + hop
                        var bestScore = -Double.infinity
                        var delta = -tolerance
                        while delta <= tolerance {
                            let start = ideal + delta
                            if start >= 0, start + n <= input.count, natural + n <= input.count {
                                var s = 0.0
                                var i = 0
                                while i < n { s += Double(input[start + i]) * Double(input[natural + i]); i += 2 }
                                if s > bestScore { bestScore = s; best = start }
                            }
                            delta += 2
                        }
                    }
                    if best + n > input.count { break }
                    for i in 0..<n { out[k * hop + i] += window[i] * input[best + i] }
                    previous = best
                    k += 1
                }
            }
        }
        return Array(y[0..<outCount])
    }
}
