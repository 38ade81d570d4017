import DSP
import Foundation
import SpeechAnalysis

/// Judges a call against a rubric: one `GuidelineResult` per guideline (in GUIDELINES.md order)
/// and the weighted call score.
public struct RubricEvaluation: Sendable, Codable, Equatable {
    public var rubricVersion: String
    public var guidelines: [GuidelineResult]
    /// Weighted mean of the measurable guidelines' scores (0–100); nil when none is measurable.
    public var score: Double?
}

public enum RubricEvaluator {
    /// Outcome of one guideline's judge before the rubric's source and tip are attached.
    struct Judgement {
        var score: Double?            // 0…1
        var measured: [String: Double] = [:]
        var target: String
        var evidence: [GuidelineResult.Evidence] = []
        var reason: String? = nil
        var reasonKind: ReasonKind? = nil
        /// The guideline's own verdict cut-offs (points); nil: pass at 100, fail at 0.
        var verdictOf: (@Sendable (Double) -> GuidelineResult.Verdict)? = nil
        static func notMeasurable(_ kind: ReasonKind, _ reason: String, target: String) -> Judgement {
            Judgement(score: nil, target: target, reason: reason, reasonKind: kind)
        }
    }

    public static func evaluate(_ input: RubricInput, rubric: Rubric) -> RubricEvaluation {
        var results: [GuidelineResult] = []
        var weighted = 0.0, weights = 0.0
        for id in GuidelineID.allCases {
            guard let g = rubric.guideline(id) else { continue }
            // Only the names the guideline reads for this language (its current set or a rubric 1.0 set).
            let resolved = g.resolvedThresholds(input.language)
            let t = { (name: String) in resolved[name] ?? .nan }
            let j = judge(id, input, t)
            let score = j.score.map { Rounding.round(100 * $0, scale: 10) }
            let verdict: GuidelineResult.Verdict = switch score {
            case nil: .notMeasurable
            case let s? where j.verdictOf != nil: j.verdictOf!(s)
            case let s? where s >= 100: .pass
            case let s? where s <= 0: .fail
            default: .warn
            }
            if let s = score { weighted += g.weight * s; weights += g.weight }
            results.append(GuidelineResult(
                id: id.rawValue, verdict: verdict, score: score,
                measured: j.measured.isEmpty ? nil : j.measured.mapValues { Rounding.round($0, scale: 1000) },
                target: j.target,
                evidence: j.evidence.map { .init(start: Rounding.seconds($0.start), end: Rounding.seconds($0.end), note: $0.note,
                                                 kind: $0.kind, values: $0.values?.mapValues { Rounding.round($0, scale: 1000) }) },
                source: g.source, tip: verdict == .warn || verdict == .fail ? g.tips.text(input.language) : nil, reason: j.reason,
                reasonKind: j.reasonKind?.rawValue, thresholds: resolved, weight: g.weight, titles: g.titles,
                tips: verdict == .warn || verdict == .fail ? g.tips : nil))
        }
        for item in rubric.notMeasurable {
            results.append(GuidelineResult(id: item.id, verdict: .notMeasurable, score: nil, measured: nil, target: nil,
                                           evidence: [], source: item.source, tip: nil, reason: item.reason,
                                           reasonKind: ReasonKind.rubricItem.rawValue, titles: item.titles))
        }
        return RubricEvaluation(rubricVersion: rubric.rubricVersion, guidelines: results,
                                score: weights > 0 ? Rounding.round(weighted / weights, scale: 10) : nil)
    }

    static func judge(_ id: GuidelineID, _ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        switch id {
        case .clear: clear(input, t)
        case .slightlySlow: slightlySlow(input, t)
        case .warm: warm(input, t)
        case .greetingRises: greetingRises(input, t)
        case .moderateVolume: moderateVolume(input, t)
        case .shortSentences: shortSentences(input, t)
        case .noInterrupting: noInterrupting(input, t)
        case .backchannels: backchannels(input, t)
        case .noWaiting: noWaiting(input, t)
        case .answerPromptly: answerPromptly(input, t)
        case .noFillers: noFillers(input, t)
        case .calm: calm(input, t)
        case .silentCall: silentCall(input, t)
        }
    }

    static let monoReason = "mono recording: needs the customer on a channel of their own"

    /// The agent's speaking span, as evidence for whole-call measures.
    static func agentSpan(_ input: RubricInput, _ note: String, _ kind: EvidenceKind, _ values: [String: Double]) -> [GuidelineResult.Evidence] {
        guard let a = input.agent.segments.first, let b = input.agent.segments.last else { return [] }
        return [.init(start: a.start, end: b.end, note: note, kind: kind.rawValue, values: values)]
    }

    static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
}
