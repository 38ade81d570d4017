import Foundation
import Rubric
import SpeechAnalysis
import Testing

/// The built-in rubric is complete, and a broken rubric file is refused with the key and why.
struct RubricFileTests {
    static func builtInObject() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(Rubric.builtInText.utf8)) as! [String: Any]
    }
    static func parse(_ object: Any) throws -> Rubric {
        try Rubric.parse(try JSONSerialization.data(withJSONObject: object))
    }
    static func guidelines(_ o: [String: Any]) -> [[String: Any]] { o["guidelines"] as! [[String: Any]] }

    @Test func builtInCoversEveryGuidelineWithSourcesAndTips() {
        let r = Rubric.builtIn
        #expect(!r.rubricVersion.isEmpty)
        #expect(r.guidelines.map(\.id).sorted() == GuidelineID.allCases)
        for g in r.guidelines {
            #expect(g.source.document.hasSuffix(".txt") && !g.source.quote.isEmpty, "\(g.id)")
            #expect(!g.tips.zh.isEmpty && !g.tips.ja.isEmpty && !g.tips.en.isEmpty, "\(g.id)")
            #expect(!g.rationale.isEmpty && !g.measures.isEmpty, "\(g.id)")
        }
        #expect(r.notMeasurable.count >= 4)  // wording, name, hang-up, KPIs (GUIDELINES.md)
    }

    @Test func missingThresholdIsNamed() throws {
        var o = try Self.builtInObject()
        var g = Self.guidelines(o)
        var th = g[0]["thresholds"] as! [String: [String: Double]]
        th["default"]!["snrPassDB"] = nil
        g[0]["thresholds"] = th
        o["guidelines"] = g
        #expect(throws: RubricError.invalid(key: "guidelines[0] (clear).thresholds.zh.snrPassDB",
                                            reason: "missing (give it in the \"default\" block or the \"zh\" block)")) {
            try Self.parse(o)
        }
    }

    @Test func missingGuidelineIsNamed() throws {
        var o = try Self.builtInObject()
        o["guidelines"] = Self.guidelines(o).filter { ($0["id"] as! String) != "calm" }
        #expect(throws: RubricError.invalid(key: "guidelines", reason: "no entry for guideline \"calm\"")) { try Self.parse(o) }
    }

    @Test func unknownGuidelineIdIsNamed() throws {
        var o = try Self.builtInObject()
        var g = Self.guidelines(o)
        g[2]["id"] = "friendly"
        o["guidelines"] = g
        #expect(throws: RubricError.self) { try Self.parse(o) }
        do { _ = try Self.parse(o); Issue.record("accepted") } catch let RubricError.invalid(key, _) {
            #expect(key == "guidelines[2].id")
        }
    }

    @Test func wrongTypeAndMissingKeyAreNamed() throws {
        var o = try Self.builtInObject()
        o["rubricVersion"] = 3
        do { _ = try Self.parse(o); Issue.record("accepted") } catch let RubricError.invalid(key, _) { #expect(key == "rubricVersion") }
        o = try Self.builtInObject()
        var g = Self.guidelines(o)
        g[4]["weight"] = nil
        o["guidelines"] = g
        #expect(throws: RubricError.invalid(key: "guidelines[4].weight", reason: "missing")) { try Self.parse(o) }
    }

    @Test func unorderedAndUnknownThresholdsAreNamed() throws {
        var o = try Self.builtInObject()
        var g = Self.guidelines(o)
        var th = g[10]["thresholds"] as! [String: [String: Double]]  // no-fillers
        th["default"]!["perMinuteFail"] = 0.5
        g[10]["thresholds"] = th
        o["guidelines"] = g
        #expect(throws: RubricError.invalid(key: "guidelines[10] (no-fillers).thresholds.zh.perMinuteFail",
                                            reason: "must be greater than perMinutePass (1.0), found 0.5")) { try Self.parse(o) }
        th["default"]!["perMinuteFail"] = 4
        th["default"]!["perHour"] = 4
        g[10]["thresholds"] = th
        o["guidelines"] = g
        #expect(throws: RubricError.invalid(key: "guidelines[10] (no-fillers).thresholds.default.perHour",
                                            reason: "unknown threshold; no-fillers reads perMinuteFail, perMinutePass")) { try Self.parse(o) }
    }

    @Test func notJSONIsRefused() {
        #expect(throws: RubricError.self) { try Rubric.parse(Data("rubricVersion = 1".utf8)) }
    }
}
