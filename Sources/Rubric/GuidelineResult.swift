import SpeechAnalysis

/// The verdict on one guideline (JSON `guidelines[]`).
public struct GuidelineResult: Sendable, Codable, Equatable {
    public enum Verdict: String, Sendable, Codable, Equatable { case pass, warn, fail, notMeasurable = "not-measurable" }
    public struct Evidence: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        public var note: String
    }
    public var id: String
    public var verdict: Verdict
    /// 0–100 (100 at or beyond the pass value, 0 at or beyond the fail value); nil when not measurable.
    public var score: Double?
    /// The measured values the verdict rests on, by name with unit.
    public var measured: [String: Double]?
    /// The target in words, with the thresholds for the call's language.
    public var target: String?
    public var evidence: [Evidence]
    public var source: Rubric.Source
    /// Coaching tip in the call's language (only when the verdict is warn or fail).
    public var tip: String?
    /// Why the guideline is not measurable.
    public var reason: String?
}

/// Scores on a ramp: 1 at or beyond `pass`, 0 at or beyond `fail`, linear in between. Works
/// both ways (higher better when pass > fail).
@inline(__always) func ramp(_ x: Double, pass: Double, fail: Double) -> Double {
    if pass > fail { return min(1, max(0, (x - fail) / (pass - fail))) }
    return min(1, max(0, (fail - x) / (fail - pass)))
}
