/// Fixed precision per unit, so output is deterministic and fine enough for the tests:
/// seconds 0.001, dB/LU 0.001, Hz 0.01, ratios 0.0001.
public enum Rounding {
    /// Rounds to `scale` steps per unit (1000 → 0.001); dividing last keeps the shortest decimal form.
    @inline(__always) public static func round(_ x: Double, scale: Double) -> Double { (x * scale).rounded() / scale }
    public static func seconds(_ x: Double) -> Double { round(x, scale: 1000) }
    public static func dB(_ x: Double) -> Double { round(x, scale: 1000) }
    public static func hz(_ x: Double) -> Double { round(x, scale: 100) }
    public static func ratio(_ x: Double) -> Double { round(x, scale: 10000) }

    /// `Int(x.rounded())` (to nearest, ties away from zero) for finite x ≥ 0 below 2^62, without a
    /// call to libm's `roundf` (the baseline x86-64 target has no SSE4.1 `roundss`; issue 18, sixth
    /// round): Double(x) + 0.5 is exact when x ≥ 2^−29 (x's 24 significant bits and the 0.5 span at
    /// most 53), so its truncation is the rounded value, ties included; for smaller x it lies in
    /// [0.5, 1) and truncates to 0, as x.rounded() is. Branch-free (an earlier version compared the
    /// fraction with 0.5 and lost to the call on mispredicted branches). A negative x gives a value
    /// ≤ 0 (not the rounded one): callers clamp at 0 first or after.
    @inline(__always) public static func nearestInt(nonNegative x: Float) -> Int { Int(Double(x) + 0.5) }
}

