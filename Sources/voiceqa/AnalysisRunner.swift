import CallAnalysis
import Dispatch
import Foundation
import Reports
import Rubric

enum FileResult: Sendable {
    /// The report, and its text as the command prints it when the runner was asked to render it.
    case success(AnalysisReport, rendered: String?)
    case failure(String)
}

/// A hand-over that cannot go on for any file (standard output closed, say): the runner starts no
/// further file and the command ends with this one line and a non-zero exit.
struct FatalHandOverError: Error, CustomStringConvertible {
    var description: String
}

/// Runs analyses on several files at once (one per core), returning results in input order.
///
/// Each finished result is handed over (`onEach`: printed, written, stored) on the worker's thread,
/// and a file counts as finished only when its hand-over has returned: `run` returns after every
/// hand-over has completed, so nothing is lost when the process exits right after. A hand-over that
/// throws makes that file a failure; one that throws `FatalHandOverError` also stops the run.
///
/// Each file has a wall-time limit (`timeLimitSeconds`, nil for none): the analyzer stops itself
/// between decode blocks, and a watchdog here fails a file that overruns anyway (stuck inside one
/// library call) and moves on without waiting for it. The abandoned worker's late result is never
/// handed over. An abandoned worker keeps its thread until the process exits; `abandonedCount`
/// says how many there were. A file whose hand-over has begun is waited for, never abandoned.
enum AnalysisRunner {
    struct Outcome {
        var results: [FileResult]
        var abandonedCount: Int
        /// Set when a hand-over threw `FatalHandOverError`; files not started are failures naming it.
        var fatalError: String?
    }

    /// - Parameter render: the JSON the command prints for each report, if it prints one per
    ///   report: rendered once, in the worker, which also checks that the report holds no
    ///   non-finite value (otherwise the report is encoded once for that check alone).
    static func run(files: [String], options: AnalysisOptions, jobs: Int, includeSeries: Bool, rubric: Rubric = .builtIn,
                    timeLimitSeconds: Double? = nil, render: (@Sendable (AnalysisReport) throws -> String)? = nil,
                    onEach: (@Sendable (_ index: Int, FileResult) throws -> Void)?) -> Outcome {
        let slots = ResultSlots(count: files.count)
        let finished = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "voiceqa.analyze", attributes: .concurrent)
        let watchdogGraceSeconds = 0.5           // the analyzer's own check fires first when it can
        var running: [(index: Int, started: ContinuousClock.Instant)] = []
        var next = 0, abandoned = 0
        while (next < files.count && slots.fatalError == nil) || !running.isEmpty {
            while running.count < max(1, jobs) && next < files.count && slots.fatalError == nil {
                let i = next, path = files[i]
                next += 1
                running.append((i, .now))
                queue.async {
                    defer { finished.signal() }
                    // Fewer files than cores: pitch of each call on a core of its own (same result).
                    let result = analyze(path: path, options: options, includeSeries: includeSeries, rubric: rubric,
                                         timeLimitSeconds: timeLimitSeconds, secondThread: files.count < max(1, jobs),
                                         render: render)
                    // Only the first of worker and watchdog may settle a slot; a late result is dropped.
                    guard slots.beginHandOver(i) else { return }
                    var settled = result
                    if let onEach {
                        do { try onEach(i, result) } catch let fatal as FatalHandOverError {
                            slots.setFatal(fatal.description)
                            settled = .failure(fatal.description)
                        } catch {
                            settled = .failure("\(path): \(error)")
                        }
                    }
                    slots.finish(i, settled)
                }
            }
            _ = finished.wait(timeout: .now() + .milliseconds(20))
            running.removeAll { job in
                if slots.isFinished(job.index) { return true }
                guard let limit = timeLimitSeconds,
                      job.started.duration(to: .now) > .milliseconds(Int64((limit + watchdogGraceSeconds) * 1000)) else { return false }
                let timedOut = FileResult.failure("\(AnalysisError.timedOut(path: files[job.index], limitSeconds: limit))")
                guard slots.beginHandOver(job.index) else { return false }   // its hand-over has begun: wait for it
                // The worker is stuck in a library call and keeps its thread; its result will be dropped.
                slots.finish(job.index, timedOut)
                abandoned += 1
                return true
            }
        }
        let fatal = slots.fatalError
        let results = slots.all(notStarted: fatal.map { FileResult.failure($0) })
        return Outcome(results: results, abandonedCount: abandoned, fatalError: fatal)
    }

    private static func analyze(path: String, options: AnalysisOptions, includeSeries: Bool, rubric: Rubric,
                                timeLimitSeconds: Double?, secondThread: Bool,
                                render: (@Sendable (AnalysisReport) throws -> String)?) -> FileResult {
        do {
            let analysis = try CallAnalyzer.analyze(path: path, options: options, timeLimitSeconds: timeLimitSeconds,
                                                    secondThread: secondThread)
            let report = AnalysisReport(analysis, includeSeries: includeSeries, rubric: rubric)
            // A value JSON cannot hold (NaN, ±Inf) fails this file, not the whole run. Encoding the
            // report checks it: the text printed, when the command wants one per report (issue 18:
            // the report was encoded twice), else a compact encoding for the check alone.
            do {
                if let render { return .success(report, rendered: try render(report)) }
                _ = try ReportRenderer.json(report, pretty: false)
                return .success(report, rendered: nil)
            } catch {
                return .failure("\(path): internal error: the report holds a non-finite value (\(error))")
            }
        } catch {
            return .failure("\(error)")
        }
    }
}

/// One slot per file: pending → handing over (claimed by the worker or the watchdog, exactly one)
/// → finished. The main loop counts a file as done only when it is finished.
final class ResultSlots: @unchecked Sendable {
    private enum State { case pending, handingOver, finished(FileResult) }
    private var slots: [State]
    private var fatal: String?
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: .pending, count: count) }

    /// Claims slot `i` for a hand-over; false when the other party already has it.
    func beginHandOver(_ i: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard case .pending = slots[i] else { return false }
        slots[i] = .handingOver
        return true
    }
    func finish(_ i: Int, _ r: FileResult) { lock.lock(); slots[i] = .finished(r); lock.unlock() }
    func isFinished(_ i: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if case .finished = slots[i] { return true }
        return false
    }
    func setFatal(_ message: String) { lock.lock(); if fatal == nil { fatal = message }; lock.unlock() }
    var fatalError: String? { lock.lock(); defer { lock.unlock() }; return fatal }
    func all(notStarted: FileResult?) -> [FileResult] {
        lock.lock(); defer { lock.unlock() }
        return slots.map {
            if case let .finished(r) = $0 { return r }
            return notStarted ?? .failure("internal error: no result")
        }
    }
}
