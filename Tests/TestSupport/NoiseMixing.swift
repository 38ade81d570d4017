import DSP
import Foundation

/// Noise added to test recordings at a set SNR.
public enum NoiseMixing {
    /// Mean power of `x` over the given segments (seconds), as in the fixtures' SNR definition
    /// (noise power relative to the mean power over the true speech segments).
    public static func meanPower(_ x: [Float], sampleRateHz: Double, over segments: [(Double, Double)]) -> Double {
        var sum = 0.0, count = 0
        for (a, b) in segments {
            let lo = max(0, Int(a * sampleRateHz)), hi = min(x.count, Int(b * sampleRateHz))
            guard hi > lo else { continue }
            for i in lo..<hi { sum += Double(x[i]) * Double(x[i]) }
            count += hi - lo
        }
        return count > 0 ? sum / Double(count) : 0
    }

    /// `noise` scaled so its power is `snrDB` below `speechPower`, added to `x` (noise is looped).
    public static func add(_ noise: [Float], to x: [Float], speechPower: Double, snrDB: Double) -> [Float] {
        let noisePower = Synth.rms(noise) * Synth.rms(noise)
        guard noisePower > 0, !noise.isEmpty else { return x }
        let gain = Float((speechPower / Decibels.toPower(snrDB) / noisePower).squareRoot())
        var y = x
        for i in 0..<y.count { y[i] += gain * noise[i % noise.count] }
        return y
    }

    /// Babble: the sum of `talkerCount` utterances, each normalised to unit RMS, looped and
    /// started at a random offset, so several voices overlap at every instant.
    public static func babble(from utterances: [[Float]], talkerCount: Int, length: Int, seed: UInt64) -> [Float] {
        precondition(!utterances.isEmpty && length > 0)
        var rng = SeededRandom(seed: seed)
        var out = [Float](repeating: 0, count: length)
        for k in 0..<talkerCount {
            let u = utterances[k % utterances.count]
            let g = Float(1 / max(1e-9, Synth.rms(u)))
            var j = Int.random(in: 0..<u.count, using: &rng)
            for i in 0..<length {
                out[i] += g * u[j]
                j += 1; if j == u.count { j = 0 }
            }
        }
        return out
    }
}
