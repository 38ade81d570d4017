import CallAnalysis
import Foundation
import Rubric

/// `voiceqa audit run`: keys each input, skips what the store has, analyses the rest in worker
/// children (`jobs` at once) and commits each result in its own transaction from this one loop
/// (the store's single writer). A result counts as done only once committed.
public struct AuditRunner {
    public struct Settings: Sendable {
        public var jobs: Int
        /// The command line's options; a manifest's `language` and `agent_channel` override them per file.
        public var options: AnalysisOptions
        public var rubric: Rubric
        /// The rubric's canonical JSON for the workers; nil for the built-in one.
        public var customRubricJSON: String?
        public var includeSeries: Bool
        public var timeLimitSeconds: Double?
        public init(jobs: Int, options: AnalysisOptions, rubric: Rubric, customRubricJSON: String?, includeSeries: Bool, timeLimitSeconds: Double?) {
            self.jobs = jobs; self.options = options; self.rubric = rubric; self.customRubricJSON = customRubricJSON
            self.includeSeries = includeSeries; self.timeLimitSeconds = timeLimitSeconds
        }
    }

    public struct Outcome: Sendable {
        public var analysedCount = 0
        /// Inputs whose key the store already had (or that share bytes with another input of this run).
        public var alreadyDoneCount = 0
        public var failedCount = 0
        public var audioSeconds = 0.0
        public var wallSeconds = 0.0
        /// Time spent in store calls, hashing files (on a thread beside the run), and in the workers
        /// beyond their analysis (start-up, output).
        public var storeSeconds = 0.0
        public var hashSeconds = 0.0
        public var workerOverheadSeconds = 0.0
        public var workerAnalysisSeconds = 0.0
        /// The same as CPU time: the parent's in store calls and hashing, the workers' in all and in
        /// their own decode and analysis (the rest is start-up and hand-over).
        public var storeCPUSeconds = 0.0
        public var hashCPUSeconds = 0.0
        public var workerCPUSeconds = 0.0
        public var workerAnalysisCPUSeconds = 0.0
        /// The largest peak resident memory of any worker, MB, and how many workers were started.
        public var workerPeakResidentMB = 0.0
        public var workersStarted = 0
        public var failures: [FailureRow] = []
    }

    /// The worker's command line (the hidden `audit worker --serve` subcommand): what is the same
    /// for every file; each file's path and options come as a `WorkerProtocol.Request`.
    public static func workerArguments(settings: Settings) -> [String] {
        var args = ["audit", "worker", "--serve"]
        if let rubric = settings.customRubricJSON { args += ["--rubric-json", rubric] }
        if settings.includeSeries { args.append("--series") }
        if let t = settings.timeLimitSeconds { args += ["--timeout", String(t)] }
        return args
    }

    /// Workers for `settings`: stopped 5 s after the analysis' own time limit, when one is set.
    public static func workerPool(settings: Settings, executable: String = WorkerPool.currentExecutable()) -> WorkerPool {
        WorkerPool(executable: executable, arguments: workerArguments(settings: settings),
                   timeLimitSeconds: settings.timeLimitSeconds.map { $0 + 5 })
    }

    let store: AuditStore
    let settings: Settings
    let pool: WorkerPool
    let progress: Progress?

    public init(store: AuditStore, settings: Settings, pool: WorkerPool, progress: Progress?) {
        self.store = store; self.settings = settings; self.pool = pool; self.progress = progress
    }

    private struct Job {
        var key: AnalysisKey
        var options: AnalysisOptions
        var inputs: [AuditInput]
    }

    public func run(_ inputs: [AuditInput]) throws -> Outcome {
        let clock = ContinuousClock()
        let started = clock.now
        var outcome = Outcome()
        let rubricSHA = AnalysisKey.rubricSHA256(settings.rubric)
        var storeTime = Duration.zero, storeCPU = 0.0
        func timedStore<T>(_ body: () throws -> T) rethrows -> T {
            let t0 = clock.now, cpu0 = WorkerPool.threadCPUSeconds()
            defer { storeTime += t0.duration(to: clock.now); storeCPU += WorkerPool.threadCPUSeconds() - cpu0 }
            return try body()
        }
        try timedStore {
            try store.addRubric(RubricEntry(sha256: rubricSHA, version: settings.rubric.rubricVersion,
                                            canonicalJSON: AnalysisKey.canonicalRubric(settings.rubric), addedAt: AuditTime.now()))
        }
        var known = try timedStore { try store.analysisKeys() }
        var jobs: [Int: Job] = [:]              // running, by job number
        var runningByKey: [String: Int] = [:]
        var nextInput = 0, nextJob = 0
        progress?.begin(total: inputs.count)

        func fail(_ input: AuditInput, _ reason: String, stderr: String = "") throws {
            let row = FailureRow(path: input.path, filePath: input.filePath, reason: reason, stderr: stderr)
            try timedStore { try store.commitFailure(row) }
            outcome.failedCount += 1
            outcome.failures.append(row)
            progress?.fileDone(failed: true, audioSeconds: 0)
        }

        let prefetcher = HashPrefetcher(paths: inputs.map(\.filePath), lookahead: max(1, settings.jobs) + 2)
        defer { prefetcher.stop() }
        while nextInput < inputs.count || !jobs.isEmpty {
            // Start work while there are free workers and the next input's key is known.
            var waitingForHash = false
            while jobs.count < max(1, settings.jobs), nextInput < inputs.count {
                // With every worker idle, wait for the hash; otherwise look, and go back to the workers.
                guard let hashed = prefetcher.take(nextInput, waitingUpTo: jobs.isEmpty ? 0.2 : 0) else { waitingForHash = true; break }
                let input = inputs[nextInput]; nextInput += 1
                var options = settings.options
                if let language = input.language { options.language = language }
                if let channel = input.agentChannel { options.agentChannel = channel; options.channelPair = nil }
                let fileSHA: String
                switch hashed {
                case let .success(sha): fileSHA = sha
                case let .failure(error):
                    try fail(input, "\(error)")
                    continue
                }
                let key = AnalysisKey(fileSHA256: fileSHA, settingsSHA256: AnalysisKey.settingsSHA256(options), rubricSHA256: rubricSHA)
                let keyValue = key.value
                if known.contains(keyValue) {
                    try timedStore { try store.commit(analysis: nil, key: keyValue, recordings: [RecordingRow(input, fileSHA256: fileSHA)]) }
                    outcome.alreadyDoneCount += 1
                    progress?.fileDone(failed: false, audioSeconds: 0, skipped: true)
                    continue
                }
                if let running = runningByKey[keyValue] {         // the same bytes again: analysed once
                    jobs[running]!.inputs.append(input)
                    continue
                }
                let job = nextJob; nextJob += 1
                do {
                    try pool.submit(job: job, request: WorkerProtocol.Request(file: input.filePath, options: options).line())
                } catch {
                    try fail(input, "\(error)")
                    continue
                }
                jobs[job] = Job(key: key, options: options, inputs: [input])
                runningByKey[keyValue] = job
            }
            for done in pool.poll(timeoutMilliseconds: waitingForHash ? 5 : 100) {
                guard let job = jobs.removeValue(forKey: done.job) else { continue }
                let keyValue = job.key.value
                runningByKey[keyValue] = nil
                let stderrText = String(decoding: done.stderr, as: UTF8.self)
                switch Self.parse(done) {
                case let .success(digest, report):
                    let record = AnalysisRecord(key: job.key, settingsJSON: AnalysisKey.canonicalSettings(job.options), digest: digest,
                                                reportJSON: report, workerStderr: stderrText)
                    try timedStore {
                        try store.commit(analysis: record, key: keyValue,
                                         recordings: job.inputs.map { RecordingRow($0, fileSHA256: job.key.fileSHA256) })
                    }
                    known.insert(keyValue)
                    outcome.analysedCount += 1
                    outcome.alreadyDoneCount += job.inputs.count - 1
                    outcome.audioSeconds += digest.durationSeconds
                    outcome.workerAnalysisSeconds += digest.analysisSeconds ?? 0
                    outcome.workerAnalysisCPUSeconds += digest.analysisCPUSeconds ?? 0
                    outcome.workerOverheadSeconds += max(0, done.wallSeconds - (digest.analysisSeconds ?? done.wallSeconds))
                    progress?.fileDone(failed: false, audioSeconds: digest.durationSeconds)
                    for _ in 1..<job.inputs.count { progress?.fileDone(failed: false, audioSeconds: 0, skipped: true) }
                case let .failure(reason):
                    for input in job.inputs { try fail(input, reason, stderr: stderrText) }
                }
            }
            progress?.tick()
        }
        pool.shutDown()
        outcome.workerCPUSeconds = pool.childCPUSeconds
        outcome.workerPeakResidentMB = pool.childPeakResidentMB
        outcome.workersStarted = pool.childrenStarted
        outcome.hashSeconds = prefetcher.hashSeconds
        outcome.hashCPUSeconds = prefetcher.hashCPUSeconds
        outcome.storeCPUSeconds = storeCPU
        outcome.storeSeconds = WorkerPool.seconds(storeTime)
        outcome.wallSeconds = WorkerPool.seconds(started.duration(to: clock.now))
        progress?.end()
        return outcome
    }

    static func hashFile(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw AuditError.cannotRead(path: path, reason: "no such file") }
        if isDirectory.boolValue { throw AuditError.cannotRead(path: path, reason: "is a folder") }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw AuditError.cannotRead(path: path, reason: "not a regular file (FIFO, device or socket)")
        }
        return try SHA256.hex(ofFileAt: path)
    }

    enum Parsed {
        case success(AnalysisDigest, Data)
        case failure(String)
    }

    /// A worker's output: the digest line, then the report JSON; or a reason on stdout with exit status 1.
    static func parse(_ done: WorkerPool.Finished) -> Parsed {
        if done.timedOut { return .failure("timed out (no result within the --timeout limit; the worker was stopped)") }
        if let signal = done.signal {
            return .failure("the worker analysing it was killed by \(WorkerPool.signalName(signal)) (signal \(signal))"
                            + (signal == SIGKILL ? "" : "; a crash in a decoder library, most likely"))
        }
        let text = done.stdout
        guard done.exitStatus == 0 else {
            let reason = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(reason.isEmpty ? "the worker exited with status \(done.exitStatus ?? -1) without a result" : reason)
        }
        guard let newline = text.firstIndex(of: 0x0A),
              let digest = try? JSONDecoder().decode(AnalysisDigest.self, from: Data(text[..<newline])) else {
            return .failure("internal error: the worker's output is not a result")
        }
        return .success(digest, Data(text[(newline + 1)...]).trimmingTrailingNewline())
    }
}

extension Data {
    func trimmingTrailingNewline() -> Data { last == 0x0A ? dropLast() : self }
}
