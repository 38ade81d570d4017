/// Batch audits: inputs, analysis keys, the results store and summaries (see docs/audit.md).
public enum Audit {
    /// Version of the audit store's layout the migrator ends at (docs/audit.md, "Schema").
    public static let storeSchemaVersion = 2
}

/// What can stop an audit command, as one line an operator can act on.
public enum AuditError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotRead(path: String, reason: String)
    case cannotOpenDatabase(path: String, reason: String)
    case newerDatabase(path: String, unknownMigrations: [String])
    case notAnAuditDatabase(path: String)
    case manifest(path: String, line: Int, reason: String)
    case badPattern(pattern: String, reason: String)
    case samePathTwice(path: String, first: String, second: String)
    case noSuchRubric(prefix: String)
    case database(String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "\(path): cannot read: \(reason)"
        case let .cannotOpenDatabase(path, reason): "cannot open the audit database \(path): \(reason)"
        case let .newerDatabase(path, unknown):
            "\(path) was written by a newer voiceqa (unknown migrations: \(unknown.joined(separator: ", "))); use that version or a new --db"
        case let .notAnAuditDatabase(path): "\(path) is an SQLite database but not a voiceqa audit database; give a new --db path"
        case let .manifest(path, line, reason): "\(path):\(line): \(reason)"
        case let .badPattern(pattern, reason): "--agent-from '\(pattern)': \(reason)"
        case let .samePathTwice(path, first, second):
            "two inputs have the same recording path \(path) (\(first) and \(second)); audit them in separate databases or give one PATH per batch"
        case let .noSuchRubric(prefix): "no rubric \(prefix) in this database; `voiceqa audit summary --list-rubrics` lists them"
        case let .database(message): message
        }
    }
}
