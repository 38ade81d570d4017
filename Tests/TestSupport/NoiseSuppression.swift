import DSP
import Foundation

/// What a headset's or recorder's noise suppressor makes of a recording: the steady background
/// taken out, speech left, so the floor between words drops far under the speech (−60 dBFS and
/// below). Spectral subtraction with over-subtraction and a spectral floor (Boll 1979, IEEE
/// Trans. ASSP 27(2); Berouti, Schwartz & Makhoul 1979, ICASSP): Hann frames of ~32 ms at 50 %
/// overlap (they sum to one, so a gain of one gives the input back), the noise power per bin
/// the `noisePercentile` of that bin's power over the whole recording (taken from the signal,
/// not from any truth), gain √max(1 − α·N/P, β²). The speech segments of the copy are those of
/// the original.
public enum NoiseSuppression {
    public static func suppressed(_ x: [Float], sampleRateHz: Double, overSubtraction alpha: Double = 2,
                                  floorDB: Double = -30, noisePercentile: Double = 0.1) -> [Float] {
        let size = RealFFT.fastSize(atLeast: Int(0.032 * sampleRateHz)) / 2 * 2
        let hop = size / 2
        let fft = RealFFT(size: size)
        let window = (0..<size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }  // periodic Hann
        let frameCount = max(0, (x.count - size) / hop + 1)
        let bins = fft.binCount
        // Power per frame and bin.
        var power = [Float](repeating: 0, count: frameCount * bins)
        for f in 0..<frameCount {
            for i in 0..<size { fft.input[i] = x[f * hop + i] * window[i] }
            fft.forward()
            for k in 0..<bins { power[f * bins + k] = fft.spectrum[2 * k] * fft.spectrum[2 * k] + fft.spectrum[2 * k + 1] * fft.spectrum[2 * k + 1] }
        }
        var noise = [Float](repeating: 0, count: bins)
        var column = [Float](repeating: 0, count: frameCount)
        for k in 0..<bins where frameCount > 0 {
            for f in 0..<frameCount { column[f] = power[f * bins + k] }
            column.sort()
            noise[k] = column[min(frameCount - 1, Int(noisePercentile * Double(frameCount)))]
        }
        let minimumGain = Float(pow(10, floorDB / 10))
        var y = [Float](repeating: 0, count: x.count)
        for f in 0..<frameCount {
            for i in 0..<size { fft.input[i] = x[f * hop + i] * window[i] }
            fft.forward()
            for k in 0..<bins {
                let p = power[f * bins + k]
                let g = p > 0 ? max(1 - Float(alpha) * noise[k] / p, minimumGain) : minimumGain
                let a = g.squareRoot()
                fft.spectrum[2 * k] *= a; fft.spectrum[2 * k + 1] *= a
            }
            fft.inverse()
            for i in 0..<size { y[f * hop + i] += fft.input[i] / Float(size) }
        }
        return y
    }
}
