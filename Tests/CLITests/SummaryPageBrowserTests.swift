import Foundation
import Testing
import TestSupport

/// The audit summary page (and a worst call's coaching page, when it writes one) in a real headless
/// Chromium at a laptop's 1000 px width, in each page language (Tests/Browser/page_check.py over the
/// DevTools protocol): no console error, exception, failed load or network request; every agent in
/// the rendered text; nothing wider than the window — the per-agent table and the guideline grid
/// fit without sideways scrolling. Screenshots go to .build/report-screenshots/. Fails when
/// Chromium is missing, unless VOICEQA_SKIP_BROWSER=1.
struct SummaryPageBrowserTests {
    static let repository = Fixtures.root.deletingLastPathComponent()

    @Test func summaryPagesFitALaptopWindowInChromium() throws {
        guard BrowserCheck.shouldRun(fail: { Issue.record(Comment(rawValue: $0)) }) else { return }
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let db = work.appendingPathComponent("audit.sqlite").path
        let manifest = Self.repository.appendingPathComponent("docs/examples/audit-manifest.csv").path
        let run = try CLIRunner.run(["audit", "run", "--manifest", manifest, "--db", db], timeoutSeconds: 600)
        #expect(run.exitCode == 0, "\(run.stderr)")
        var pages: [String] = []
        for language in ["zh", "ja", "en"] {
            let folder = work.appendingPathComponent("summary-\(language)").path
            // --min-calls 2 --min-agents 2: the fixture batch is small; North's two agents are compared.
            let summary = try CLIRunner.run(["audit", "summary", "--db", db, "--format", "html", "-o", folder, "--page-language", language,
                                             "--min-calls", "2", "--min-agents", "2"])
            #expect(summary.exitCode == 0, "\(summary.stderr)")
            pages.append(folder + "/index.html")
        }
        // The worst calls' coaching pages, when an agent stands out (too few calls here to be sure one does).
        let calls = work.appendingPathComponent("summary-en/calls")
        let coaching = ((try? FileManager.default.contentsOfDirectory(atPath: calls.path)) ?? []).filter { $0.hasSuffix(".html") }.sorted()
        if let first = coaching.first { pages.append(calls.appendingPathComponent(first).path) }

        let found = try BrowserCheck.run(pages: pages, widthPixels: 1000)
        for (index, page) in found.enumerated() {
            let name = pages[index]
            for problem in ["console_errors", "exceptions", "log_errors", "failed_loads", "external_requests"] {
                #expect((page[problem] as? [Any])?.isEmpty == true, "\(name): \(problem): \(page[problem] ?? "?")")
            }
            #expect(page["page_overflow_px"] as? Int == 0, "\(name): the page is \(page["page_overflow_px"] ?? "?") px wider than the window")
            #expect((page["overflowing"] as? [Any])?.isEmpty == true, "\(name): wider than its box: \(page["overflowing"] ?? "?")")
            if index < 3 {
                #expect(page["lang"] as? String == ["zh", "ja", "en"][index])
                let text = page["text"] as? String ?? ""
                for agent in ["li.wei", "kim.sato", "ana.ruiz"] { #expect(text.contains(agent), "\(name): no \(agent)") }
            }
        }
    }
}
