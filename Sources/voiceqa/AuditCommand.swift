import ArgumentParser
import Audit
import CallAnalysis
import Foundation
import Glibc
import Reports
import Rubric
import SpeechAnalysis

/// `voiceqa audit`: batch audits with results in SQLite (docs/audit.md).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Audit a batch of calls; results in SQLite (docs/audit.md).",
        subcommands: [AuditRun.self, AuditSummaryCommand.self, AuditRescore.self, AuditExport.self, AuditFailures.self, AuditCheck.self, AuditMerge.self, AuditEnqueue.self, AuditWork.self, AuditStatus.self, AuditWorker.self])
}

/// Options every audit subcommand takes.
struct AuditDatabaseOption: ParsableArguments {
    @Option(help: "The audit database: an SQLite file (created by `audit run`), or a shared PostgreSQL database postgresql://user@host:port/dbname (docs/scale.md). Default: $VOICEQA_DB.")
    var db: String?

    func validate() throws {
        if location == nil { throw ValidationError("give --db FILE.sqlite or --db postgresql://… (or set VOICEQA_DB)") }
    }

    /// The database named by --db or VOICEQA_DB.
    var location: String? { db ?? ProcessInfo.processInfo.environment["VOICEQA_DB"] }

    /// The store, SQLite or PostgreSQL by the form of the location.
    func open(create: Bool) throws -> any AuditStore {
        let location = location!
        do {
            if AuditBackend.isPostgres(location) { return try PostgresAuditStore(url: location) }
            return try SQLiteAuditStore(path: location, create: create)
        } catch let e as AuditError { throw AuditFailure(e.description) }
    }

    /// The SQLite file, for what only SQLite has (integrity check); a PostgreSQL URL is refused.
    func openSQLite(create: Bool) throws -> SQLiteAuditStore {
        let location = location!
        if AuditBackend.isPostgres(location) {
            throw AuditFailure("this command reads an SQLite audit file; for PostgreSQL use its own tools (e.g. amcheck) and `voiceqa audit status`")
        }
        do { return try SQLiteAuditStore(path: location, create: create) } catch let e as AuditError { throw AuditFailure(e.description) }
    }
}

/// One error line on stderr and exit status 1 (a database that cannot be used, a failed write).
struct AuditFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension ParsableCommand {
    /// Runs `body`, turning an `AuditFailure` or `AuditError` into one stderr line and exit status 1.
    func reportingFailures(_ body: () throws -> Void) throws {
        do { try body() } catch let f as AuditFailure {
            StandardOutput.error("voiceqa: \(f.message)")
            throw ExitCode(ExitCodes.someFilesFailed)
        } catch let e as AuditError {
            StandardOutput.error("voiceqa: \(e.description)")
            throw ExitCode(ExitCodes.someFilesFailed)
        } catch let e as StandardOutput.WriteError {
            StandardOutput.error("voiceqa: \(e)")
            throw ExitCode(ExitCodes.someFilesFailed)
        }
    }
}

struct AuditRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Analyse the recordings under PATHs (or in a manifest) into the audit database; reruns skip what is done.")

    @Argument(help: "Files or folders (searched recursively; hidden entries skipped).")
    var paths: [String] = []

    @Option(help: "Manifest CSV: path, agent, team, date, language, agent_channel (+ tags); paths relative to its folder.")
    var manifest: String?

    @OptionGroup var database: AuditDatabaseOption

    @Option(help: "Take agent, team and date from each path, e.g. 'calls/{team}/{agent}/{date}/*'.")
    var agentFrom: String?

    @Flag(help: "Store the analysis without the F0 track and per-second series (smaller database).")
    var noSeries = false

    @Flag(help: .hidden) var timing = false

    @Option(help: "Take only shard K of N of the inputs (K/N, e.g. 0/4), by a hash of each path; or auto: K and N from a Slurm job array or a Kubernetes Indexed Job (docs/scale.md).")
    var shard: String?

    @Option(help: "With --shard auto in a Kubernetes Indexed Job: the number of shards (the Job's completions; default: VOICEQA_SHARD_COUNT).")
    var shardCount: Int?

    @OptionGroup var analysis: AnalysisArguments

    /// The shard this process takes, if any; a bad value or `auto` outside a scheduler is one line.
    func selectedShard() throws -> Shard? {
        guard let shard else { return nil }
        do {
            if shard == "auto" { return try Shard.fromScheduler(environment: ProcessInfo.processInfo.environment, kubernetesCount: shardCount) }
            return try Shard.parse(shard)
        } catch let e as ShardError { throw ValidationError(e.description) }
    }

    func validate() throws {
        if paths.isEmpty && manifest == nil { throw ValidationError("give PATHs or --manifest FILE") }
        if !paths.isEmpty && manifest != nil { throw ValidationError("give PATHs or --manifest, not both") }
        if manifest != nil && agentFrom != nil { throw ValidationError("--agent-from reads paths; with --manifest, give agent, team and date as columns") }
    }

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let rubric = try analysis.loadRubric()
            let options = try analysis.analysisOptions(rubric: rubric, pitchTrack: !noSeries)
            var scan: InputScan
            if let manifest { scan = try Manifest.load(path: manifest) } else {
                scan = try AuditInputs.scan(arguments: paths, pattern: try agentFrom.map { try PathPattern($0) })
            }
            let shardValue = try selectedShard()
            if let shardValue { scan.inputs = scan.inputs.filter { shardValue.contains(path: $0.path) } }
            let store = try database.open(create: true)
            let startedAt = AuditTime.now()
            let settings = AuditRunner.Settings(
                jobs: analysis.jobCount, options: options, rubric: rubric,
                customRubricJSON: analysis.rubric == nil ? nil : AnalysisKey.canonicalRubric(rubric),
                includeSeries: !noSeries, timeLimitSeconds: analysis.timeLimitSeconds)
            let progress = Progress(isTerminal: isatty(STDERR_FILENO) != 0) { text in
                FileHandle.standardError.write(Data(text.utf8))
            }
            let runner = AuditRunner(store: store, settings: settings, pool: AuditRunner.workerPool(settings: settings),
                                     progress: progress)
            let outcome = try runner.run(scan.inputs)
            for f in outcome.failures {
                StandardOutput.error("voiceqa: " + (f.reason.hasPrefix(f.filePath) ? f.reason : "\(f.filePath): \(f.reason)"))
            }
            try? store.logRun(RunRow(startedAt: startedAt, finishedAt: AuditTime.now(), toolVersion: VoiceQAVersion.string,
                                     arguments: AuditRunLog.redactedArguments(CommandLine.arguments.dropFirst()),
                                     analysedCount: outcome.analysedCount, skippedCount: outcome.alreadyDoneCount,
                                     failedCount: outcome.failedCount, notAudioCount: scan.notAudio.count))
            var line = "audit: " + (shardValue.map { "shard \($0): " } ?? "") + "\(scan.inputs.count) file(s): \(outcome.analysedCount) analysed, \(outcome.alreadyDoneCount) already in the database, \(outcome.failedCount) failed"
            if !scan.notAudio.isEmpty { line += "; \(scan.notAudio.count) not audio, skipped" }
            if !scan.unmatchedPattern.isEmpty { line += "; \(scan.unmatchedPattern.count) not matching --agent-from (no agent)" }
            line += String(format: "; %.2f h of audio in %.1f s", outcome.audioSeconds / 3600, outcome.wallSeconds)
            if outcome.wallSeconds > 0, outcome.audioSeconds > 0 { line += String(format: " (%.0f× realtime)", outcome.audioSeconds / outcome.wallSeconds) }
            try StandardOutput.write(line)
            if timing {
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                try StandardOutput.write(String(format: "timing: wall %.3f s, store %.3f s, hashing %.3f s, worker analysis %.3f s, worker start-up and hand-over %.3f s, parent peak %.1f MB, worker peak %.1f MB",
                                                outcome.wallSeconds, outcome.storeSeconds, outcome.hashSeconds,
                                                outcome.workerAnalysisSeconds, outcome.workerOverheadSeconds,
                                                Double(usage.ru_maxrss) / 1024, outcome.workerPeakResidentMB))
                try StandardOutput.write(String(format: "cpu: parent %.3f s, store %.3f s, hashing %.3f s, workers %.3f s, worker analysis %.3f s",
                                                WorkerPool.cpuSeconds(usage), outcome.storeCPUSeconds, outcome.hashCPUSeconds,
                                                outcome.workerCPUSeconds, outcome.workerAnalysisCPUSeconds))
                try StandardOutput.write("workers: \(outcome.workersStarted) started for \(outcome.analysedCount + outcome.failedCount) file(s)")
            }
            if outcome.failedCount > 0 { throw ExitCode(ExitCodes.someFilesFailed) }
        }
    }
}

/// The hidden worker (`audit run` and `audit work` start it; `WorkerPool`): reads one request
/// line per file on stdin and answers each with one frame on what was its stdout — the digest
/// line, then the report JSON; on failure a reason with status 1 — until stdin ends. Anything a
/// library prints on stdout goes to stderr, which the parent hands over with the file's result.
struct AuditWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "(internal) analyse files for `audit run` and `audit work`.",
                                                    shouldDisplay: false)
    @Flag(help: "Read requests on stdin (the only mode).") var serve = false
    @Option var rubricJson: String?
    @Flag var series = false
    @Option var timeout: Double?

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        let resultFD = dup(STDOUT_FILENO)
        guard serve, resultFD >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else { throw ExitCode.failure }
        let rubric: Rubric
        do { rubric = try rubricJson.map { try Rubric.parse(Data($0.utf8)) } ?? .builtIn } catch {
            StandardOutput.error("voiceqa audit worker: --rubric-json: \(error)")
            throw ExitCode.failure
        }
        let clock = ContinuousClock()
        while let line = readLine(strippingNewline: true) {
            let started = clock.now
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let cpuStart = WorkerPool.cpuSeconds(usage)
            var status: Int32 = 0
            var payload: String
            do {
                let request = try JSONDecoder().decode(WorkerProtocol.Request.self, from: Data(line.utf8))
                let analysis = try CallAnalyzer.analyze(path: request.file, options: request.options, timeLimitSeconds: timeout)
                let report = AnalysisReport(analysis, includeSeries: series, rubric: rubric)
                let json = try ReportRenderer.json(report, pretty: false)
                let d = started.duration(to: clock.now)
                getrusage(RUSAGE_SELF.rawValue, &usage)
                let digest = AnalysisDigest(report, analysisSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18,
                                            analysisCPUSeconds: WorkerPool.cpuSeconds(usage) - cpuStart)
                payload = try digest.jsonLine() + "\n" + json
            } catch {
                status = 1
                payload = "\(error)"
            }
            let frame = WorkerProtocol.frame(status: status, payload: Array(payload.utf8))
            var offset = 0
            while offset < frame.count {
                let n = frame.withUnsafeBytes { Glibc.write(resultFD, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 { if errno == EINTR { continue }; throw ExitCode.failure }     // the parent is gone
                offset += n
            }
        }
    }
}

/// `--rubric` for the reading commands: a hash prefix, a rubricVersion or a rubric file.
func pickRubric(_ store: any AuditStore, _ choice: String?) throws -> (RubricEntry, Rubric) {
    let all = try store.rubrics()
    guard !all.isEmpty else { throw AuditFailure("\(store.displayName) holds no analyses yet") }
    var entry: RubricEntry? = all.last
    if let choice {
        if FileManager.default.fileExists(atPath: choice) {
            let rubric: Rubric
            do { rubric = try Rubric.load(path: choice) } catch let e as RubricError { throw ValidationError(e.description) }
            let sha = AnalysisKey.rubricSHA256(rubric)
            entry = all.first { $0.sha256 == sha }
        } else {
            let matches = all.filter { $0.sha256.hasPrefix(choice.lowercased()) || $0.version == choice }
            if matches.count > 1 { throw AuditFailure("--rubric \(choice) names \(matches.count) rubrics; give more of the hash") }
            entry = matches.first
        }
        guard entry != nil else { throw AuditError.noSuchRubric(prefix: choice) }
    }
    let e = entry!
    let rubric = (try? Rubric.parse(Data(e.canonicalJSON.utf8))) ?? .builtIn
    return (e, rubric)
}

enum SummaryFormat: String, ExpressibleByArgument, CaseIterable { case text, csv, json, html }

struct AuditSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "Calls, score, pass rates and voice measures per agent, team, date or ISO week; agents far from their peers.")

    @OptionGroup var database: AuditDatabaseOption

    @Option(help: "Group by agent, team, date or week (ISO 8601).")
    var by: AuditSummary.Grouping = .agent

    @Option(help: "text, csv, json, or html (a page and the worst calls' coaching pages in the folder -o DIR).")
    var format: SummaryFormat = .text

    @Option(name: .shortAndLong, help: "Write to this file (this folder for html) instead of stdout.")
    var output: String?

    @Option(help: "Which rubric's verdicts to read: hash prefix, rubricVersion or rubric file (default: the latest judged).")
    var rubric: String?

    @Option(help: "Calls an agent needs before being compared with peers.")
    var minCalls = 10

    @Option(help: "Agents (with enough calls) a team needs before its agents are compared.")
    var minAgents = 3

    @Option(help: "Language of the HTML page: zh, ja or en.")
    var pageLanguage: SpeechLanguage = .en

    @Flag(help: "List the rubrics the database holds, latest last.")
    var listRubrics = false

    func validate() throws {
        if format == .html && output == nil { throw ValidationError("--format html writes a folder: give -o DIR") }
        if minCalls < 1 || minAgents < 2 { throw ValidationError("--min-calls must be at least 1 and --min-agents at least 2") }
    }

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let store = try database.open(create: false)
            if listRubrics {
                for r in try store.rubrics() { try StandardOutput.write("\(r.sha256)  \(r.version)  added \(r.addedAt)") }
                return
            }
            let (entry, rubric) = try pickRubric(store, self.rubric)
            let calls = try store.summaryCalls(rubricSHA256: entry.sha256)
            let summary = AuditSummary(calls: calls, grouping: by, rubric: rubric, rubricSHA256: entry.sha256,
                                       settings: .init(minimumCallsPerAgent: minCalls, minimumAgentsPerTeam: minAgents))
            let text: String
            switch format {
            case .text: text = SummaryRenderer.text(summary)
            case .csv: text = SummaryRenderer.csv(summary)
            case .json: text = try SummaryRenderer.json(summary) + "\n"
            case .html:
                try SummaryPageWriter.write(summary: summary, store: store, folder: output!, language: pageLanguage,
                                            recordingPaths: try store.recordingFilePathsByKey())
                try StandardOutput.write("wrote \(output!)/index.html")
                return
            }
            if let output {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                    throw AuditFailure("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                try StandardOutput.write(text, newline: false)
            }
        }
    }
}

struct AuditRescore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rescore", abstract: "Judge the stored analyses against another rubric, without decoding any audio.")
    @OptionGroup var database: AuditDatabaseOption
    @Option(help: "Rubric file (JSON); see `voiceqa rubric show`.")
    var rubric: String

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let r: Rubric
            do { r = try Rubric.load(path: rubric) } catch let e as RubricError { throw ValidationError(e.description) }
            let store = try database.open(create: false)
            let outcome = try Rescore.run(store: store, rubric: r)
            try StandardOutput.write("rescore: \(outcome.judgedCount) analyses judged under rubric \(r.rubricVersion) (\(AnalysisKey.rubricSHA256(r).prefix(12)))")
            for key in outcome.failedKeys { StandardOutput.error("voiceqa: analysis \(key): stored report cannot be read") }
            if !outcome.failedKeys.isEmpty { throw ExitCode(ExitCodes.someFilesFailed) }
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }
extension ExportTable: ExpressibleByArgument {}
extension AuditSummary.Grouping: ExpressibleByArgument {}

struct AuditExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a table for spreadsheets and BI tools (default: one row per analysed recording).")
    @OptionGroup var database: AuditDatabaseOption
    @Option(help: "csv or jsonl.") var format: ExportFormat = .jsonl
    @Option(help: "calls (recordings with their analysis), recordings, analyses, verdicts, events or failures.")
    var table: ExportTable = .calls
    @Option(help: "For calls and verdicts: which rubric's score and verdicts (default: the latest judged).")
    var rubric: String?

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let store = try database.open(create: false)
            let rubricSHA: String? = (table == .calls || rubric != nil) ? (try? pickRubric(store, rubric))?.0.sha256 : nil
            var wroteHeader = false
            try store.table(table, rubricSHA256: rubricSHA) { columns, rows in
                var lines: [String] = []
                if format == .csv && !wroteHeader { lines.append(CSV.row(columns)); wroteHeader = true }
                for row in rows { lines.append(format == .csv ? CSV.row(row.map(Self.csvText)) : Self.jsonLine(columns, row)) }
                if !lines.isEmpty { try StandardOutput.write(lines.joined(separator: "\n")) }
            }
        }
    }

    static func csvText(_ v: ExportValue) -> String {
        switch v {
        case .null: ""
        case let .integer(i): String(i)
        case let .real(d): String(d)
        case let .text(s): s
        }
    }

    /// Columns holding JSON text are embedded as JSON values.
    static let jsonColumns: Set<String> = ["analysis", "tags", "measured", "settings_json"]

    static func jsonLine(_ columns: [String], _ row: [ExportValue]) -> String {
        var parts: [String] = []
        for (c, v) in zip(columns, row) {
            let value: String
            switch v {
            case .null: value = "null"
            case let .integer(i): value = String(i)
            case let .real(d): value = d.isFinite ? String(d) : "null"
            case let .text(s): value = jsonColumns.contains(c) ? s : jsonString(s)
            }
            parts.append("\(jsonString(c)):\(value)")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

struct AuditFailures: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "failures", abstract: "List the files that failed, with the reason and what the worker printed.")
    @OptionGroup var database: AuditDatabaseOption

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let store = try database.open(create: false)
            let failures = try store.failures()
            var lines: [String] = []
            for f in failures {
                lines.append("\(f.path): \(f.reason) (\(f.attempts) attempt\(f.attempts == 1 ? "" : "s"), last \(f.failedAt))")
                for l in f.stderr.split(separator: "\n").prefix(20) { lines.append("    \(l)") }
            }
            lines.append("\(failures.count) failed file(s)")
            try StandardOutput.write(lines.joined(separator: "\n"))
        }
    }
}

struct AuditCheck: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check the database (PRAGMA integrity_check) and count its rows.")
    @OptionGroup var database: AuditDatabaseOption

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let store = try database.openSQLite(create: false)
            let integrity = try store.integrityCheck()
            let (tables, migrations) = try store.counts()
            try StandardOutput.write("integrity_check: \(integrity)")
            try StandardOutput.write("migrations: \(migrations.joined(separator: ", "))")
            for (table, count) in tables { try StandardOutput.write("\(table): \(count)") }
            if integrity != "ok" { throw ExitCode(ExitCodes.someFilesFailed) }
        }
    }
}
