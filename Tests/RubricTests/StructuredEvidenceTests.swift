import CallAnalysis
import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// The structured keys renderers build their sentences from: each evidence's kind and values, each
/// guideline's resolved thresholds and weight, the reason as a code, and the tips in every language.
struct StructuredEvidenceTests {
    @Test(arguments: ["devcall2_en_00", "devcall_mixed_03"])
    func everyVerdictCarriesItsStructuredData(stem: String) throws {
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: AnalysisOptions(language: .ja))
        let report = AnalysisReport(analysis)
        let rubric = Rubric.builtIn
        let kinds = Set(EvidenceKind.allCases.map(\.rawValue)), reasons = Set(ReasonKind.allCases.map(\.rawValue))
        for g in try #require(report.guidelines) {
            guard let id = GuidelineID(rawValue: g.id), let rule = rubric.guideline(id) else {
                #expect(g.reasonKind == ReasonKind.rubricItem.rawValue)
                continue
            }
            #expect(g.weight == rule.weight)
            let thresholds = try #require(g.thresholds)
            for (name, value) in thresholds { #expect(value == rule.threshold(name, .ja), "\(g.id).\(name)") }   // the ja block wins
            if g.verdict == .notMeasurable {
                #expect(g.reasonKind.map(reasons.contains) == true, "\(g.id): \(g.reasonKind ?? "no reasonKind")")
            }
            #expect((g.tips != nil) == (g.verdict == .warn || g.verdict == .fail))
            if let tips = g.tips { #expect(g.tip == tips.ja) }
            for e in g.evidence {
                let kind = try #require(e.kind, "\(g.id): evidence without a kind")
                #expect(kinds.contains(kind), "\(g.id): unknown kind \(kind)")
                #expect(e.values != nil || kind == EvidenceKind.greeting.rawValue, "\(g.id): \(kind) without values")
            }
        }
        // The values are the numbers the note states: the agent's rate for slightly-slow, in morae for ja.
        let slow = try #require(report.guidelines?.first { $0.id == "slightly-slow" })
        if let e = slow.evidence.first, let rate = slow.measured?["articulationRateMoraePerSecond"] {
            #expect(e.kind == EvidenceKind.articulationRateMorae.rawValue)
            #expect(abs((e.values?["perSecond"] ?? 0) - rate) < 0.001)
        }
    }

    @Test func aRubricMayGiveTitles() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Rubric.builtInText.utf8)) as? [String: Any])
        var guidelines = try #require(object["guidelines"] as? [[String: Any]])
        guidelines[2]["titles"] = ["en": "Smile in your voice", "ja": "笑顔の声"]
        object["guidelines"] = guidelines
        let rubric = try Rubric.parse(try JSONSerialization.data(withJSONObject: object))
        #expect(rubric.guideline(.warm)?.titles == Rubric.Titles(ja: "笑顔の声", en: "Smile in your voice"))
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", "devcall2_en_00"), options: AnalysisOptions(language: .en))
        let warm = try #require(AnalysisReport(analysis, rubric: rubric).guidelines?.first { $0.id == "warm" })
        #expect(warm.titles?.en == "Smile in your voice")
    }
}
