import Foundation
import SpeechAnalysis

/// The manifest CSV (docs/audit.md, "Manifest"): a header line, then one recording per line.
/// Columns `path` (required; relative to the manifest's folder, or absolute), `agent`, `team`,
/// `date` (YYYY-MM-DD), `language` (zh, ja, en), `agent_channel` (0, 1); any other column is kept
/// as a tag. Header names are matched without regard to case or surrounding spaces.
public enum Manifest {
    public static let knownColumns = ["path", "agent", "team", "date", "language", "agent_channel"]

    public static func load(path manifestPath: String) throws -> InputScan {
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw AuditError.cannotRead(path: manifestPath, reason: FileManager.default.fileExists(atPath: manifestPath) ? "cannot read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AuditError.manifest(path: manifestPath, line: 1, reason: "not UTF-8 text; save the manifest as UTF-8 CSV")
        }
        return try parse(text, manifestPath: manifestPath)
    }

    public static func parse(_ text: String, manifestPath: String) throws -> InputScan {
        let records: [(line: Int, fields: [String])]
        do { records = try CSV.parse(text) } catch let e as CSV.ParseError {
            throw AuditError.manifest(path: manifestPath, line: e.line, reason: e.reason)
        }
        guard let header = records.first else { throw AuditError.manifest(path: manifestPath, line: 1, reason: "empty; the first line names the columns (path, agent, team, date, language, agent_channel)") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let pathColumn = names.firstIndex(of: "path") else {
            throw AuditError.manifest(path: manifestPath, line: header.line, reason: "no 'path' column in the header")
        }
        if let dup = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 && !$0.key.isEmpty }) {
            throw AuditError.manifest(path: manifestPath, line: header.line, reason: "column '\(dup.key)' appears twice")
        }
        let folder = (manifestPath as NSString).deletingLastPathComponent
        var scan = InputScan()
        var seen: [String: Int] = [:]
        for record in records.dropFirst() {
            func fail(_ reason: String) -> AuditError { .manifest(path: manifestPath, line: record.line, reason: reason) }
            guard record.fields.count <= names.count else { throw fail("\(record.fields.count) fields, the header has \(names.count)") }
            func value(_ column: String) -> String {
                guard let i = names.firstIndex(of: column), i < record.fields.count else { return "" }
                return record.fields[i].trimmingCharacters(in: .whitespaces)
            }
            let path = value("path")
            guard pathColumn < record.fields.count, !path.isEmpty else { throw fail("empty path") }
            if let line = seen[path] { throw fail("path \(path) is already on line \(line)") }
            seen[path] = record.line
            let filePath = path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path
            var input = AuditInput(path: path, filePath: filePath)
            input.agent = value("agent"); input.team = value("team")
            input.date = value("date")
            if !input.date.isEmpty, !DateKeys.isISODate(input.date) { throw fail("date '\(input.date)' is not YYYY-MM-DD") }
            let language = value("language")
            if !language.isEmpty {
                guard let l = SpeechLanguage(rawValue: language.lowercased()) else { throw fail("language '\(language)' is not zh, ja or en") }
                input.language = l
            }
            let channel = value("agent_channel")
            if !channel.isEmpty {
                guard let c = Int(channel), (0...1).contains(c) else { throw fail("agent_channel '\(channel)' is not 0 or 1") }
                input.agentChannel = c
            }
            for (i, name) in names.enumerated() where !knownColumns.contains(name) && !name.isEmpty && i < record.fields.count {
                input.tags[name] = record.fields[i]
            }
            scan.inputs.append(input)
        }
        return scan
    }
}

/// Dates and ISO 8601 weeks of the `date` column (YYYY-MM-DD, the calendar date the call was made).
public enum DateKeys {
    public static func isISODate(_ s: String) -> Bool { components(s) != nil }

    static func components(_ s: String) -> (year: Int, month: Int, day: Int)? {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.count == 10, p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        return (y, m, d)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil).
    static func dayNumber(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The ISO 8601 week of a YYYY-MM-DD date, as "YYYY-Www" (weeks start on Monday; week 1 holds
    /// the year's first Thursday), or nil for an empty or invalid date.
    public static func isoWeek(_ s: String) -> String? {
        guard let (y, m, d) = components(s) else { return nil }
        let n = dayNumber(y, m, d)
        let weekday = ((n % 7) + 7 + 3) % 7 + 1                  // 1970-01-01 was a Thursday; Monday = 1
        let thursday = n - weekday + 4                            // the Thursday of this week decides the year
        let thursdayYear = year(ofDayNumber: thursday)
        let week = (thursday - dayNumber(thursdayYear, 1, 1)) / 7 + 1
        return String(format: "%04d-W%02d", thursdayYear, week)
    }

    static func year(ofDayNumber n: Int) -> Int {
        var y = 1970 + n / 366
        while dayNumber(y + 1, 1, 1) <= n { y += 1 }
        while dayNumber(y, 1, 1) > n { y -= 1 }
        return y
    }
}
