import CallAnalysis
import Dispatch
import Foundation
import Reports
import Rubric

enum FileResult: Sendable {
    case success(AnalysisReport)
    case failure(String)
}

/// Runs analyses on several files at once (one per core), returning results in input order.
///
/// Each file has a wall-time limit (`timeLimitSeconds`, nil for none): the analyzer stops itself
/// between decode blocks, and a watchdog here fails a file that overruns anyway (stuck inside one
/// library call) and moves on without waiting for it. An abandoned worker keeps its thread until
/// the process exits; `abandonedCount` says how many there were.
enum AnalysisRunner {
    static func run(files: [String], options: AnalysisOptions, jobs: Int, includeSeries: Bool, rubric: Rubric = .builtIn,
                    timeLimitSeconds: Double? = nil,
                    onEach: (@Sendable (FileResult) -> Void)?) -> (results: [FileResult], abandonedCount: Int) {
        let results = ResultSlots(count: files.count)
        let finished = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "voiceqa.analyze", attributes: .concurrent)
        let watchdogGraceSeconds = 0.5           // the analyzer's own check fires first when it can
        var running: [(index: Int, started: ContinuousClock.Instant)] = []
        var next = 0, abandoned = 0
        while next < files.count || !running.isEmpty {
            while running.count < max(1, jobs) && next < files.count {
                let i = next, path = files[i]
                next += 1
                running.append((i, .now))
                queue.async {
                    let result: FileResult
                    do {
                        let analysis = try CallAnalyzer.analyze(path: path, options: options,
                                                                timeLimitSeconds: timeLimitSeconds)
                        let report = AnalysisReport(analysis, includeSeries: includeSeries, rubric: rubric)
                        // A value JSON cannot hold (NaN, ±Inf) fails this file, not the whole run.
                        do { _ = try ReportRenderer.json(report, pretty: false); result = .success(report) } catch {
                            result = .failure("\(path): internal error: the report holds a non-finite value (\(error))")
                        }
                    } catch {
                        result = .failure("\(error)")
                    }
                    if results.setIfEmpty(i, result) { onEach?(result) }
                    finished.signal()
                }
            }
            _ = finished.wait(timeout: .now() + .milliseconds(20))
            running.removeAll { job in
                if results.isSet(job.index) { return true }
                guard let limit = timeLimitSeconds,
                      job.started.duration(to: .now) > .milliseconds(Int64((limit + watchdogGraceSeconds) * 1000)) else { return false }
                let timedOut = FileResult.failure("\(AnalysisError.timedOut(path: files[job.index], limitSeconds: limit))")
                if results.setIfEmpty(job.index, timedOut) { onEach?(timedOut); abandoned += 1 }
                return true
            }
        }
        return (results.all(), abandoned)
    }
}

final class ResultSlots: @unchecked Sendable {
    private var slots: [FileResult?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    /// Stores `r` unless slot `i` already holds a result (a timed-out file's late answer is dropped).
    func setIfEmpty(_ i: Int, _ r: FileResult) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard slots[i] == nil else { return false }
        slots[i] = r
        return true
    }
    func isSet(_ i: Int) -> Bool { lock.lock(); defer { lock.unlock() }; return slots[i] != nil }
    func all() -> [FileResult] { lock.lock(); defer { lock.unlock() }; return slots.map { $0 ?? .failure("internal error: no result") } }
}
