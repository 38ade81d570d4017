/// Fixed precision per unit, so output is deterministic and fine enough for the tests:
/// seconds 0.001, dB/LU 0.001, Hz 0.01, ratios 0.0001.
public enum Rounding {
    /// Rounds to `scale` steps per unit (1000 → 0.001); dividing last keeps the shortest decimal form.
    @inline(__always) public static func round(_ x: Double, scale: Double) -> Double { (x * scale).rounded() / scale }
    public static func seconds(_ x: Double) -> Double { round(x, scale: 1000) }
    public static func dB(_ x: Double) -> Double { round(x, scale: 1000) }
    public static func hz(_ x: Double) -> Double { round(x, scale: 100) }
    public static func ratio(_ x: Double) -> Double { round(x, scale: 10000) }
}

