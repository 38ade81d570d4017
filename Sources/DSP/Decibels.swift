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
    /// 10·log10(power) to within 0.004 dB without a libm call: log2 from the float's exponent
    /// and a least-squares cubic for the mantissa in [1, 2) (max error 0.0013 in log2), times
    /// 10·log10(2). For per-frame features stored at coarser precision. −200 dB for power ≤ 1e−20.
    @inlinable @inline(__always) public static func fastFromPower(_ power: Float) -> Float {
        guard power > 1e-20 else { return Float(floorDB) }
        let bits = power.bitPattern
        let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xFF) - 127)
        let m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
        let log2m = ((0.15391477 * m - 1.02950006) * m + 3.01074372) * m - 2.13382433
        return 3.0103 * (exponent + log2m)
    }
    @inline(__always) public static func fromAmplitude(_ amplitude: Double) -> Double {
        amplitude > 1e-10 ? 20 * log10(amplitude) : floorDB
    }
    @inline(__always) public static func toPower(_ dB: Double) -> Double { pow(10, dB / 10) }
    @inline(__always) public static func toAmplitude(_ dB: Double) -> Double { pow(10, dB / 20) }
}
