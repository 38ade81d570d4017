import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// Strings from files and rubrics are text on the page, never markup.
struct CoachingPageEscapingTests {
    @Test(arguments: ["<img src=x onerror=alert(1)>.wav", "通话 #1.wav", "a\"b'c&d.wav"])
    func fileNamesShowAsTextAndLinkCorrectly(name: String) throws {
        var report = try CoachingFixture.report("devcall2_en_00")
        report.file = "calls/" + name
        let html = CoachingPage.html(for: report, pageLanguage: .zh, audio: .link(relativePath: "calls/" + name))
        #expect(html.contains("<h1>\(HTMLEscape.text(name))</h1>"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("onerror=alert(1)>"))
        let encoded = HTMLEscape.percentEncodedPath("calls/" + name)
        #expect(html.contains("src=\"\(HTMLEscape.attribute(encoded))\""))
        // RFC 3986: only unreserved characters and "/" stay as they are.
        #expect(encoded.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._~/%".contains($0)) })
    }

    @Test func percentEncodingFollowsRFC3986() {
        #expect(HTMLEscape.percentEncodedPath("通话 #1.wav") == "%E9%80%9A%E8%AF%9D%20%231.wav")
        #expect(HTMLEscape.percentEncodedPath("../a b/c?d=e&f.wav") == "../a%20b/c%3Fd%3De%26f.wav")
        #expect(HTMLEscape.percentEncodedPath("x:y.wav") == "x%3Ay.wav")   // never read as a scheme
    }

    @Test func rubricTextsCannotCloseTheScript() throws {
        var report = try CoachingFixture.report("devcall2_en_00")
        let evil = "</script><script>alert(1)</script><b>bold</b>"
        for k in report.guidelines!.indices {
            report.guidelines![k].tips = Rubric.Tips(zh: evil, ja: evil, en: evil)
            report.guidelines![k].source.quote = evil
            report.guidelines![k].titles = Rubric.Titles(en: evil)
        }
        report.rubricVersion = evil
        for language in SpeechLanguage.allCases {
            let html = CoachingPage.html(for: report, pageLanguage: language, audio: .none)
            #expect(html.components(separatedBy: "<script").count == 2, "only the page's own script")
            #expect(html.components(separatedBy: "</script>").count == 2)
            #expect(!html.contains("<b>bold</b>"))
            #expect(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test func escapingCoversTheFiveCharacters() {
        #expect(HTMLEscape.text("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLEscape.attribute("a\u{0}b") == "a\u{FFFD}b")
    }
}
