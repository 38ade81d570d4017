import CallAnalysis
import Foundation
import TestSupport

/// The fixture calls analysed with the standard options, each once per test process: several
/// suites score the same analysis (turn-taking on the truth's segments and end to end, filled
/// pauses, pauses within turns), and the analysis is most of their cost — three times that under
/// the sanitizers. A test asking for a call another test is analysing waits for that analysis
/// (no longer than analysing it itself would take).
enum FixtureCallAnalyses {
    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var analysis: CallAnalysis?
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [String: Entry] = [:]

    /// `CallAnalyzer.analyze` of fixture call `stem` (group `calls`), standard options.
    static func standard(_ stem: String) throws -> CallAnalysis {
        let entry = lock.withLock { () -> Entry in
            if let e = entries[stem] { return e }
            let e = Entry()
            entries[stem] = e
            return e
        }
        entry.lock.lock()
        defer { entry.lock.unlock() }
        if let analysis = entry.analysis { return analysis }
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem))
        entry.analysis = analysis
        return analysis
    }
}
