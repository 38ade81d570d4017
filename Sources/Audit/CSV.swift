import Foundation

/// Comma-separated values as in RFC 4180: fields in double quotes may hold commas, quotes (doubled)
/// and line breaks; lines end in CRLF or LF; a UTF-8 byte-order mark at the start is dropped.
public enum CSV {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Records with the line each starts on (1-based); blank lines are skipped.
    public static func parse(_ text: String) throws -> [(line: Int, fields: [String])] {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = [], field = String.UnicodeScalarView()
        var line = 1, recordLine = 1, i = 0
        var inQuotes = false, wasQuoted = false
        func endField() { fields.append(String(field)); field = String.UnicodeScalarView(); wasQuoted = false }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" { field.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case "\"":
                    guard field.isEmpty, !wasQuoted else { throw ParseError(line: line, reason: "a quote inside an unquoted field (quote the whole field and double the quote)") }
                    inQuotes = true; wasQuoted = true
                case ",": endField()
                case "\r" where i + 1 < scalars.count && scalars[i + 1] == "\n": break
                case "\n", "\r":
                    endRecord(); line += 1; recordLine = line
                default:
                    guard !wasQuoted else { throw ParseError(line: line, reason: "text after a closing quote") }
                    field.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw ParseError(line: recordLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// One field, quoted when it holds a comma, quote or line break (RFC 4180 §2.6–2.7). A field a
    /// spreadsheet would run as a formula (= + - @ first) is left as it is: quote it yourself if you open CSV in one.
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }
}
