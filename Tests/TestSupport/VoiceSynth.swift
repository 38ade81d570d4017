import DSP
import Foundation

/// Synthetic voiced speech with a known F0: a band-limited glottal pulse train whose pulse times
/// follow an F0 contour (with optional jitter), a glottal spectral tilt, and a cascade of formant
/// resonators (source–filter model; Fant 1960, "Acoustic Theory of Speech Production").
public enum VoiceSynth {
    public struct Formant: Sendable {
        public var frequencyHz: Double
        public var bandwidthHz: Double
        public init(_ frequencyHz: Double, _ bandwidthHz: Double) {
            self.frequencyHz = frequencyHz
            self.bandwidthHz = bandwidthHz
        }
    }

    /// Vowel formants (Peterson & Barney 1952, adult male averages; bandwidths typical values).
    public static let vowelA = [Formant(730, 90), Formant(1090, 110), Formant(2440, 170), Formant(3400, 250)]
    public static let vowelI = [Formant(270, 60), Formant(2290, 100), Formant(3010, 170), Formant(3600, 250)]
    public static let vowelU = [Formant(300, 70), Formant(870, 90), Formant(2240, 170), Formant(3400, 250)]
    /// Female voices: the male formants scaled up by 17 % (Peterson & Barney's average ratio).
    public static func female(_ formants: [Formant]) -> [Formant] {
        formants.map { Formant($0.frequencyHz * 1.17, $0.bandwidthHz * 1.1) }
    }

    /// One voiced stretch of `durationSeconds`. `f0Hz(t)` gives the F0 at `t` seconds from the
    /// stretch's start; each period is perturbed by `jitterRatio` (SD of the relative period
    /// change, Gaussian). Returns samples at `rms` (before any noise).
    public static func voiced(durationSeconds: Double, sampleRateHz: Double, f0Hz: (Double) -> Double,
                              jitterRatio: Double = 0, formants: [Formant], rms: Double = 0.1,
                              seed: UInt64 = 1) -> [Float] {
        var rng = SeededRandom(seed: seed)
        let n = Int((durationSeconds * sampleRateHz).rounded())
        var source = [Double](repeating: 0, count: n)
        // Band-limited pulses at exact (fractional) times: Hann-windowed sinc, cutoff 0.45·rate.
        let half = 16, cutoff = 0.45
        var t = 0.5 / f0Hz(0)
        while t < durationSeconds {
            let position = t * sampleRateHz
            let centre = Int(position.rounded(.down))
            for k in (centre - half + 1)...(centre + half) where k >= 0 && k < n {
                let d = Double(k) - position
                let sinc = d == 0 ? 1 : sin(2 * .pi * cutoff * d) / (2 * .pi * cutoff * d)
                let w = 0.5 + 0.5 * cos(.pi * d / Double(half))
                source[k] += 2 * cutoff * sinc * w
            }
            let period = 1 / f0Hz(t)
            t += period * (1 + jitterRatio * rng.gaussian())
        }
        // Glottal tilt (one-pole low-pass, about −6 dB/octave above ~150 Hz at 16 kHz).
        var previous = 0.0
        for i in 0..<n { previous = source[i] + 0.94 * previous; source[i] = previous }
        // Formant resonators, unity gain at DC: H(z) = (1 − 2r·cosθ + r²) / (1 − 2r·cosθ·z⁻¹ + r²·z⁻²).
        for f in formants where f.frequencyHz < 0.5 * sampleRateHz {
            let r = exp(-Double.pi * f.bandwidthHz / sampleRateHz), theta = 2 * Double.pi * f.frequencyHz / sampleRateHz
            var section = Biquad(b0: 1 - 2 * r * cos(theta) + r * r, b1: 0, b2: 0, a1: -2 * r * cos(theta), a2: r * r)
            for i in 0..<n { source[i] = section.process(source[i]) }
        }
        // Remove DC drift of the tilt filter, then scale.
        let mean = source.reduce(0, +) / Double(max(n, 1))
        var energy = 0.0
        for i in 0..<n { source[i] -= mean; energy += source[i] * source[i] }
        let gain = energy > 0 ? rms / (energy / Double(n)).squareRoot() : 0
        // Short raised-cosine onset and offset (10 ms), as in real syllables.
        let ramp = min(n / 2, Int(0.01 * sampleRateHz))
        var y = source.map { Float($0 * gain) }
        for i in 0..<ramp {
            let w = Float(0.5 - 0.5 * cos(Double.pi * Double(i) / Double(ramp)))
            y[i] *= w
            y[n - 1 - i] *= w
        }
        return y
    }
}
