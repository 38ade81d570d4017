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
enum AnalysisRunner {
    static func run(files: [String], options: AnalysisOptions, jobs: Int, includeSeries: Bool, rubric: Rubric = .builtIn,
                    onEach: (@Sendable (FileResult) -> Void)?) -> [FileResult] {
        let results = ResultSlots(count: files.count)
        let semaphore = DispatchSemaphore(value: max(1, jobs))
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "voiceqa.analyze", attributes: .concurrent)
        for (i, path) in files.enumerated() {
            semaphore.wait()
            group.enter()
            queue.async {
                defer { semaphore.signal(); group.leave() }
                let result: FileResult
                do {
                    let analysis = try CallAnalyzer.analyze(path: path, options: options)
                    result = .success(AnalysisReport(analysis, includeSeries: includeSeries, rubric: rubric))
                } catch {
                    result = .failure("\(error)")
                }
                results.set(i, result)
                onEach?(result)
            }
        }
        group.wait()
        return results.all()
    }
}

final class ResultSlots: @unchecked Sendable {
    private var slots: [FileResult?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: FileResult) { lock.lock(); slots[i] = r; lock.unlock() }
    func all() -> [FileResult] { lock.lock(); defer { lock.unlock() }; return slots.map { $0 ?? .failure("internal error: no result") } }
}
