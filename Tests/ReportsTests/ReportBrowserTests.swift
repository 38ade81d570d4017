import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// The demo call's page in a real headless Chromium, in each page language (Tests/Browser/page_check.py
/// drives it over the DevTools protocol): no console error, uncaught exception, failed load or network
/// request; the same score and every guideline title in the page's language in the rendered text; a
/// real click on an evidence link moves the player to max(0, t − 1 s). Screenshots go to
/// .build/report-screenshots/. Fails when Chromium is missing, unless VOICEQA_SKIP_BROWSER=1.
struct ReportBrowserTests {
    static let repository = Fixtures.root.deletingLastPathComponent()

    @Test func demoCallPagesWorkInChromium() throws {
        guard BrowserCheck.shouldRun(fail: { Issue.record(Comment(rawValue: $0)) }) else { return }
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let demo = Fixtures.audioPath("calls", "devcall2_en_00")
        var pages: [SpeechLanguage: String] = [:]
        for language in SpeechLanguage.allCases {
            let folder = work.appendingPathComponent(language.rawValue).path
            let run = try CLIRunner.run(["report", "--language", "en", "--page-language", language.rawValue, "-o", folder, demo])
            #expect(run.exitCode == 0, "\(run.stderr)")
            pages[language] = folder + "/devcall2_en_00.html"
        }
        let order = SpeechLanguage.allCases
        let found = try BrowserCheck.run(pages: order.map { pages[$0]! })

        let report = try CoachingFixture.report("devcall2_en_00")
        let score = "\(Int(try #require(report.score).rounded())) / 100"
        for (language, page) in zip(order, found) {
            for problem in ["console_errors", "exceptions", "log_errors", "failed_loads", "external_requests"] {
                #expect((page[problem] as? [Any])?.isEmpty == true, "\(language): \(problem): \(page[problem] ?? "?")")
            }
            #expect(page["lang"] as? String == language.rawValue)
            #expect((page["player_ready_state"] as? Int ?? 0) >= 1, "\(language): the player did not load the recording")
            let text = page["text"] as? String ?? ""
            #expect(text.contains(score), "\(language): score \(score) not in the page")
            let words = PageText(language)
            for g in report.guidelines ?? [] {
                #expect(text.contains(words("title.\(g.id)")), "\(language): no title for \(g.id)")
            }
            let clicks = page["clicks"] as? [[String: Any]] ?? []
            #expect(clicks.count == 3)
            for click in clicks {
                let target = click["target"] as? String ?? "?"
                guard let t = click["t"] as? Double, let now = click["currentTime"] as? Double else {
                    Issue.record("\(language): \(target) click: \(click)"); continue
                }
                #expect(abs(now - max(0, t - 1)) <= 0.05, "\(language): \(target) click at \(t) s: player at \(now) s")
            }
            #expect(FileManager.default.fileExists(atPath: page["screenshot"] as? String ?? ""))
        }
    }
}
