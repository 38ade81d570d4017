import DSP
import Foundation

/// Seeded generator (SplitMix64), so every test signal is reproducible.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Standard normal deviate (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(Double.leastNonzeroMagnitude, Double.random(in: 0..<1, using: &self))
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// Test signals with known answers.
public enum Synth {
    public static func sine(frequencyHz: Double, durationSeconds: Double, sampleRateHz: Double,
                            amplitude: Double = 0.5, phase: Double = 0) -> [Float] {
        let n = Int((durationSeconds * sampleRateHz).rounded())
        return (0..<n).map { Float(amplitude * sin(2 * .pi * frequencyHz * Double($0) / sampleRateHz + phase)) }
    }

    public static func silence(durationSeconds: Double, sampleRateHz: Double) -> [Float] {
        [Float](repeating: 0, count: Int((durationSeconds * sampleRateHz).rounded()))
    }

    public static func whiteNoise(durationSeconds: Double, sampleRateHz: Double, rms: Double, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        let n = Int((durationSeconds * sampleRateHz).rounded())
        return (0..<n).map { _ in Float(rms * rng.gaussian()) }
    }

    /// Pink (1/f) noise scaled to `rms`: white noise through Paul Kellet's refined 1/f filter
    /// (seven first-order sections, within ±0.05 dB of −3 dB/octave above 9 Hz at 44.1 kHz; here
    /// used for its tilt across the telephone band, the line noise of the fixture calls).
    public static func pinkNoise(durationSeconds: Double, sampleRateHz: Double, rms: Double, seed: UInt64) -> [Float] {
        let white = whiteNoise(durationSeconds: durationSeconds, sampleRateHz: sampleRateHz, rms: 1, seed: seed)
        var b0 = 0.0, b1 = 0.0, b2 = 0.0, b3 = 0.0, b4 = 0.0, b5 = 0.0, b6 = 0.0
        var y = [Double](repeating: 0, count: white.count)
        for (i, w) in white.enumerated() {
            let x = Double(w)
            b0 = 0.99886 * b0 + x * 0.0555179; b1 = 0.99332 * b1 + x * 0.0750759
            b2 = 0.96900 * b2 + x * 0.1538520; b3 = 0.86650 * b3 + x * 0.3104856
            b4 = 0.55000 * b4 + x * 0.5329522; b5 = -0.7616 * b5 - x * 0.0168980
            y[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + x * 0.5362
            b6 = x * 0.115926
        }
        let r = (y.reduce(0) { $0 + $1 * $1 } / Double(max(1, y.count))).squareRoot()
        return y.map { Float($0 / max(r, 1e-12) * rms) }
    }

    public static func rms(_ x: [Float]) -> Double {
        guard !x.isEmpty else { return 0 }
        return (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    /// Adds `b` into `a` starting at sample `offset` (a grows if needed).
    public static func mix(_ a: inout [Float], _ b: [Float], at offset: Int, gain: Float = 1) {
        if a.count < offset + b.count { a += [Float](repeating: 0, count: offset + b.count - a.count) }
        for i in 0..<b.count { a[offset + i] += gain * b[i] }
    }

    /// Music on hold: three-note chords with harmonics (up to 3.8 kHz), a new chord every
    /// 0.3–0.5 s, no pauses, at `amplitude` per harmonic series.
    public static func musicOnHold(durationSeconds: Double, sampleRateHz rate: Double, amplitude: Double = 0.05,
                                   seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        var x = [Float](repeating: 0, count: Int(durationSeconds * rate))
        var start = 0
        while start < x.count {
            let n = min(x.count - start, Int(Double.random(in: 0.3...0.5, using: &rng) * rate))
            let root = 220 * pow(2, Double(Int.random(in: 0..<12, using: &rng)) / 12)
            let notes = [root, root * pow(2, 4 / 12), root * pow(2, 7 / 12)]
            for i in 0..<n {
                let t = Double(i) / rate
                var v = 0.0
                for f in notes { for h in 1...4 where Double(h) * f < 3_800 { v += sin(2 * .pi * Double(h) * f * t) / Double(h * h) } }
                x[start + i] = Float(amplitude * v)
            }
            start += n
        }
        return x
    }

    public static func scaled(_ x: [Float], dB: Double) -> [Float] {
        let g = Float(pow(10, dB / 20))
        return x.map { $0 * g }
    }
}
