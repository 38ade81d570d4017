import SpeechAnalysis

/// The verdict on one guideline (JSON `guidelines[]`).
public struct GuidelineResult: Sendable, Codable, Equatable {
    public enum Verdict: String, Sendable, Codable, Equatable { case pass, warn, fail, notMeasurable = "not-measurable" }
    public struct Evidence: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        /// What happened there, in English (the coaching page builds its own text from `kind` and `values`).
        public var note: String
        /// What the evidence is (`EvidenceKind`), so a renderer can say it in any language.
        public var kind: String? = nil
        /// The numbers `note` states, by name with unit (e.g. `durationSeconds`); names per kind in docs/schema.md.
        public var values: [String: Double]? = nil
        public init(start: Double, end: Double, note: String, kind: String? = nil, values: [String: Double]? = nil) {
            self.start = start
            self.end = end
            self.note = note
            self.kind = kind
            self.values = values
        }
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
    /// `reason` as a code (`ReasonKind`), so a renderer can say it in any language.
    public var reasonKind: String? = nil
    /// The rubric's thresholds resolved for the call's language (the numbers `target` states), by name.
    public var thresholds: [String: Double]? = nil
    /// The rubric's weight of this guideline in the call score.
    public var weight: Double? = nil
    /// Titles the rubric gives the guideline, per page language (absent: the renderer's own titles).
    public var titles: Rubric.Titles? = nil
    /// The rubric's tip in every language, for pages in a language other than the call's (warn and fail only).
    public var tips: Rubric.Tips? = nil
}

/// Codes of `GuidelineResult.Evidence.kind`.
public enum EvidenceKind: String, Sendable, CaseIterable {
    case agentSNR = "agent-snr", articulationRate = "articulation-rate", articulationRateMorae = "articulation-rate-morae",
         pitchSpread = "pitch-spread", greetingRise = "greeting-rise", speechLevel = "speech-level", thirdLevel = "third-level",
         filledPause = "filled-pause", calmResponse = "calm-response", longUtterance = "long-utterance",
         longestUtterance = "longest-utterance", fewPauses = "few-pauses", longPause = "long-pause", agentInterruption = "agent-interruption", customerTurn = "customer-turn",
         holdMusic = "hold-music", holdTone = "hold-tone", holdSilence = "hold-silence", deadAir = "dead-air",
         responseLatency = "response-latency", rings, firstSpeech = "first-speech", greeting, prompt, firstGap = "first-gap"
}

/// Codes of `GuidelineResult.reasonKind`.
public enum ReasonKind: String, Sendable, CaseIterable {
    case mono, noAgentNoise = "no-agent-noise", noAgentSpeech = "no-agent-speech", noVoicedSpeech = "no-voiced-speech",
         noVoicedGreeting = "no-voiced-greeting", greetingTooShort = "greeting-too-short", moraeNeedJapanese = "morae-need-ja",
         noActiveSpeech = "no-active-speech", customerNeverRaised = "customer-never-raised",
         agentDidNotRespond = "agent-did-not-respond", noLongCustomerTurn = "no-long-customer-turn",
         agentNeverSpeaks = "agent-never-speaks", notSilentCall = "not-silent-call", rubricItem = "rubric-item"
}

/// Scores on a ramp: 1 at or beyond `pass`, 0 at or beyond `fail`, linear in between. Works
/// both ways (higher better when pass > fail).
@inline(__always) func ramp(_ x: Double, pass: Double, fail: Double) -> Double {
    if pass > fail { return min(1, max(0, (x - fail) / (pass - fail))) }
    return min(1, max(0, (fail - x) / (fail - pass)))
}
