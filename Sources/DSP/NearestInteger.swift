/// `x.rounded()` (to nearest, ties away from zero) without a call (issue 18): Swift on x86_64
/// targets the baseline instruction set, which has no SSE4.1 `roundss`, so `rounded()` calls
/// libm's `roundf` (about 0.7 % of the instructions of an analysis, from the pitch candidates'
/// F0 codes and the dB histograms). Conversion to Int32 truncates exactly, and x − trunc(x) is
/// exact for |x| < 2^23 (Sterbenz's lemma for |x| ≥ 1; x itself below 1); larger values,
/// infinities and NaN take `rounded()`. Equal to `x.rounded()` for every x, except that a zero
/// result from x in (−0.5, −0] is +0 where `rounded()` gives −0 (equal as values; callers
/// here clamp or convert to integers). Twin test in `SpeedTwinTests`.
public enum NearestInteger {
    @inlinable @inline(__always) public static func halfAwayFromZero(_ x: Float) -> Float {
        guard abs(x) < 8_388_608 else { return x.rounded() }
        let truncated = Float(Int32(x))
        let fraction = x - truncated
        if fraction >= 0.5 { return truncated + 1 }
        if fraction <= -0.5 { return truncated - 1 }
        return truncated
    }
}
