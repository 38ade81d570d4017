import Foundation
import PostgresClient

/// What `runs.arguments` keeps of a command line: a password in a database URL never is.
public enum AuditRunLog {
    public static func redactedArguments<S: Sequence>(_ arguments: S) -> String where S.Element == String {
        arguments.map { PostgresConnection.redact($0) }.joined(separator: " ")
    }
}

extension AuditStore {
    /// The store's name in messages: the SQLite path, or the PostgreSQL URL without its password.
    public var displayName: String {
        if let s = self as? SQLiteAuditStore { return s.path }
        if let p = self as? PostgresAuditStore { return p.redactedURL }
        return "the audit database"
    }

    /// Analysis key → the file path of its first recording (by path), for rendering coaching pages.
    public func recordingFilePathsByKey() throws -> [String: String] {
        if let s = self as? SQLiteAuditStore { return try s.recordingFilePaths() }
        if let p = self as? PostgresAuditStore { return try p.recordingFilePaths() }
        return [:]
    }
}

extension PostgresAuditStore {
    public func recordingFilePaths() throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try query("SELECT analysis_key, MIN(file_path) FROM recordings GROUP BY analysis_key") {
            if let key = row[0].string, let path = row[1].string { out[key] = path }
        }
        return out
    }
}
