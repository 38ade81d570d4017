import Foundation
import Testing
@testable import PostgresClient

/// Against the real server that `Tests/Services/with-services.sh` starts (`VOICEQA_TEST_PG`).
/// Without it these tests fail, unless `VOICEQA_NO_SERVICES=1` says services are deliberately absent.
enum TestServer {
    static var url: String? { ProcessInfo.processInfo.environment["VOICEQA_TEST_PG"] }
    static var deliberatelyAbsent: Bool { ProcessInfo.processInfo.environment["VOICEQA_NO_SERVICES"] == "1" }
}

@Suite(.enabled(if: !TestServer.deliberatelyAbsent, "VOICEQA_NO_SERVICES=1"))
struct PostgresConnectionTests {
    func connect() throws -> PostgresConnection {
        let url = try #require(TestServer.url, "VOICEQA_TEST_PG is not set: run the tests through Tests/Services/with-services.sh (make test does)")
        return try PostgresConnection(url: url)
    }

    @Test func parametersAndTypesRoundTrip() throws {
        let db = try connect()
        let text = "通话 #1 'quoted' \"double\" \\ back"
        let bytes: [UInt8] = [0, 1, 2, 255, 0x5C, 0x78]
        let rows = try db.query("SELECT $1::text, $2::bytea, $3::text IS NULL, 42::bigint, 1.5::float8",
                                [.text(text), .bytes(bytes), .null])
        #expect(rows == [[.text(text), .bytes(bytes), .text("t"), .text("42"), .text("1.5")]])
    }

    @Test func transactionRollsBackOnError() throws {
        let db = try connect()
        let table = "t_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute(script: "CREATE TABLE \(table) (id int PRIMARY KEY)")
        defer { try? db.execute(script: "DROP TABLE \(table)") }
        #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.query("INSERT INTO \(table) VALUES (1)")
                try db.query("INSERT INTO \(table) VALUES (1)")       // duplicate key: the whole transaction goes
            }
        }
        #expect(try db.query("SELECT count(*) FROM \(table)") == [[.text("0")]])
        try db.query("INSERT INTO \(table) VALUES (1)")              // outside a transaction: kept
        do { try db.query("INSERT INTO \(table) VALUES (1)"); Issue.record("expected a unique violation") }
        catch let PostgresError.statementFailed(state, _) { #expect(state == "23505") }
    }

    @Test func keepalivesAreSet() throws {
        let db = try connect()
        // The server sees the client's TCP keepalive only through its own settings; the client's is in the conninfo.
        #expect(try db.query("SELECT current_setting('application_name')") == [[.text("voiceqa")]])
        #expect(db.backendPID > 0)
    }

    @Test func wrongPortIsOneClearErrorWithoutPassword() throws {
        do {
            _ = try PostgresConnection(url: "postgresql://someone:secret@127.0.0.1:1/voiceqa")
            Issue.record("connected to port 1")
        } catch let error as PostgresError {
            let text = error.description
            #expect(text.hasPrefix("cannot connect to postgresql://someone:***@127.0.0.1:1/voiceqa: "))
            #expect(!text.contains("secret"))
            #expect(!text.contains("\n"))
        }
    }

    @Test func redaction() {
        #expect(PostgresConnection.redact("postgresql://u:p%40ss@h:5432/db") == "postgresql://u:***@h:5432/db")
        #expect(PostgresConnection.redact("postgresql://u@h/db") == "postgresql://u@h/db")
        #expect(PostgresConnection.redact("host=h password=abc dbname=x") == "host=h password=*** dbname=x")
    }
}
