import Foundation

/// Hashes the batch's files on a thread of its own, a few files ahead of the run, so a free worker
/// never waits for the parent to read the next file (hashing a 5-minute call takes about as long
/// as starting its worker). Results are taken in input order; at most `lookahead` wait untaken.
final class HashPrefetcher: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Int: Result<String, AuditError>] = [:]
    private var consumed = 0
    private var stopped = false
    private var hashNanoseconds: UInt64 = 0
    private var hashCPU = 0.0
    private let paths: [String]
    private let lookahead: Int

    init(paths: [String], lookahead: Int) {
        self.paths = paths
        self.lookahead = max(1, lookahead)
        let thread = Thread { [self] in work() }
        thread.name = "voiceqa.audit.hash"
        thread.start()
    }

    private func work() {
        for i in paths.indices {
            condition.lock()
            while i >= consumed + lookahead && !stopped { condition.wait() }
            let stop = stopped
            condition.unlock()
            if stop { return }
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = WorkerPool.threadCPUSeconds()
            let result: Result<String, AuditError>
            do { result = .success(try AuditRunner.hashFile(paths[i])) } catch let e as AuditError { result = .failure(e) } catch {
                result = .failure(.cannotRead(path: paths[i], reason: "\(error)"))
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds - start, cpu = WorkerPool.threadCPUSeconds() - cpuStart
            condition.lock()
            results[i] = result
            hashNanoseconds += elapsed
            hashCPU += cpu
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The hash of input `i` if ready; waits up to `timeoutSeconds` for it.
    func take(_ i: Int, waitingUpTo timeoutSeconds: Double) -> Result<String, AuditError>? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while results[i] == nil && Date() < deadline { _ = condition.wait(until: deadline) }
        guard let r = results.removeValue(forKey: i) else { return nil }
        consumed = i + 1
        condition.broadcast()
        return r
    }

    /// Total time spent hashing so far, seconds (on the hashing thread, beside the run).
    var hashSeconds: Double {
        condition.lock(); defer { condition.unlock() }
        return Double(hashNanoseconds) / 1e9
    }

    /// CPU time spent hashing so far, seconds.
    var hashCPUSeconds: Double {
        condition.lock(); defer { condition.unlock() }
        return hashCPU
    }

    func stop() {
        condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
    }
}
