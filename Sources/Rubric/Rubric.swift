import Foundation
import SpeechAnalysis

/// Guideline ids, spelled as in GUIDELINES.md.
public enum GuidelineID: String, Sendable, Codable, CaseIterable, Comparable {
    case clear, slightlySlow = "slightly-slow", warm, greetingRises = "greeting-rises",
         moderateVolume = "moderate-volume", shortSentences = "short-sentences", noInterrupting = "no-interrupting",
         backchannels, noWaiting = "no-waiting", answerPromptly = "answer-promptly", noFillers = "no-fillers",
         calm, silentCall = "silent-call"
    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// The rubric: guideline thresholds, weights, sources and tips, read from a JSON data file
/// (built in: `BuiltInRubric.swift`; replaced with `voiceqa analyze --rubric FILE`).
public struct Rubric: Sendable, Codable, Equatable {
    public struct Source: Sendable, Codable, Equatable {
        /// File name in the project's seeds (training documents).
        public var document: String
        /// Short quote in the original language.
        public var quote: String
    }
    /// Optional title overrides per page language (the coaching page has its own titles otherwise).
    public struct Titles: Sendable, Codable, Equatable {
        public var zh: String?, ja: String?, en: String?
        public init(zh: String? = nil, ja: String? = nil, en: String? = nil) { self.zh = zh; self.ja = ja; self.en = en }
        public func text(_ language: SpeechLanguage) -> String? {
            switch language { case .zh: zh; case .ja: ja; case .en: en }
        }
    }
    public struct Tips: Sendable, Codable, Equatable {
        public var zh: String, ja: String, en: String
        public init(zh: String, ja: String, en: String) { self.zh = zh; self.ja = ja; self.en = en }
        public func text(_ language: SpeechLanguage) -> String {
            switch language { case .zh: zh; case .ja: ja; case .en: en }
        }
    }
    public struct Guideline: Sendable, Codable, Equatable {
        public var id: GuidelineID
        public var source: Source
        public var alsoIn: [Source]?
        /// The report keys the guideline reads.
        public var measures: [String]
        /// "default" and per-language ("zh", "ja", "en") blocks of named thresholds.
        public var thresholds: [String: [String: Double]]
        /// Weight in the call score (≥ 0).
        public var weight: Double
        /// Why these thresholds, with sources, or "project choice".
        public var rationale: String
        public var tips: Tips
        /// Optional titles for the coaching page.
        public var titles: Titles?

        /// The threshold `name` for `language`: the language's block, else the default block.
        public func threshold(_ name: String, _ language: SpeechLanguage) -> Double {
            thresholds[language.rawValue]?[name] ?? thresholds["default"]?[name] ?? .nan
        }
    }
    /// A guideline of the documents that audio alone cannot judge.
    public struct NotMeasurableItem: Sendable, Codable, Equatable {
        public var id: String
        public var source: Source
        public var reason: String
        /// Optional titles for the coaching page.
        public var titles: Titles?
    }

    public var rubricVersion: String
    /// Language used when the command line names none.
    public var defaultLanguage: SpeechLanguage
    public var about: String?
    public var guidelines: [Guideline]
    public var notMeasurable: [NotMeasurableItem]

    public func guideline(_ id: GuidelineID) -> Guideline? { guidelines.first { $0.id == id } }

    /// The rubric shipped with the tool.
    public static let builtIn: Rubric = {
        // A programmer error if it fails: RubricTests parse the built-in text.
        do { return try Rubric.parse(Data(builtInText.utf8)) } catch { preconditionFailure("built-in rubric is invalid: \(error)") }
    }()

    /// Parses and checks a rubric file (JSON). Errors name the key and why.
    public static func parse(_ data: Data) throws -> Rubric {
        let rubric: Rubric
        do {
            rubric = try JSONDecoder().decode(Rubric.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw RubricError.invalid(key: path(context.codingPath + [key]), reason: "missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw RubricError.invalid(key: path(context.codingPath), reason: "expected \(type): \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw RubricError.invalid(key: path(context.codingPath), reason: "expected \(type), found null")
        } catch let DecodingError.dataCorrupted(context) {
            throw RubricError.invalid(key: path(context.codingPath), reason: context.underlyingError.map { "not valid JSON (\($0.localizedDescription))" } ?? context.debugDescription)
        }
        try rubric.validate()
        return rubric
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { p, k in
            if let i = k.intValue { return p + "[\(i)]" }
            return p.isEmpty ? k.stringValue : p + "." + k.stringValue
        }.ifEmpty("(top level)")
    }

    /// Checks what decoding cannot: every guideline once, known threshold names, ordered pass/fail values.
    public func validate() throws {
        if rubricVersion.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RubricError.invalid(key: "rubricVersion", reason: "must not be empty")
        }
        for id in GuidelineID.allCases where guidelines.filter({ $0.id == id }).count != 1 {
            let n = guidelines.filter { $0.id == id }.count
            throw RubricError.invalid(key: "guidelines", reason: n == 0 ? "no entry for guideline \"\(id.rawValue)\"" : "guideline \"\(id.rawValue)\" appears \(n) times")
        }
        for (k, g) in guidelines.enumerated() {
            let key = "guidelines[\(k)] (\(g.id.rawValue))"
            guard g.weight.isFinite, g.weight >= 0 else { throw RubricError.invalid(key: "\(key).weight", reason: "must be a number ≥ 0") }
            for (name, text) in [("zh", g.tips.zh), ("ja", g.tips.ja), ("en", g.tips.en)] where text.isEmpty {
                throw RubricError.invalid(key: "\(key).tips.\(name)", reason: "must not be empty")
            }
            if g.source.document.isEmpty || g.source.quote.isEmpty {
                throw RubricError.invalid(key: "\(key).source", reason: "needs a document and a quote")
            }
            let required = Set(ThresholdRules.required[g.id] ?? [])
            for (block, values) in g.thresholds {
                guard block == "default" || SpeechLanguage(rawValue: block) != nil else {
                    throw RubricError.invalid(key: "\(key).thresholds.\(block)", reason: "unknown block: use default, zh, ja or en")
                }
                for (name, v) in values {
                    guard required.contains(name) else {
                        throw RubricError.invalid(key: "\(key).thresholds.\(block).\(name)",
                                                  reason: "unknown threshold; \(g.id.rawValue) reads \(required.sorted().joined(separator: ", "))")
                    }
                    guard v.isFinite else { throw RubricError.invalid(key: "\(key).thresholds.\(block).\(name)", reason: "must be finite") }
                }
            }
            for language in SpeechLanguage.allCases {
                for name in required.sorted() where !g.threshold(name, language).isFinite {
                    throw RubricError.invalid(key: "\(key).thresholds.\(language.rawValue).\(name)",
                                              reason: "missing (give it in the \"default\" block or the \"\(language.rawValue)\" block)")
                }
                for rule in ThresholdRules.ordered[g.id] ?? [] {
                    let a = g.threshold(rule.0, language), b = g.threshold(rule.1, language)
                    guard a < b else {
                        throw RubricError.invalid(key: "\(key).thresholds.\(language.rawValue).\(rule.1)",
                                                  reason: "must be greater than \(rule.0) (\(a)), found \(b)")
                    }
                }
            }
        }
        if guidelines.reduce(0, { $0 + $1.weight }) <= 0 {
            throw RubricError.invalid(key: "guidelines[].weight", reason: "at least one weight must be positive")
        }
    }
}

/// Threshold names each guideline reads, and pairs that must be strictly increasing.
enum ThresholdRules {
    static let required: [GuidelineID: [String]] = [
        .clear: ["snrPassDB", "snrFailDB", "clippedPassRatio", "clippedFailRatio"],
        .slightlySlow: ["ratePassMinPerSecond", "ratePassMaxPerSecond", "rateFailBelowPerSecond", "rateFailAbovePerSecond"],
        .warm: ["spreadPassMinSemitones", "spreadFailBelowSemitones", "spreadPassMaxSemitones", "spreadFailAboveSemitones"],
        .greetingRises: ["risePassSemitones", "riseFailSemitones", "raisedPassSemitones", "raisedFailSemitones"],
        .moderateVolume: ["targetDBov", "passWithinDB", "failBeyondDB", "driftPassDB", "driftFailDB"],
        .shortSentences: ["monologuePassSeconds", "monologueFailSeconds", "longUnitSeconds", "longUnitSharePass", "longUnitShareFail"],
        .noInterrupting: ["passMaxCount", "failMinCount"],
        .backchannels: ["longTurnSeconds", "sharePass", "shareFail"],
        .noWaiting: ["holdPassSeconds", "holdFailSeconds", "deadAirPassSeconds", "deadAirFailSeconds", "latencyPassSeconds", "latencyFailSeconds"],
        .answerPromptly: ["ringsPassMax", "ringsFailMin", "answerPassSeconds", "answerFailSeconds"],
        .noFillers: ["perMinutePass", "perMinuteFail"],
        .calm: ["levelRisePassDB", "levelRiseFailDB", "pitchRisePassSemitones", "pitchRiseFailSemitones"],
        .silentCall: ["minimumPrompts", "gapPassMinSeconds", "gapPassMaxSeconds", "gapFailBelowSeconds", "gapFailAboveSeconds"],
    ]
    static let ordered: [GuidelineID: [(String, String)]] = [
        .clear: [("snrFailDB", "snrPassDB"), ("clippedPassRatio", "clippedFailRatio")],
        .slightlySlow: [("rateFailBelowPerSecond", "ratePassMinPerSecond"), ("ratePassMinPerSecond", "ratePassMaxPerSecond"),
                        ("ratePassMaxPerSecond", "rateFailAbovePerSecond")],
        .warm: [("spreadFailBelowSemitones", "spreadPassMinSemitones"), ("spreadPassMinSemitones", "spreadPassMaxSemitones"),
                ("spreadPassMaxSemitones", "spreadFailAboveSemitones")],
        .greetingRises: [("riseFailSemitones", "risePassSemitones"), ("raisedFailSemitones", "raisedPassSemitones")],
        .moderateVolume: [("passWithinDB", "failBeyondDB"), ("driftPassDB", "driftFailDB")],
        .shortSentences: [("monologuePassSeconds", "monologueFailSeconds"), ("longUnitSharePass", "longUnitShareFail")],
        .noInterrupting: [("passMaxCount", "failMinCount")],
        .backchannels: [("shareFail", "sharePass")],
        .noWaiting: [("holdPassSeconds", "holdFailSeconds"), ("deadAirPassSeconds", "deadAirFailSeconds"), ("latencyPassSeconds", "latencyFailSeconds")],
        .answerPromptly: [("ringsPassMax", "ringsFailMin"), ("answerPassSeconds", "answerFailSeconds")],
        .noFillers: [("perMinutePass", "perMinuteFail")],
        .calm: [("levelRisePassDB", "levelRiseFailDB"), ("pitchRisePassSemitones", "pitchRiseFailSemitones")],
        .silentCall: [("gapFailBelowSeconds", "gapPassMinSeconds"), ("gapPassMinSeconds", "gapPassMaxSeconds"), ("gapPassMaxSeconds", "gapFailAboveSeconds")],
    ]
}

/// Why a rubric file cannot be used.
public enum RubricError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotRead(path: String, reason: String)
    case invalid(key: String, reason: String)
    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "Cannot read rubric \(path): \(reason)"
        case let .invalid(key, reason): "Invalid rubric: \(key): \(reason)"
        }
    }
}

extension Rubric {
    /// Reads and checks a rubric file.
    public static func load(path: String) throws -> Rubric {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RubricError.cannotRead(path: path, reason: error.localizedDescription)
        }
        return try parse(data)
    }
}

extension String {
    func ifEmpty(_ s: String) -> String { isEmpty ? s : self }
}
