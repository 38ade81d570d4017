import Foundation

public enum Window {
    /// Symmetric-period Hann window of length `n`: w[i] = 0.5 − 0.5·cos(2π(i+0.5)/n)
    /// (sampled at sample centres, so it has no zero end points and sums to n/2).
    public static func hann(_ n: Int) -> [Float] {
        (0..<n).map { i in Float(0.5 - 0.5 * cos(2 * Double.pi * (Double(i) + 0.5) / Double(n))) }
    }
}
