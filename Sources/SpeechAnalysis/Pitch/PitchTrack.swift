import DSP
import Foundation

/// F0 of one channel, one value per front-end frame (frame `i` centred at
/// `timeBase.seconds(ofFrame: i)`). Memory: 4 bytes per frame (half-precision floats: F0 to
/// within 0.01 semitone, strength to 0.0005).
public struct PitchTrack: Sendable, Equatable {
    public var timeBase: TimeBase
    /// F0 in Hz; 0 for unvoiced frames.
    public var f0Hz: [Float16]
    /// Normalised autocorrelation at the chosen period (voiced frames) or the strongest candidate
    /// (unvoiced frames), 0…1; 0 when the frame had no candidate. A harmonicity measure:
    /// HNR = 10·log10(r / (1 − r)) dB (Boersma 1993).
    public var voicingStrength: [Float16]

    public init(timeBase: TimeBase, f0Hz: [Float16], voicingStrength: [Float16]) {
        precondition(f0Hz.count == voicingStrength.count)
        self.timeBase = timeBase
        self.f0Hz = f0Hz
        self.voicingStrength = voicingStrength
    }

    public init(timeBase: TimeBase, f0Hz: [Float], voicingStrength: [Float]) {
        self.init(timeBase: timeBase, f0Hz: f0Hz.map { Float16($0) }, voicingStrength: voicingStrength.map { Float16($0) })
    }

    public var frameCount: Int { f0Hz.count }
    public var voicedFrameCount: Int { f0Hz.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }
    /// Voiced frames over all frames (0…1).
    public var voicedRatio: Double { frameCount == 0 ? 0 : Double(voicedFrameCount) / Double(frameCount) }
    public var voicedF0Hz: [Float] { f0Hz.compactMap { $0 > 0 ? Float($0) : nil } }
    /// Centre of frame `index`, seconds.
    public func seconds(ofFrame index: Int) -> Double { timeBase.seconds(ofFrame: index) }

    /// F0 at `seconds` (nearest frame), 0 if unvoiced or outside the track.
    public func f0Hz(atSeconds seconds: Double) -> Float {
        let i = timeBase.frame(nearest: seconds)
        return f0Hz.indices.contains(i) ? Float(f0Hz[i]) : 0
    }
}
