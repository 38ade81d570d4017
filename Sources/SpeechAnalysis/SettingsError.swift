/// A setting outside its allowed range. Thrown by settings initialisers, so analysis code can
/// trust the values it gets.
public struct SettingsError: Error, CustomStringConvertible, Equatable, Sendable {
    public var name: String
    public var value: Double
    public var allowed: ClosedRange<Double>

    public var description: String { "setting \(name) = \(value) is outside \(allowed.lowerBound)…\(allowed.upperBound)" }

    public static func check(_ name: String, _ value: Double, in range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else { throw SettingsError(name: name, value: value, allowed: range) }
    }
}
