import ArgumentParser
import Audit
import Foundation
import Glibc

/// The shared PostgreSQL database of a queue-driven audit: `--db postgresql://…` or VOICEQA_DB.
struct SharedDatabaseOption: ParsableArguments {
    @Option(help: "The shared audit database, postgresql://user@host:port/dbname (default: $VOICEQA_DB). Passwords from PGPASSWORD, ~/.pgpass or PGSERVICE.")
    var db: String?

    var url: String? { db ?? ProcessInfo.processInfo.environment["VOICEQA_DB"] }

    func validate() throws {
        guard let url else { throw ValidationError("give --db postgresql://user@host:port/dbname (or set VOICEQA_DB)") }
        guard AuditBackend.isPostgres(url) else {
            throw ValidationError("the work queue needs a shared PostgreSQL database (postgresql://…), not \(url); for one machine use `voiceqa audit run`")
        }
    }

    func open() throws -> PostgresAuditStore {
        do { return try PostgresAuditStore(url: url!) } catch let e as AuditError { throw AuditFailure(e.description) }
    }
}

/// Which store a `--db` value names.
enum AuditBackend {
    static func isPostgres(_ db: String) -> Bool { db.hasPrefix("postgresql://") || db.hasPrefix("postgres://") }
}

struct AuditEnqueue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Load a batch into the shared queue (PostgreSQL) for `voiceqa audit work` processes on any machines.")

    @Argument(help: "Files or folders (searched recursively), as for `audit run`; the paths workers read must be the same on every machine.")
    var paths: [String] = []
    @Option(help: "Manifest CSV: path, agent, team, date, language, agent_channel (+ tags).")
    var manifest: String?
    @Option(help: "Take agent, team and date from each path, e.g. 'calls/{team}/{agent}/{date}/*'.")
    var agentFrom: String?
    @OptionGroup var database: SharedDatabaseOption

    func validate() throws {
        if paths.isEmpty == (manifest == nil) { throw ValidationError("give PATHs or --manifest FILE (one of them)") }
    }

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let scan: InputScan
            if let manifest { scan = try Manifest.load(path: manifest) } else {
                scan = try AuditInputs.scan(arguments: paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                                            pattern: try agentFrom.map { try PathPattern($0) })
            }
            let queue = WorkQueue(store: try database.open())
            let added = try queue.enqueue(scan.inputs)
            let status = try queue.status()
            try StandardOutput.write("enqueue: \(scan.inputs.count) file(s), \(added) new, \(scan.inputs.count - added) queued again"
                                     + (scan.notAudio.isEmpty ? "" : "; \(scan.notAudio.count) not audio, skipped")
                                     + "; queue: \(status.queued) queued, \(status.running) running, \(status.done) done, \(status.failed) failed")
        }
    }
}

struct AuditWork: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Claim and analyse calls from the shared queue until none is left; run any number at once, on any machines.")

    @OptionGroup var database: SharedDatabaseOption
    @Flag(help: "Store the analysis without the F0 track and per-second series.")
    var noSeries = false
    @Flag(help: .hidden) var timing = false
    @OptionGroup var analysis: AnalysisArguments

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let rubric = try analysis.loadRubric()
            let options = try analysis.analysisOptions(rubric: rubric, pitchTrack: !noSeries)
            let settings = AuditRunner.Settings(
                jobs: 1, options: options, rubric: rubric,
                customRubricJSON: analysis.rubric == nil ? nil : AnalysisKey.canonicalRubric(rubric),
                includeSeries: !noSeries, timeLimitSeconds: analysis.timeLimitSeconds)
            let queue = WorkQueue(store: try database.open())
            // Test-only: hold each claim this long before analysing (the kill test); ignored unless set.
            let delay = ProcessInfo.processInfo.environment["VOICEQA_TEST_CLAIM_DELAY_SECONDS"].flatMap(Double.init)
            let pid = getpid()
            let outcome = try queue.work(settings: settings, pool: AuditRunner.workerPool(settings: settings),
                                         claimDelaySeconds: delay) { line in StandardOutput.error("work[\(pid)]: \(line)") }
            try StandardOutput.write("work: \(outcome.analysedCount) analysed, \(outcome.alreadyDoneCount) already done, \(outcome.failedCount) failed"
                                     + String(format: "; %.2f h of audio", outcome.audioSeconds / 3600))
            if timing {
                try StandardOutput.write(String(format: "timing: wall %.3f s, store %.3f s", outcome.wallSeconds, outcome.storeSeconds))
            }
            if outcome.failedCount > 0 { throw ExitCode(ExitCodes.someFilesFailed) }
        }
    }
}

struct AuditStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the shared queue: queued, running (claimed by a live worker), done, failed.")
    @OptionGroup var database: SharedDatabaseOption
    @Option(help: "text or json.") var format: String = "text"

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let s = try WorkQueue(store: try database.open()).status()
            if format == "json" {
                try StandardOutput.write("{\"queued\":\(s.queued),\"running\":\(s.running),\"done\":\(s.done),\"failed\":\(s.failed)}")
            } else {
                try StandardOutput.write("queued \(s.queued), running \(s.running), done \(s.done), failed \(s.failed)")
            }
        }
    }
}
