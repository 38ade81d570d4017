import Foundation

/// A value bound to a query parameter or read from a result, in PostgreSQL's text form (bytes
/// travel in binary form, for `bytea`).
public enum PostgresValue: Sendable, Equatable {
    case null
    case text(String)
    case bytes([UInt8])
}

public enum PostgresError: Error, CustomStringConvertible, Equatable {
    /// The server could not be reached or refused the login; `target` never holds a password.
    case cannotConnect(target: String, reason: String)
    /// A statement failed; `sqlState` is the five-character SQLSTATE (e.g. "40001").
    case statementFailed(sqlState: String, message: String)
    case connectionLost(reason: String)

    public var description: String {
        switch self {
        case let .cannotConnect(target, reason): "cannot connect to \(target): \(reason)"
        case let .statementFailed(state, message): "PostgreSQL error \(state): \(message)"
        case let .connectionLost(reason): "connection to PostgreSQL lost: \(reason)"
        }
    }
}

/// One connection through PostgreSQL's own client library (libpq, "libpq - C Library",
/// PostgreSQL 15 documentation, ch. 34). Blocking calls, one thread at a time: each audit worker
/// process holds its own connection. Passwords come from libpq's usual sources (PGPASSWORD,
/// ~/.pgpass, PGSERVICE) or the URL; none is ever kept in an error or a log line.
public final class PostgresConnection {
    private let connection: OpaquePointer
    private let pq: LibPQ
    /// The URL with any password replaced by `***`, for messages.
    public let redactedURL: String

    /// - Parameters:
    ///   - url: `postgresql://user@host:port/dbname` (any libpq connection URI or key=value string).
    ///   - keepaliveIdleSeconds: TCP keepalive idle time, so a dead peer (a worker's host gone) is
    ///     noticed and its session, with its row locks, ended by the server's side too.
    public init(url: String, applicationName: String = "voiceqa", keepaliveIdleSeconds: Int = 30) throws {
        redactedURL = Self.redact(url)
        let pq: LibPQ
        switch LibPQ.shared {
        case let .success(library): pq = library
        case let .failure(error): throw PostgresError.cannotConnect(target: redactedURL, reason: error.reason)
        }
        self.pq = pq
        let keys = ["dbname", "application_name", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "connect_timeout"]
        let values = [url, applicationName, "1", String(keepaliveIdleSeconds), "10", "3", "10"]
        // expand_dbname = 1: the first dbname is read as a URI/connection string; later keys add to it.
        let conn = Self.withCStrings(keys) { k in Self.withCStrings(values) { v in pq.connectdbParams(k, v, 1) } }
        guard let conn else { throw PostgresError.cannotConnect(target: redactedURL, reason: "out of memory") }
        guard pq.status(conn) == LibPQ.connectionOK else {
            let reason = Self.message(pq.errorMessage(conn))
            pq.finish(conn)
            throw PostgresError.cannotConnect(target: redactedURL, reason: reason)
        }
        connection = conn
    }

    deinit { pq.finish(connection) }

    /// Runs one statement with `$1…$n` parameters and returns its rows (text form; `bytea`
    /// columns as bytes when `byteColumns` names them).
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> [[PostgresValue]] {
        let result = try execute(sql, parameters)
        defer { pq.clear(result) }
        return rows(of: result)
    }

    private func rows(of result: OpaquePointer) -> [[PostgresValue]] {
        let rowCount = Int(pq.ntuples(result)), columnCount = Int(pq.nfields(result))
        var rows: [[PostgresValue]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var row: [PostgresValue] = []
            row.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                if pq.getisnull(result, Int32(r), Int32(c)) != 0 { row.append(.null); continue }
                let length = Int(pq.getlength(result, Int32(r), Int32(c)))
                let pointer = pq.getvalue(result, Int32(r), Int32(c))!
                let isBytea = pq.ftype(result, Int32(c)) == 17   // BYTEAOID
                if isBytea {
                    row.append(.bytes(unescapeBytea(pointer)))
                } else {
                    row.append(.text(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// What a result column holds, from its type OID (PostgreSQL's `pg_type`).
    public enum ColumnType: Sendable, Equatable { case integer, real, text, bytes, other }

    /// Like `query`, with each column's name and type.
    public func queryWithColumns(_ sql: String, _ parameters: [PostgresValue] = []) throws -> ([String], [ColumnType], [[PostgresValue]]) {
        let result = try execute(sql, parameters)
        let columnCount = Int(pq.nfields(result))
        var names: [String] = [], types: [ColumnType] = []
        for c in 0..<columnCount {
            names.append(pq.fname(result, Int32(c)).map { String(cString: $0) } ?? "")
            switch pq.ftype(result, Int32(c)) {
            case 20, 21, 23: types.append(.integer)          // int8, int2, int4
            case 700, 701, 1700: types.append(.real)         // float4, float8, numeric
            case 25, 1043: types.append(.text)               // text, varchar
            case 17: types.append(.bytes)                    // bytea
            default: types.append(.other)
            }
        }
        defer { pq.clear(result) }
        return (names, types, rows(of: result))
    }

    /// Runs statements separated by semicolons, without parameters (migrations).
    public func execute(script sql: String) throws {
        guard let result = pq.exec(connection, sql) else { throw lost() }
        defer { pq.clear(result) }
        try check(result)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute(script: "BEGIN")
        do {
            let value = try body()
            try execute(script: "COMMIT")
            return value
        } catch {
            try? execute(script: "ROLLBACK")
            throw error
        }
    }

    /// The server's process id for this session (`pg_backend_pid()`).
    public var backendPID: Int32 { pq.backendPID(connection) }

    // MARK: - libpq plumbing

    private func execute(_ sql: String, _ parameters: [PostgresValue]) throws -> OpaquePointer {
        // Each parameter copied into its own buffer, freed when the call returns.
        var buffers: [UnsafeMutableBufferPointer<CChar>?] = []
        var lengths: [Int32] = [], formats: [Int32] = []
        defer { for b in buffers { b?.deallocate() } }
        for p in parameters {
            switch p {
            case .null:
                buffers.append(nil); lengths.append(0); formats.append(0)
            case let .text(s):
                buffers.append(Self.copy(Array(s.utf8CString))); lengths.append(0); formats.append(0)
            case let .bytes(b):
                buffers.append(Self.copy(b.map { CChar(bitPattern: $0) })); lengths.append(Int32(b.count)); formats.append(1)
            }
        }
        var values: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0.baseAddress!) } }
        guard let result = pq.execParams(connection, sql, Int32(parameters.count), nil, &values, lengths, formats, 0) else { throw lost() }
        do { try check(result) } catch { pq.clear(result); throw error }
        return result
    }

    private static func copy(_ bytes: [CChar]) -> UnsafeMutableBufferPointer<CChar> {
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(1, bytes.count))
        _ = buffer.initialize(from: bytes)
        return buffer
    }

    private func check(_ result: OpaquePointer) throws {
        switch pq.resultStatus(result) {
        case LibPQ.commandOK, LibPQ.tuplesOK, LibPQ.emptyQuery: return
        default:
            if pq.status(connection) != LibPQ.connectionOK { throw lost() }
            let state = pq.resultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "?????"
            let message = pq.resultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? Self.message(pq.resultErrorMessage(result))
            throw PostgresError.statementFailed(sqlState: state, message: message)
        }
    }

    private func lost() -> PostgresError { .connectionLost(reason: Self.message(pq.errorMessage(connection))) }

    private static func message(_ p: UnsafeMutablePointer<CChar>?) -> String {
        guard let p else { return "unknown error" }
        return String(cString: p).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }

    private func unescapeBytea(_ p: UnsafePointer<CChar>) -> [UInt8] {
        var length = 0
        guard let raw = pq.unescapeBytea(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), &length) else { return [] }
        defer { pq.freemem(raw) }
        return Array(UnsafeBufferPointer(start: raw, count: length))
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let buffers = strings.map { copy(Array($0.utf8CString)) }
        defer { for b in buffers { b.deallocate() } }
        var pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0.baseAddress!) }
        pointers.append(nil)
        return body(&pointers)
    }

    /// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`; key=value strings
    /// lose their `password=` value the same way.
    public static func redact(_ url: String) -> String {
        if let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") {
            let userInfo = url[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                return String(url[..<colon]) + ":***" + String(url[at...])
            }
        }
        return url.replacingOccurrences(of: #"password\s*=\s*\S+"#, with: "password=***", options: .regularExpression)
    }
}
