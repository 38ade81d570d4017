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
        #expect(t("evidence.greeting-rise", ["riseSemitones": -2.26]) == "greeting: −2.3\u{00A0}st from its first to its last third")
        #expect(t("evidence.third-level", [:]) == "third – of the call: –\u{00A0}dBov")   // a missing value shows as a dash, kept with its unit
    }

    /// A number keeps its unit on its line: the space before a unit, or before CJK text, is a no-break
    /// space (a coaching card once broke "削波 0.00" from its "%"); before an English word it stays a space.
    /// (A CJK label is not bound to its number: a browser may break between any two ideographs, so
    /// binding would only move the break into the label.)
    @Test func numbersKeepTheirUnitsOnTheirLine() throws {
        let nbsp = "\u{00A0}"
        #expect(PageText(.zh)("evidence.agent-snr", ["snrDB": 23.24, "clippedPercent": 0]) == "坐席语音:信噪比 23.2\(nbsp)dB,削波 0.00\(nbsp)%")
        #expect(PageText(.ja)("evidence.agent-snr", ["snrDB": 23.24, "clippedPercent": 0]) == "オペレーターの声:SN比 23.2\(nbsp)dB、音割れ 0.00\(nbsp)%")
        #expect(PageText(.en)("target.no-fillers", ["perMinutePass": 1, "perMinuteFail": 4]).contains("1.0 filled pauses"))
        // The guideline cards' measured values too ("signal-to-noise ratio: 23.2 dB" broke before "dB").
        let html = CoachingPage.html(for: try CoachingFixture.report("devcall2_en_00"), pageLanguage: .en, audio: .none)
        #expect(html.contains("signal-to-noise ratio: 23.2\(nbsp)dB"))
        #expect(!html.contains("signal-to-noise ratio: 23.2 dB"))
        // Clipping keeps the two decimals its target is written in (it passes up to 0.10 %), as the evidence line does.
        #expect(html.contains("clipped speech: 0.00\(nbsp)%"))
        #expect(PageText.fill("{a:0} s, {b:0} st, {c:0} syllables, {d:0} {unit}, {e:0} 秒", ["a": 1, "b": 2, "c": 3, "d": 4, "e": 5], ["unit": "LUFS"])
                == "1\(nbsp)s, 2\(nbsp)st, 3 syllables, 4\(nbsp)LUFS, 5\(nbsp)秒")
    }
}

extension GuidelineResult.Verdict {
    static let allCasesForPage: [Self] = [.pass, .warn, .fail, .notMeasurable]
}
