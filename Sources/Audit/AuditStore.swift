import Foundation

/// The results store of an audit, as the audit commands use it. One implementation today
/// (`SQLiteAuditStore`, GRDB); a second backend (a shared server database) implements the same
/// calls over the same logical tables (docs/audit.md, "Schema"). Each write is one transaction:
/// a crash leaves either all of a file's rows or none.
public protocol AuditStore: AnyObject {
    /// Keys of the analyses stored (any rubric).
    func analysisKeys() throws -> Set<String>
    /// Records a rubric (idempotent): its hash, version and canonical JSON.
    func addRubric(_ rubric: RubricEntry) throws
    /// Stores one analysis with its verdicts and events, points `recordings` at it and clears
    /// their failures. Storing a key that is already there only updates the recordings.
    func commit(analysis: AnalysisRecord?, key: String, recordings: [RecordingRow]) throws
    /// Records a failed file (replacing its recording row: the file as it is now has no result).
    func commitFailure(_ failure: FailureRow) throws
    /// Adds the verdicts and score of `key` under another rubric (rescore).
    func commitJudgement(key: String, rubric: RubricEntry, score: Double?, verdicts: [AnalysisDigest.Verdict]) throws
    /// Keys (with the stored report JSON) not yet judged under `rubricSHA256`, one at a time.
    func forEachAnalysis(notJudgedUnder rubricSHA256: String, _ body: (_ key: String, _ reportJSON: Data) throws -> Void) throws
    func rubrics() throws -> [RubricEntry]
    /// One row per distinct analysis key with a recording, judged under `rubricSHA256`.
    func summaryCalls(rubricSHA256: String) throws -> [SummaryCall]
    func failures() throws -> [FailureRow]
    /// The stored report JSON of a key.
    func reportJSON(key: String) throws -> Data?
    /// A table for export: column names, then rows of text/number/null values.
    func table(_ name: ExportTable, rubricSHA256: String?, _ body: ([String], [[ExportValue]]) throws -> Void) throws
    func logRun(_ run: RunRow) throws
}

public struct RubricEntry: Sendable, Equatable {
    public var sha256: String
    public var version: String
    public var canonicalJSON: String
    public var addedAt: String
    public init(sha256: String, version: String, canonicalJSON: String, addedAt: String) {
        self.sha256 = sha256; self.version = version; self.canonicalJSON = canonicalJSON; self.addedAt = addedAt
    }
}

/// A stored analysis: the key's parts, the digest and the report JSON (compressed when stored).
public struct AnalysisRecord: Sendable {
    public var key: AnalysisKey
    public var settingsJSON: String
    public var digest: AnalysisDigest
    public var reportJSON: Data
    /// What the worker printed on stderr (libmpg123 notes, say), kept with the result.
    public var workerStderr: String
    public init(key: AnalysisKey, settingsJSON: String, digest: AnalysisDigest, reportJSON: Data, workerStderr: String) {
        self.key = key; self.settingsJSON = settingsJSON; self.digest = digest; self.reportJSON = reportJSON; self.workerStderr = workerStderr
    }
}

public struct RecordingRow: Sendable, Equatable {
    public var path: String
    public var filePath: String
    public var agent: String
    public var team: String
    public var date: String
    public var tags: [String: String]
    public var fileSHA256: String
    public init(_ input: AuditInput, fileSHA256: String) {
        path = input.path; filePath = input.filePath; agent = input.agent; team = input.team; date = input.date
        tags = input.tags; self.fileSHA256 = fileSHA256
    }
}

public struct FailureRow: Sendable, Equatable {
    public var path: String
    public var filePath: String
    public var reason: String
    public var stderr: String
    public var attempts: Int = 1
    public var failedAt: String = ""
    public init(path: String, filePath: String, reason: String, stderr: String) {
        self.path = path; self.filePath = filePath; self.reason = reason; self.stderr = stderr
    }
}

public struct RunRow: Sendable {
    public var startedAt: String
    public var finishedAt: String
    public var toolVersion: String
    public var arguments: String
    public var analysedCount: Int
    public var skippedCount: Int
    public var failedCount: Int
    public var notAudioCount: Int
    public init(startedAt: String, finishedAt: String, toolVersion: String, arguments: String,
                analysedCount: Int, skippedCount: Int, failedCount: Int, notAudioCount: Int) {
        self.startedAt = startedAt; self.finishedAt = finishedAt; self.toolVersion = toolVersion; self.arguments = arguments
        self.analysedCount = analysedCount; self.skippedCount = skippedCount; self.failedCount = failedCount; self.notAudioCount = notAudioCount
    }
}

/// One analysed call as the summaries read it.
public struct SummaryCall: Sendable, Equatable {
    public var key: String
    public var path: String
    public var agent: String
    public var team: String
    public var date: String
    public var language: String
    public var durationSeconds: Double
    public var score: Double?
    public var verdicts: [String: String]      // guideline → verdict
    public var articulationRateSyllablesPerSecond: Double?
    public var activeSpeechLevelDBov: Double?
    public var f0StdevSemitones: Double?
    public var agentInterruptionCount: Int?
    public var agentBackchannelCount: Int?
    public var deadAirCount: Int
    public var holdCount: Int
    public var filledPausesPerMinute: Double?
    public init(key: String, path: String, agent: String, team: String, date: String, language: String, durationSeconds: Double,
                score: Double?, verdicts: [String: String], articulationRateSyllablesPerSecond: Double?, activeSpeechLevelDBov: Double?,
                f0StdevSemitones: Double?, agentInterruptionCount: Int?, agentBackchannelCount: Int?, deadAirCount: Int,
                holdCount: Int, filledPausesPerMinute: Double?) {
        self.key = key; self.path = path; self.agent = agent; self.team = team; self.date = date; self.language = language
        self.durationSeconds = durationSeconds; self.score = score; self.verdicts = verdicts
        self.articulationRateSyllablesPerSecond = articulationRateSyllablesPerSecond; self.activeSpeechLevelDBov = activeSpeechLevelDBov
        self.f0StdevSemitones = f0StdevSemitones; self.agentInterruptionCount = agentInterruptionCount
        self.agentBackchannelCount = agentBackchannelCount; self.deadAirCount = deadAirCount; self.holdCount = holdCount
        self.filledPausesPerMinute = filledPausesPerMinute
    }
}

public enum ExportTable: String, Sendable, CaseIterable {
    /// One row per analysed recording: path, agent, team, date, key, score and the analysis JSON.
    case calls, recordings, analyses, verdicts, events, failures
}

public enum ExportValue: Sendable, Equatable {
    case null, integer(Int64), real(Double), text(String)
}

public enum AuditTime {
    /// Now as ISO 8601 UTC with milliseconds (sorts as text).
    public static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}
