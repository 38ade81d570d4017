/// A second-order IIR section in direct form I with Double state, b/a normalised so a0 = 1.
/// Used for K-weighting (ITU-R BS.1770) and band-limiting; Double keeps 8 kHz low-frequency
/// poles accurate.
public struct Biquad: Sendable, Equatable {
    public var b0, b1, b2, a1, a2: Double
    private var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        self.b0 = b0; self.b1 = b1; self.b2 = b2; self.a1 = a1; self.a2 = a2
    }

    @inline(__always) public mutating func process(_ x: Double) -> Double {
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1; x1 = x; y2 = y1; y1 = y
        return y
    }

    public mutating func reset() { x1 = 0; x2 = 0; y1 = 0; y2 = 0 }
}
