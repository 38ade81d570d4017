#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libpq's entry points, found with `dlopen` the first time a connection is opened, not linked.
///
/// Linking libpq made every `voiceqa` process load it with its own dependencies (OpenSSL,
/// GnuTLS, Kerberos, OpenLDAP, SASL, p11-kit…: 22 more shared libraries on Debian 12), about
/// 5 MB of resident memory at start, though only the audit's PostgreSQL store ever calls it
/// (docs/accuracy.md, "Memory since issue 17"). The signatures are libpq-fe.h's, PostgreSQL 15,
/// ch. 34; `PGconn *` and `PGresult *` are opaque. libpq.so.5's ABI is stable across releases.
struct LibPQ: @unchecked Sendable {
    typealias Connection = OpaquePointer
    typealias Result = OpaquePointer

    /// `ConnStatusType`'s `CONNECTION_OK`.
    static let connectionOK: UInt32 = 0
    /// `ExecStatusType`'s `PGRES_EMPTY_QUERY`, `PGRES_COMMAND_OK`, `PGRES_TUPLES_OK`.
    static let emptyQuery: UInt32 = 0, commandOK: UInt32 = 1, tuplesOK: UInt32 = 2

    let connectdbParams: @convention(c) (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int32) -> Connection?
    let status: @convention(c) (Connection?) -> UInt32
    let errorMessage: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let finish: @convention(c) (Connection?) -> Void
    let backendPID: @convention(c) (Connection?) -> Int32
    let exec: @convention(c) (Connection?, UnsafePointer<CChar>?) -> Result?
    let execParams: @convention(c) (Connection?, UnsafePointer<CChar>?, Int32, UnsafePointer<UInt32>?,
                                    UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> Result?
    let clear: @convention(c) (Result?) -> Void
    let resultStatus: @convention(c) (Result?) -> UInt32
    let resultErrorField: @convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?
    let resultErrorMessage: @convention(c) (Result?) -> UnsafeMutablePointer<CChar>?
    let ntuples: @convention(c) (Result?) -> Int32
    let nfields: @convention(c) (Result?) -> Int32
    let fname: @convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?
    let ftype: @convention(c) (Result?, Int32) -> UInt32
    let getisnull: @convention(c) (Result?, Int32, Int32) -> Int32
    let getlength: @convention(c) (Result?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (Result?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let unescapeBytea: @convention(c) (UnsafePointer<UInt8>?, UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<UInt8>?
    let freemem: @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// The library, loaded once; the error says why it could not be.
    static let shared: Swift.Result<LibPQ, LoadError> = load()

    struct LoadError: Error { let reason: String }

    #if canImport(Darwin)
    static let candidates = ["libpq.5.dylib", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib"]
    #else
    static let candidates = ["libpq.so.5"]
    #endif

    private static func load() -> Swift.Result<LibPQ, LoadError> {
        var handle: UnsafeMutableRawPointer?
        for name in candidates where handle == nil { handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) }
        guard let handle else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(LoadError(reason: "cannot load libpq (\(candidates.joined(separator: ", "))): \(why)"))
        }
        var missing: [String] = []
        func symbol<F>(_ name: String) -> F {
            guard let p = dlsym(handle, name) else {
                missing.append(name)
                return unsafeBitCast(UnsafeMutableRawPointer(bitPattern: 1)!, to: F.self)
            }
            return unsafeBitCast(p, to: F.self)
        }
        let library = LibPQ(
            connectdbParams: symbol("PQconnectdbParams"),
            status: symbol("PQstatus"),
            errorMessage: symbol("PQerrorMessage"),
            finish: symbol("PQfinish"),
            backendPID: symbol("PQbackendPID"),
            exec: symbol("PQexec"),
            execParams: symbol("PQexecParams"),
            clear: symbol("PQclear"),
            resultStatus: symbol("PQresultStatus"),
            resultErrorField: symbol("PQresultErrorField"),
            resultErrorMessage: symbol("PQresultErrorMessage"),
            ntuples: symbol("PQntuples"),
            nfields: symbol("PQnfields"),
            fname: symbol("PQfname"),
            ftype: symbol("PQftype"),
            getisnull: symbol("PQgetisnull"),
            getlength: symbol("PQgetlength"),
            getvalue: symbol("PQgetvalue"),
            unescapeBytea: symbol("PQunescapeBytea"),
            freemem: symbol("PQfreemem"))
        guard missing.isEmpty else {
            return .failure(LoadError(reason: "libpq lacks \(missing.joined(separator: ", "))"))
        }
        return .success(library)
    }
}
