import Foundation

/// dB helpers. Power ratios use 10·log10, amplitude ratios 20·log10.
public enum Decibels {
    /// Floor used instead of −∞ for zero power: −200 dB.
    public static let floorDB = -200.0

    @inline(__always) public static func fromPower(_ power: Double) -> Double {
        power > 1e-20 ? 10 * log10(power) : floorDB
    }
    @inline(__always) public static func fromPower(_ power: Float) -> Float {
        power > 1e-20 ? 10 * log10f(power) : Float(floorDB)
    }
    @inline(__always) public static func fromAmplitude(_ amplitude: Double) -> Double {
        amplitude > 1e-10 ? 20 * log10(amplitude) : floorDB
    }
    @inline(__always) public static func toPower(_ dB: Double) -> Double { pow(10, dB / 10) }
    @inline(__always) public static func toAmplitude(_ dB: Double) -> Double { pow(10, dB / 20) }
}
