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
        if ProcessInfo.processInfo.environment["VOICEQA_SKIP_BROWSER"] == "1" {
            print("VOICEQA_SKIP_BROWSER=1: the browser test is skipped on request")
            return
        }
        let chromium = ProcessInfo.processInfo.environment["PATH", default: ""].split(separator: ":")
            .map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(chromium != nil, "chromium is not on PATH: `make test` installs it (apt: chromium fonts-noto-cjk); set VOICEQA_SKIP_BROWSER=1 to skip")

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
        let shots = Self.repository.appendingPathComponent(".build/report-screenshots").path
        let script = Self.repository.appendingPathComponent("Tests/Browser/page_check.py").path
        let order = SpeechLanguage.allCases
        let output = try Self.python([script, "--screenshot-dir", shots] + order.map { pages[$0]! })
        let parsed = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let result = try #require(parsed, "page_check.py printed: \(output)")
        let harnessError = result["harness_error"].map { "\($0)" }
        try #require(harnessError == nil, "page_check.py could not drive Chromium: \(harnessError ?? "")")
        let found = try #require(result["pages"] as? [[String: Any]])
        try #require(found.count == order.count)

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

    static func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
