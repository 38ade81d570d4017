import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing

/// Every language table has every key the page uses, with the same placeholders.
struct PageTextTests {
    static func placeholders(_ template: String) -> Set<String> {
        var out = Set<String>()
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.insert(String(rest[rest.index(after: open)..<close].prefix { $0 != ":" }))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    @Test(arguments: SpeechLanguage.allCases)
    func everyLanguageTableIsComplete(language: SpeechLanguage) {
        let table = PageText(language), english = PageText(.en)
        var keys = PageText.requiredKeys
        keys += EvidenceKind.allCases.map { "evidence.\($0.rawValue)" } + ["evidence.calm-response-pitch"]
        keys += ReasonKind.allCases.filter { $0 != .rubricItem }.map { "reason.\($0.rawValue)" }
        keys += GuidelineResult.Verdict.allCasesForPage.map { "verdict.\($0.rawValue)" }
        keys += CoachingSummary.Figure.Kind.allCases.map { "figure.\($0.rawValue)" }
        keys += SpeechLanguage.allCases.map { "lang.\($0.rawValue)" }
        for key in Set(keys).sorted() {
            #expect(table.template(key) != nil, "\(language.rawValue): no \(key)")
            if let mine = table.template(key), let theirs = english.template(key) {
                #expect(Self.placeholders(mine) == Self.placeholders(theirs), "\(language.rawValue) \(key): placeholders differ from en")
            }
        }
        #expect(Set(table.keys) == Set(english.keys), "\(language.rawValue): keys differ from en: \(Set(table.keys).symmetricDifference(english.keys).sorted())")
    }

    @Test func templatesFillNumbersAndStrings() {
        let t = PageText(.en)
        #expect(t("target.no-fillers", ["perMinutePass": 1, "perMinuteFail": 4]) == "at most 1.0 filled pauses per minute of agent speech (fails from 4.0)")
        #expect(t("evidence.greeting-rise", ["riseSemitones": -2.26]) == "greeting: −2.3 st from its first to its last third")
        #expect(t("evidence.third-level", [:]) == "third – of the call: – dBov")   // a missing value shows as a dash
    }
}

extension GuidelineResult.Verdict {
    static let allCasesForPage: [Self] = [.pass, .warn, .fail, .notMeasurable]
}
