import DSP
import Foundation

/// F0 of one channel, one value per front-end frame (frame `i` centred at
/// `timeBase.seconds(ofFrame: i)`). Memory: 2 bytes per frame (half-precision floats: F0 to
/// within 0.01 semitone).
public struct PitchTrack: Sendable, Equatable {
    public var timeBase: TimeBase
    /// F0 in Hz; 0 for unvoiced frames.
    public var f0Hz: [Float16]

    public init(timeBase: TimeBase, f0Hz: [Float16]) {
        self.timeBase = timeBase
        self.f0Hz = f0Hz
    }

    public init(timeBase: TimeBase, f0Hz: [Float]) {
        self.init(timeBase: timeBase, f0Hz: f0Hz.map { HalfPrecision.half($0) })
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
