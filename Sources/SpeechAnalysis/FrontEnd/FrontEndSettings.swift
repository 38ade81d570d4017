import DSP

/// How every channel is framed. One framing serves every feature (level, activity, pitch,
/// rate), so each frame is windowed and transformed once.
public struct FrontEndSettings: Sendable, Codable, Equatable {
    /// Frame hop in seconds (0.005…0.02; default 0.01: the 10 ms step of Praat and the fixtures).
    public var hopSeconds: Double
    /// Hann window length in seconds (0.02…0.08; default 0.04 = 3 periods of 75 Hz, Praat's
    /// autocorrelation window for its default pitch floor).
    public var windowSeconds: Double
    /// Lowest F0 the autocorrelation must reach, in Hz (30…200; default 50). The FFT is long
    /// enough that lags up to 1/lowestF0Hz do not wrap around.
    public var lowestF0Hz: Double

    public static let standard = try! FrontEndSettings()

    public init(hopSeconds: Double = 0.01, windowSeconds: Double = 0.04, lowestF0Hz: Double = 50) throws {
        try SettingsError.check("hopSeconds", hopSeconds, in: 0.005...0.02)
        try SettingsError.check("windowSeconds", windowSeconds, in: 0.02...0.08)
        try SettingsError.check("lowestF0Hz", lowestF0Hz, in: 30...200)
        self.hopSeconds = hopSeconds
        self.windowSeconds = windowSeconds
        self.lowestF0Hz = lowestF0Hz
    }

    public func timeBase(sampleRateHz: Double) -> TimeBase {
        TimeBase(sampleRateHz: sampleRateHz,
                 hopSamples: max(1, Int((hopSeconds * sampleRateHz).rounded())),
                 windowSamples: max(4, Int((windowSeconds * sampleRateHz).rounded())))
    }

    public func fftSize(sampleRateHz: Double) -> Int {
        let tb = timeBase(sampleRateHz: sampleRateHz)
        let maxLag = Int((sampleRateHz / lowestF0Hz).rounded(.up))
        return RealFFT.fastSize(atLeast: tb.windowSamples + maxLag + 1)
    }
}

/// The analysis bands shared by speech activity and spectral features: 16 bands equally spaced
/// on the mel scale from 250 to 3800 Hz, the telephone band with margins, identical at every
/// sample rate ≥ 8 kHz so wideband and narrowband recordings are judged alike.
public enum AnalysisBands {
    public static let count = 16
    public static let lowHz = 250.0, highHz = 3800.0

    /// Band edges in Hz (count + 1 values). Mel = 2595·log10(1 + f/700) (O'Shaughnessy 1987).
    public static let edgesHz: [Double] = {
        func mel(_ f: Double) -> Double { 2595 * log10(1 + f / 700) }
        func hz(_ m: Double) -> Double { 700 * (pow(10, m / 2595) - 1) }
        let lo = mel(lowHz), hi = mel(highHz)
        return (0...count).map { hz(lo + (hi - lo) * Double($0) / Double(count)) }
    }()

    /// FFT bin ranges for each band at this rate and size: bin k belongs to the band whose
    /// [low, high) edges contain its centre frequency k·rate/size. Empty bands get the nearest bin.
    public static func binRanges(sampleRateHz: Double, fftSize: Int) -> [Range<Int>] {
        let binHz = sampleRateHz / Double(fftSize)
        let nyquistBin = fftSize / 2
        return (0..<count).map { b in
            let lo = Int((edgesHz[b] / binHz).rounded(.up))
            var hi = Int((edgesHz[b + 1] / binHz).rounded(.up))
            hi = min(hi, nyquistBin)
            let start = min(lo, nyquistBin)
            return start < hi ? start..<hi : start..<min(start + 1, nyquistBin + 1)
        }
    }
}

import Foundation
