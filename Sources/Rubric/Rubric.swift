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

        /// The threshold names the guideline reads for `language`: its current set, or — for
        /// `slightly-slow` in a file written before rubric 1.1.0 — the older set the file gives.
        /// The language's block decides when it holds names of either set, else the default block.
        ///
        /// Optional groups (`ThresholdRules.optional`: `short-sentences`' pause checks, rubric 1.2.0 on)
        /// are read when the file gives any name of the group for `language`; absent, the check is off,
        /// so files written before it judge as then.
        public func thresholdNames(_ language: SpeechLanguage) -> [String] {
            let optional = (ThresholdRules.optional[id] ?? []).filter { group in
                group.contains { thresholds[language.rawValue]?[$0] != nil || thresholds["default"]?[$0] != nil }
            }.flatMap { $0 }
            return mainThresholdNames(language) + optional
        }

        func mainThresholdNames(_ language: SpeechLanguage) -> [String] {
            let current = ThresholdRules.required[id] ?? []
            guard let older = ThresholdRules.older[id] else { return current }
            for block in [thresholds[language.rawValue], thresholds["default"]] {
                guard let names = block?.keys else { continue }
                if names.contains(where: older.contains) { return older }
                if names.contains(where: current.contains) { return current }
            }
            return current
        }

        /// The thresholds the guideline reads for `language`, resolved (its block over the default block).
        public func resolvedThresholds(_ language: SpeechLanguage) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: thresholdNames(language).map { ($0, threshold($0, language)) })
        }

        /// `slightly-slow`: the articulation rates that pass for `language` (syllables/s; morae/s for ja),
        /// from the target rule or from a rubric 1.0 band; nil for other guidelines.
        public func ratePassBand(_ language: SpeechLanguage) -> ClosedRange<Double>? {
            guard id == .slightlySlow else { return nil }
            let t = resolvedThresholds(language)
            if let rule = RateTarget(thresholds: t) { return rule.passBandPerSecond }
            guard let lo = t["ratePassMinPerSecond"], let hi = t["ratePassMaxPerSecond"], lo.isFinite, hi.isFinite, lo <= hi else { return nil }
            return lo...hi
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
            let required = Set(ThresholdRules.required[g.id] ?? []), older = Set(ThresholdRules.older[g.id] ?? [])
            let optional = Set((ThresholdRules.optional[g.id] ?? []).flatMap { $0 })
            for (block, values) in g.thresholds {
                guard block == "default" || SpeechLanguage(rawValue: block) != nil else {
                    throw RubricError.invalid(key: "\(key).thresholds.\(block)", reason: "unknown block: use default, zh, ja or en")
                }
                for (name, v) in values.sorted(by: { $0.key < $1.key }) {
                    guard required.contains(name) || older.contains(name) || optional.contains(name) else {
                        throw RubricError.invalid(key: "\(key).thresholds.\(block).\(name)",
                                                  reason: "unknown threshold; \(g.id.rawValue) reads \(required.sorted().joined(separator: ", "))"
                                                    + (optional.isEmpty ? "" : ", optionally \(optional.sorted().joined(separator: ", "))")
                                                    + (older.isEmpty ? "" : " (or, as rubric 1.0 files do, \(older.sorted().joined(separator: ", ")))"))
                    }
                    guard v.isFinite else { throw RubricError.invalid(key: "\(key).thresholds.\(block).\(name)", reason: "must be finite") }
                }
                if let mixed = values.keys.sorted().first(where: older.contains), let other = values.keys.sorted().first(where: required.contains) {
                    throw RubricError.invalid(key: "\(key).thresholds.\(block).\(mixed)",
                                              reason: "a rubric 1.0 band threshold cannot be mixed with the target thresholds (\(other)) in one block: give one set")
                }
            }
            for language in SpeechLanguage.allCases {
                let names = g.thresholdNames(language)
                let isOlder = !older.isEmpty && names.contains(where: older.contains)
                for name in names.sorted() where !g.threshold(name, language).isFinite {
                    throw RubricError.invalid(key: "\(key).thresholds.\(language.rawValue).\(name)",
                                              reason: "missing (give it in the \"default\" block or the \"\(language.rawValue)\" block)"
                                                + (optional.contains(name) ? ": the other thresholds of its optional check are given" : ""))
                }
                for (name, range) in ThresholdRules.ranges[g.id] ?? [] where names.contains(name) && !(isOlder && !optional.contains(name))
                    && !range.contains(g.threshold(name, language)) {
                    throw RubricError.invalid(key: "\(key).thresholds.\(language.rawValue).\(name)",
                                              reason: "must be within \(range.lowerBound)…\(range.upperBound), found \(g.threshold(name, language))")
                }
                let optionalOrdered = (ThresholdRules.optionalOrdered[g.id] ?? []).filter { names.contains($0.0) && names.contains($0.1) }
                for rule in ((isOlder ? ThresholdRules.olderOrdered[g.id] : ThresholdRules.ordered[g.id]) ?? []) + optionalOrdered {
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

/// Threshold names each guideline reads, pairs that must be strictly increasing, and ranges.
enum ThresholdRules {
    /// Sets that files written before a guideline's current set still give, read as then
    /// (`slightly-slow` before rubric 1.1.0: a flat pass band between two ramps).
    static let older: [GuidelineID: [String]] = [
        .slightlySlow: ["ratePassMinPerSecond", "ratePassMaxPerSecond", "rateFailBelowPerSecond", "rateFailAbovePerSecond"],
    ]
    static let olderOrdered: [GuidelineID: [(String, String)]] = [
        .slightlySlow: [("rateFailBelowPerSecond", "ratePassMinPerSecond"), ("ratePassMinPerSecond", "ratePassMaxPerSecond"),
                        ("ratePassMaxPerSecond", "rateFailAbovePerSecond")],
    ]
    /// Checks a file may add (rubric 1.2.0 on), each a group given whole or not at all; absent, the
    /// check is off and the guideline is judged as before it existed. `short-sentences`: the pause rate
    /// inside the agent's long turns, and the longest pause inside a turn.
    static let optional: [GuidelineID: [[String]]] = [
        .shortSentences: [["pauseTurnSeconds", "pausesPerMinutePass", "pausesPerMinuteFail"],
                          ["longestPausePassSeconds", "longestPauseFailSeconds"]],
    ]
    static let optionalOrdered: [GuidelineID: [(String, String)]] = [
        .shortSentences: [("pausesPerMinuteFail", "pausesPerMinutePass"), ("longestPausePassSeconds", "longestPauseFailSeconds")],
    ]
    /// Values outside these ranges make no sense (a rate norm of 0, a score above 100).
    static let ranges: [GuidelineID: [(String, ClosedRange<Double>)]] = [
        .slightlySlow: [("normPerSecond", 0.5...20), ("targetRatio", 0.1...2), ("fullScoreWithinPercent", 0...100),
                        ("zeroScoreBeyondPercent", 0...100), ("passMinScore", 0...100), ("failBelowScore", 0...100)],
        .shortSentences: [("pauseTurnSeconds", 1...600), ("pausesPerMinutePass", 0...240), ("pausesPerMinuteFail", 0...240),
                          ("longestPausePassSeconds", 0.05...600), ("longestPauseFailSeconds", 0.05...600)],
    ]
    static let required: [GuidelineID: [String]] = [
        .clear: ["snrPassDB", "snrFailDB", "clippedPassRatio", "clippedFailRatio"],
        .slightlySlow: RateTarget.names,
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
        .slightlySlow: [("fullScoreWithinPercent", "zeroScoreBeyondPercent"), ("failBelowScore", "passMinScore")],
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
