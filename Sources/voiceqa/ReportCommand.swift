import ArgumentParser
import AudioIO
import CallAnalysis
import Foundation
import Reports
import Rubric
import SpeechAnalysis

enum AudioMode: String, ExpressibleByArgument, CaseIterable {
    case link, embed, none
}

/// `voiceqa report`: one coaching page (HTML) per call — analysed now, or rendered from stored
/// analyses with `--from-json`. The page is `CoachingPage.html` of the very report `analyze` would
/// print with `--pitch-track --series`, so both paths give the same bytes. Each written page's path
/// is one line on stdout; problems are one line each on stderr.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a coaching page (one self-contained HTML file) per call.",
        discussion: """
        Pages are STEM.html in the output folder (a second call with the same stem becomes STEM-2.html). \
        The player links the recording by a relative URL (--audio link, the default), embeds it (--audio embed, \
        Ogg Opus/Vorbis), or is left out (--audio none). Recordings browsers cannot play (G.711, GSM, ADPCM) are \
        embedded instead of linked.
        """)

    @Argument(help: "Recordings to analyse (any format libsndfile reads).")
    var files: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")],
            help: "Output: a folder (created if missing; default: the current folder), or a file ending in .html for one call.")
    var output: String?

    @Option(help: "Language of the page's text: zh, ja or en (default: --language, else the analysis's language).")
    var pageLanguage: SpeechLanguage?

    @Option(help: "Player: link (the recording by relative URL), embed (inside the page), none.")
    var audio: AudioMode = .link

    @Option(name: .customLong("from-json"), help: "Render stored analyses (one JSON object, an array, or JSON lines from `analyze`) instead of analysing.")
    var fromJSON: String?

    @Option(help: "With --from-json: the recording (one report), or a folder holding the recordings by file name.")
    var audioPath: String?

    @OptionGroup var analysis: AnalysisArguments

    var outputIsFile: Bool { output?.lowercased().hasSuffix(".html") == true }

    func validate() throws {
        if fromJSON == nil && files.isEmpty { throw ValidationError("Name the recordings to report on, or --from-json FILE.") }
        if fromJSON != nil && !files.isEmpty { throw ValidationError("Give either recordings or --from-json, not both.") }
        if outputIsFile && files.count > 1 { throw ValidationError("-o \(output ?? "") is one file; name a folder for \(files.count) calls.") }
        if audioPath != nil && fromJSON == nil { throw ValidationError("--audio-path goes with --from-json.") }
    }

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        let rubric = try analysis.loadRubric()
        let writer = try PageWriter(output: output, outputIsFile: outputIsFile, audio: audio, maxDurationSeconds: analysis.maxDuration)
        if let fromJSON {
            try renderStored(fromJSON, writer: writer)
            return
        }
        let options = try analysis.analysisOptions(rubric: rubric, pitchTrack: true)
        let pageLanguage = self.pageLanguage ?? options.language
        let names = PageWriter.pageNames(for: files)
        for (k, name) in names.enumerated() where name.renamed {
            StandardOutput.error("voiceqa: \(files[k]): another call has the same name; its page is \(name.file)")
        }
        let outcome = AnalysisRunner.run(files: files, options: options, jobs: analysis.jobCount, includeSeries: true,
                                         rubric: rubric, timeLimitSeconds: analysis.timeLimitSeconds) { index, result in
            guard case let .success(report, _) = result else { return }
            let page = try writer.write(report, recordingPath: files[index], pageFile: names[index].file, language: pageLanguage)
            if let line = page.notice { StandardOutput.error("voiceqa: \(line)") }
            do { try StandardOutput.write(page.path) } catch { throw FatalHandOverError(description: "\(error)") }
        }
        if let fatal = outcome.fatalError {
            StandardOutput.error("voiceqa: \(fatal)")
            throw ExitCode(ExitCodes.someFilesFailed)
        }
        var failed = 0
        for result in outcome.results {
            if case let .failure(message) = result { failed += 1; StandardOutput.error("voiceqa: \(message)") }
        }
        if failed > 0 { throw ExitCode(ExitCodes.someFilesFailed) }
    }

    /// `--from-json`: one page per stored report, no analysis.
    func renderStored(_ path: String, writer: PageWriter) throws {
        let reports: [AnalysisReport]
        do { reports = try StoredReports.read(path: path) } catch {
            StandardOutput.error("voiceqa: \(path): \(error)")
            throw ExitCode(ExitCodes.someFilesFailed)
        }
        if outputIsFile && reports.count != 1 {
            throw ValidationError("-o \(output ?? "") is one file, but \(path) holds \(reports.count) reports; name a folder.")
        }
        let jsonFolder = (path as NSString).deletingLastPathComponent
        let names = PageWriter.pageNames(for: reports.map(\.file))
        var failed = 0
        for (k, report) in reports.enumerated() {
            if names[k].renamed { StandardOutput.error("voiceqa: \(report.file): another call has the same name; its page is \(names[k].file)") }
            let recording = StoredReports.findRecording(report.file, jsonFolder: jsonFolder, audioPath: audioPath, single: reports.count == 1)
            if recording == nil && audio != .none {
                StandardOutput.error("voiceqa: \(report.file): recording not found (looked beside \(path), in the current folder\(audioPath.map { " and at \($0)" } ?? "")); the page has no player")
            }
            do {
                let page = try writer.write(report, recordingPath: recording, pageFile: names[k].file,
                                            language: pageLanguage ?? analysis.language ?? report.settings.language)
                if let line = page.notice { StandardOutput.error("voiceqa: \(line)") }
                try StandardOutput.write(page.path)
            } catch let error as StandardOutput.WriteError {
                StandardOutput.error("voiceqa: \(error)")
                throw ExitCode(ExitCodes.someFilesFailed)
            } catch {
                failed += 1
                StandardOutput.error("voiceqa: \(report.file): \(error)")
            }
        }
        if failed > 0 { throw ExitCode(ExitCodes.someFilesFailed) }
    }
}

/// Reads stored analyses: one JSON object, an array of them, or JSON lines.
enum StoredReports {
    struct ReadError: Error, CustomStringConvertible { var description: String }

    static func read(path: String) throws -> [AnalysisReport] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ReadError(description: "cannot read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        if let one = try? decoder.decode(AnalysisReport.self, from: data) { return [one] }
        if let many = try? decoder.decode([AnalysisReport].self, from: data) { return many }
        var out: [AnalysisReport] = []
        for (k, line) in data.split(separator: UInt8(ascii: "\n")).enumerated()
        where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            do { out.append(try decoder.decode(AnalysisReport.self, from: Data(line))) } catch {
                throw ReadError(description: "not an analysis report (JSON object, array or JSON lines from `voiceqa analyze`); line \(k + 1): \(Self.reason(error))")
            }
        }
        if out.isEmpty { throw ReadError(description: "holds no analysis report") }
        return out
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing key \(key.stringValue)"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not valid JSON"
        }
    }

    /// The recording of a stored report: `--audio-path` (a file for a single report, or a folder
    /// holding the file by name), else the report's `file` relative to the JSON's folder, then to the current folder.
    static func findRecording(_ file: String, jsonFolder: String, audioPath: String?, single: Bool) -> String? {
        let fm = FileManager.default
        func isFile(_ p: String) -> Bool { var dir: ObjCBool = false; return fm.fileExists(atPath: p, isDirectory: &dir) && !dir.boolValue }
        if let audioPath {
            var dir: ObjCBool = false
            if fm.fileExists(atPath: audioPath, isDirectory: &dir), dir.boolValue {
                let inFolder = (audioPath as NSString).appendingPathComponent((file as NSString).lastPathComponent)
                return isFile(inFolder) ? inFolder : nil
            }
            return single && isFile(audioPath) ? audioPath : nil
        }
        if file.hasPrefix("/") { return isFile(file) ? file : nil }
        let besideJSON = ((jsonFolder.isEmpty ? "." : jsonFolder) as NSString).appendingPathComponent(file)
        if isFile(besideJSON) { return besideJSON }
        return isFile(file) ? file : nil
    }
}

/// Writes pages: where each goes, and how its player gets the recording.
struct PageWriter: Sendable {
    let folder: String
    let singleFile: String?
    let audio: AudioMode
    let maxDurationSeconds: Double

    init(output: String?, outputIsFile: Bool, audio: AudioMode, maxDurationSeconds: Double) throws {
        let fm = FileManager.default
        if outputIsFile, let output {
            singleFile = output
            let parent = (output as NSString).deletingLastPathComponent
            folder = parent.isEmpty ? "." : parent
        } else {
            singleFile = nil
            folder = output ?? "."
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("-o \(folder): exists and is not a folder") }
        } else {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw ValidationError("-o \(folder): cannot create the folder: \(error.localizedDescription)")
            }
        }
        self.audio = audio
        self.maxDurationSeconds = maxDurationSeconds
    }

    /// Page file names by input order: STEM.html, then STEM-2.html, STEM-3.html … for repeated stems.
    static func pageNames(for inputs: [String]) -> [(file: String, renamed: Bool)] {
        var used: [String: Int] = [:]
        var taken = Set<String>()
        return inputs.map { input in
            let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
            let base = stem.isEmpty ? "call" : stem
            var k = used[base, default: 0] + 1
            var name = k == 1 ? "\(base).html" : "\(base)-\(k).html"
            while taken.contains(name) { k += 1; name = "\(base)-\(k).html" }
            used[base] = k
            taken.insert(name)
            return (name, k > 1)
        }
    }

    struct Written { var path: String; var notice: String? }

    func write(_ report: AnalysisReport, recordingPath: String?, pageFile: String, language: SpeechLanguage) throws -> Written {
        let target = singleFile ?? (folder as NSString).appendingPathComponent(pageFile)
        var notice: String?
        var player = CoachingPage.Audio.none
        var note: CoachingPage.AudioNote?
        if let recordingPath {
            let playable = CoachingPage.browsersCanPlay(format: report.audio.format)
            if audio == .link && playable {
                player = .link(relativePath: Self.relativePath(from: folder, to: recordingPath))
            } else if audio == .embed || (audio == .link && !playable) {
                do {
                    let encoded = try AudioEncoder.encodeForBrowser(path: recordingPath, channels: report.channels.map(\.index),
                                                                    maxDurationSeconds: maxDurationSeconds)
                    player = .embedded(mimeType: encoded.mimeType, base64: encoded.data.base64EncodedString())
                    if audio == .link {
                        note = .embeddedBecauseBrowsersCannotPlay(format: report.audio.format)
                        notice = "\(report.file): browsers cannot play \(report.audio.format); the recording is embedded in \(target)"
                    }
                } catch {
                    notice = "\(error); the page has no player"
                }
            }
        } else if audio != .none {
            note = .recordingNotFound
        }
        let html = CoachingPage.html(for: report, pageLanguage: language, audio: player, audioNote: note)
        do { try Data(html.utf8).write(to: URL(fileURLWithPath: target), options: .atomic) } catch {
            throw PageWriteError(description: "cannot write \(target): \(error.localizedDescription)")
        }
        return Written(path: target, notice: notice)
    }

    struct PageWriteError: Error, CustomStringConvertible { var description: String }

    /// `file` relative to `folder` (both made absolute against the current folder), with `/` separators.
    static func relativePath(from folder: String, to file: String) -> String {
        RelativePath.of(file, from: folder)
    }
}
