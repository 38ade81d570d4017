import Foundation

/// Runs Tests/Browser/page_check.py (headless Chromium over the DevTools protocol) on pages and
/// returns what it found per page. Used by the coaching-page and summary-page browser tests.
public enum BrowserCheck {
    public enum Availability { case skipped, ready, missing(String) }

    /// `.skipped` with VOICEQA_SKIP_BROWSER=1; `.missing` (say why) when chromium is not on PATH.
    public static func availability() -> Availability {
        if ProcessInfo.processInfo.environment["VOICEQA_SKIP_BROWSER"] == "1" {
            print("VOICEQA_SKIP_BROWSER=1: the browser test is skipped on request")
            return .skipped
        }
        let chromium = ProcessInfo.processInfo.environment["PATH", default: ""].split(separator: ":")
            .map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return chromium == nil
            ? .missing("chromium is not on PATH: `make test` installs it (apt: chromium fonts-noto-cjk); set VOICEQA_SKIP_BROWSER=1 to skip")
            : .ready
    }

    /// Whether a browser test should go on: false when skipped on request; when chromium is
    /// missing, `fail(why)` is called (the tests record it as a failure) and false.
    public static func shouldRun(fail: (String) -> Void) -> Bool {
        switch availability() {
        case .skipped: return false
        case let .missing(why): fail(why); return false
        case .ready: return true
        }
    }

    public struct HarnessError: Error, CustomStringConvertible { public var description: String }

    /// The per-page findings of page_check.py (screenshots into .build/report-screenshots/).
    public static func run(pages: [String], widthPixels: Int? = nil) throws -> [[String: Any]] {
        let repository = Fixtures.root.deletingLastPathComponent()
        let script = repository.appendingPathComponent("Tests/Browser/page_check.py").path
        let shots = repository.appendingPathComponent(".build/report-screenshots").path
        var arguments = ["python3", script, "--screenshot-dir", shots]
        if let widthPixels { arguments += ["--width", String(widthPixels)] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments + pages
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let result = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw HarnessError(description: "page_check.py printed: \(output)")
        }
        if let error = result["harness_error"] { throw HarnessError(description: "page_check.py could not drive Chromium: \(error)") }
        guard let found = result["pages"] as? [[String: Any]], found.count == pages.count else {
            throw HarnessError(description: "page_check.py returned no result for every page: \(output)")
        }
        return found
    }
}
