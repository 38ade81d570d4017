import Foundation
import Testing
@testable import Audit

struct CSVTests {
    @Test func quotesCommasLineBreaksAndBOM() throws {
        let text = "\u{FEFF}path,agent,note\r\na.wav,Li,\"says \"\"hi\"\", then, waits\"\r\n\r\n\"b c.wav\",Kim,\"two\nlines\"\nd.wav,,\n"
        let records = try CSV.parse(text)
        #expect(records.map(\.fields) == [["path", "agent", "note"], ["a.wav", "Li", "says \"hi\", then, waits"],
                                           ["b c.wav", "Kim", "two\nlines"], ["d.wav", "", ""]])
        #expect(records.map(\.line) == [1, 2, 4, 6])
        #expect(try CSV.parse("x,y").map(\.fields) == [["x", "y"]])            // no final line break
        #expect(throws: CSV.ParseError(line: 2, reason: "a quoted field is never closed")) { try CSV.parse("a\n\"b,c\n") }
        #expect(CSV.row(["a", "b,c", "say \"x\"", "l1\nl2"]) == "a,\"b,c\",\"say \"\"x\"\"\",\"l1\nl2\"")
    }
}

struct ManifestTests {
    @Test func columnsTagsAndRelativePaths() throws {
        let text = "Path, Agent ,team,date,language,agent_channel,campaign\ncalls/a.wav,Li,North,2026-11-30,ja,1,spring\n/abs/b.wav,Kim,North,,,,\n"
        let scan = try Manifest.parse(text, manifestPath: "batches/week48/manifest.csv")
        #expect(scan.inputs.count == 2)
        let a = scan.inputs[0]
        #expect(a.path == "calls/a.wav" && a.filePath == "batches/week48/calls/a.wav")
        #expect(a.agent == "Li" && a.team == "North" && a.date == "2026-11-30" && a.language == .ja && a.agentChannel == 1)
        #expect(a.tags == ["campaign": "spring"])
        #expect(scan.inputs[1].filePath == "/abs/b.wav" && scan.inputs[1].language == nil && scan.inputs[1].date == "")
    }

    @Test func errorsNameLineAndValue() {
        #expect(throws: AuditError.manifest(path: "m.csv", line: 3, reason: "date '2026-02-30' is not YYYY-MM-DD")) {
            try Manifest.parse("path,date\na.wav,2026-02-28\nb.wav,2026-02-30\n", manifestPath: "m.csv")
        }
        #expect(throws: AuditError.manifest(path: "m.csv", line: 1, reason: "no 'path' column in the header")) {
            try Manifest.parse("file,agent\na.wav,x\n", manifestPath: "m.csv")
        }
        #expect(throws: AuditError.manifest(path: "m.csv", line: 2, reason: "language 'de' is not zh, ja or en")) {
            try Manifest.parse("path,language\na.wav,de\n", manifestPath: "m.csv")
        }
        #expect(throws: AuditError.manifest(path: "m.csv", line: 3, reason: "path a.wav is already on line 2")) {
            try Manifest.parse("path\na.wav\na.wav\n", manifestPath: "m.csv")
        }
    }

    /// ISO 8601 weeks at year edges (week 1 holds the first Thursday).
    @Test(arguments: [("2026-01-01", "2026-W01"), ("2021-01-03", "2020-W53"), ("2024-12-30", "2025-W01"),
                      ("2020-12-31", "2020-W53"), ("2026-12-04", "2026-W49"), ("2000-02-29", "2000-W09")])
    func isoWeeks(date: String, week: String) {
        #expect(DateKeys.isoWeek(date) == week)
    }
}

struct InputScanTests {
    @Test func recursiveScanSkipsNotAudioAndReadsPattern() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("voiceqa-scan-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let dir = root.appendingPathComponent("calls/North/li/2026-11-30")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("RIFF....WAVE".utf8).write(to: dir.appendingPathComponent("1.wav"))
        try Data("RIFF....WAVE".utf8).write(to: dir.appendingPathComponent("2.noext"))     // audio magic, no audio name
        try Data("notes".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        try Data("x".utf8).write(to: dir.appendingPathComponent(".hidden.wav"))
        let pattern = try PathPattern("calls/{team}/{agent}/{date}/*")
        let scan = try AuditInputs.scan(arguments: [root.appendingPathComponent("calls").path], pattern: pattern)
        #expect(scan.inputs.map(\.path) == ["North/li/2026-11-30/1.wav", "North/li/2026-11-30/2.noext"])
        #expect(scan.inputs.allSatisfy { $0.agent == "li" && $0.team == "North" && $0.date == "2026-11-30" })
        #expect(scan.notAudio.count == 1)
        #expect(throws: AuditError.badPattern(pattern: "x/{who}", reason: "unknown field {who}; use {agent}, {team} or {date}")) {
            try PathPattern("x/{who}")
        }
        #expect(try PathPattern("{agent}_{date}.wav").match("/x/li_2026-01-02.wav") == ["agent": "li", "date": "2026-01-02"])
        #expect(try PathPattern("{agent}_{date}.wav").match("/x/li_20260102.wav") == nil)
    }
}
