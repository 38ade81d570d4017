/// Small vectorised kernels for per-frame loops. Each has a plain scalar twin in DSPTests.
public enum VectorMath {
    /// Largest value of `count` floats (count ≥ 1), by a SIMD8 compare-and-replace (a scalar
    /// `max` loop does not vectorise: it is a dependent chain of compares).
    @inlinable @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        precondition(count >= 1)
        var i = 0
        var best = x[0]
        if count >= 8 {
            let raw = UnsafeRawPointer(x)
            var acc = raw.loadUnaligned(as: SIMD8<Float>.self)
            i = 8
            while i + 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                acc.replace(with: v, where: v .> acc)   // pointwiseMax is not inlined on Linux

                i += 8
            }
            best = acc[0]                              // SIMD8.max() is not inlined on Linux
            for lane in 1..<8 { best = Swift.max(best, acc[lane]) }
        }
        while i < count { best = max(best, x[i]); i += 1 }
        return best
    }

    /// Index of the first element equal to the maximum (`count` ≥ 1): the maximum, then the
    /// first 8-lane block holding it, then the lane.
    @inlinable @inline(__always)
    public static func indexOfMaximum(_ x: UnsafePointer<Float>, count: Int) -> Int {
        let m = maximum(x, count: count)
        var i = 0
        let raw = UnsafeRawPointer(x), target = SIMD8<Float>(repeating: m)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            if any(v .== target) { break }
            i += 8
        }
        while i < count - 1 && x[i] != m { i += 1 }
        return i
    }
}
