import Foundation
import SpeechAnalysis

/// One recording to audit: where to read it, the path it is stored under and what the manifest or
/// the path says about it.
public struct AuditInput: Sendable, Equatable {
    /// The recording's path in the store: relative to the PATH argument it was found under ('/'
    /// separators; the file name alone for a file given directly), or the manifest's `path` column
    /// as written. Shards (a later issue) hash this string.
    public var path: String
    /// The path to open.
    public var filePath: String
    public var agent: String = ""
    public var team: String = ""
    /// YYYY-MM-DD or empty (never the file's modification time).
    public var date: String = ""
    /// Per-file overrides of the command line (manifest columns).
    public var language: SpeechLanguage? = nil
    public var agentChannel: Int? = nil
    /// The manifest's other columns.
    public var tags: [String: String] = [:]

    public init(path: String, filePath: String) { self.path = path; self.filePath = filePath }
}

/// The files of a batch: from PATH arguments (recursively) or a manifest.
public struct InputScan: Sendable {
    public var inputs: [AuditInput] = []
    /// Files that are neither named like audio nor start like audio (notes, the fixtures' `.json`).
    public var notAudio: [String] = []
    /// Inputs an `--agent-from` pattern did not match (agent, team and date left empty).
    public var unmatchedPattern: [String] = []
}

public enum AuditInputs {
    /// File name extensions read as audio (or refused with a reason, like `.m4a`): a file named so that
    /// does not decode becomes a failure row rather than being skipped.
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "caf", "au", "snd", "rf64", "w64",
        "gsm", "vox", "m4a", "mp4", "aac", "webm", "wma", "amr", "sph", "voc", "sf", "paf", "svx", "nist", "mat", "pvf", "xi", "htk", "sds", "avr", "wve",
    ]

    /// Whether the first bytes look like a container libsndfile (or a refused format) knows.
    static func hasAudioMagic(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let b = [UInt8]((try? h.read(upToCount: 12)) ?? Data())
        guard b.count >= 4 else { return false }
        let four = String(decoding: b[0..<4], as: UTF8.self)
        if ["RIFF", "RIFX", "RF64", "BW64", "fLaC", "OggS", "FORM", ".snd", "caff", "ID3\u{3}", "ID3\u{4}", "ID3\u{2}", "riff", "NIST", "Crea", "wvpk"].contains(four) { return true }
        if b[0] == 0xFF && (b[1] & 0xE0) == 0xE0 { return true }                 // MPEG audio frame sync
        if b.count >= 8, String(decoding: b[4..<8], as: UTF8.self) == "ftyp" { return true }  // MP4/M4A (refused with advice)
        if b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3 { return true }      // WebM/Matroska (refused with advice)
        return false
    }

    static func looksLikeAudio(_ path: String) -> Bool {
        audioExtensions.contains((path as NSString).pathExtension.lowercased()) || hasAudioMagic(path)
    }

    /// Files under `arguments` (directories recursively, hidden entries skipped, sorted by path).
    public static func scan(arguments: [String], pattern: PathPattern?) throws -> InputScan {
        var scan = InputScan()
        var byPath: [String: String] = [:]
        let fm = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            var found: [(relative: String, file: String)] = []
            if fm.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
                let base = argument.hasSuffix("/") ? String(argument.dropLast()) : argument
                guard let e = fm.enumerator(atPath: argument) else { throw AuditError.cannotRead(path: argument, reason: "cannot list the folder") }
                var relatives: [String] = []
                while let next = e.nextObject() as? String {
                    let name = (next as NSString).lastPathComponent
                    if name.hasPrefix(".") { if (e.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { e.skipDescendants() }; continue }
                    if (e.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { continue }
                    relatives.append(next)
                }
                for r in relatives.sorted() { found.append((r, base.isEmpty ? r : base + "/" + r)) }
            } else {
                // A file (or a missing one: it becomes a failure row naming the reason).
                found.append(((argument as NSString).lastPathComponent, argument))
            }
            for (relative, file) in found {
                if fm.fileExists(atPath: file), !looksLikeAudio(file) { scan.notAudio.append(file); continue }
                var input = AuditInput(path: relative, filePath: file)
                if let pattern {
                    if let fields = pattern.match(file) {
                        input.agent = fields["agent"] ?? ""; input.team = fields["team"] ?? ""; input.date = fields["date"] ?? ""
                    } else { scan.unmatchedPattern.append(file) }
                }
                if let first = byPath[relative] { throw AuditError.samePathTwice(path: relative, first: first, second: file) }
                byPath[relative] = file
                scan.inputs.append(input)
            }
        }
        return scan
    }
}

/// `--agent-from 'calls/{team}/{agent}/{date}/*'`: '/'-separated parts matched against the last
/// parts of each file's path; `{agent}`, `{team}` and `{date}` (YYYY-MM-DD) take one part or a
/// piece of one, `*` matches anything inside one part, other text must match as written.
public struct PathPattern: Sendable {
    public let text: String
    private let parts: [String]    // one regular expression per path part

    public init(_ text: String) throws {
        self.text = text
        let pieces = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !pieces.isEmpty else { throw AuditError.badPattern(pattern: text, reason: "empty") }
        var seen: Set<String> = []
        var parts: [String] = []
        for piece in pieces {
            var regex = "^", i = piece.startIndex
            while i < piece.endIndex {
                let c = piece[i]
                if c == "{" {
                    guard let close = piece[i...].firstIndex(of: "}") else { throw AuditError.badPattern(pattern: text, reason: "'{' without '}'") }
                    let name = String(piece[piece.index(after: i)..<close])
                    guard ["agent", "team", "date"].contains(name) else {
                        throw AuditError.badPattern(pattern: text, reason: "unknown field {\(name)}; use {agent}, {team} or {date}")
                    }
                    guard seen.insert(name).inserted else { throw AuditError.badPattern(pattern: text, reason: "{\(name)} appears twice") }
                    regex += name == "date" ? "(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})" : "(?<\(name)>[^/]+?)"
                    i = piece.index(after: close)
                    continue
                }
                regex += c == "*" ? "[^/]*" : NSRegularExpression.escapedPattern(for: String(c))
                i = piece.index(after: i)
            }
            parts.append(regex + "$")
        }
        guard !seen.isEmpty else { throw AuditError.badPattern(pattern: text, reason: "names none of {agent}, {team}, {date}") }
        self.parts = parts
    }

    /// The fields of `path`, or nil when its last parts do not match.
    public func match(_ path: String) -> [String: String]? {
        let components = path.split(separator: "/").map(String.init)
        guard components.count >= parts.count else { return nil }
        var fields: [String: String] = [:]
        for (regex, component) in zip(parts, components.suffix(parts.count)) {
            guard let re = try? NSRegularExpression(pattern: regex),
                  let m = re.firstMatch(in: component, range: NSRange(component.startIndex..., in: component)) else { return nil }
            for name in ["agent", "team", "date"] {
                let r = m.range(withName: name)
                if r.location != NSNotFound, let range = Range(r, in: component) { fields[name] = String(component[range]) }
            }
        }
        return fields
    }
}
