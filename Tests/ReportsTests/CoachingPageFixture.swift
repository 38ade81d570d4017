import CallAnalysis
import Foundation
import Reports
import Rubric
import SpeechAnalysis
import TestSupport

/// Reports of the fixture calls as `voiceqa report` renders them (pitch track and series included),
/// analysed once per test run.
enum CoachingFixture {
    static func report(_ stem: String, language: SpeechLanguage = .en) throws -> AnalysisReport {
        let key = "\(stem)/\(language.rawValue)"
        if let cached = cache.get(key) { return cached }
        let options = AnalysisOptions(language: language, pitchTrack: true)
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: options)
        let report = AnalysisReport(analysis, includeSeries: true)
        cache.set(key, report)
        return report
    }

    private static let cache = ReportCache()

    /// The SVG marks of one kind (`class="mk-…"`), with their `data-t` and, for rectangles, x and width.
    struct Mark { var t: Double; var x: Double?; var width: Double? }
    static func marks(_ html: String, kind: String) -> [Mark] {
        var out: [Mark] = []
        var rest = Substring(html)
        while let r = rest.range(of: "class=\"mk-\(kind)\"") {
            let tagEnd = rest[r.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[r.upperBound..<tagEnd]
            if let t = attribute(tag, "data-t") {
                out.append(Mark(t: t, x: attribute(tag, "x"), width: attribute(tag, "width")))
            }
            rest = rest[tagEnd...]
        }
        return out
    }

    static func attribute(_ tag: Substring, _ name: String) -> Double? {
        guard let r = tag.range(of: " \(name)=\"") else { return nil }
        let value = tag[r.upperBound...].prefix { $0 != "\"" }
        return Double(value)
    }

    /// The `d` of the first path of a kind, as (x, width) of its "Mx yhW…" rectangles.
    static func rectangles(_ html: String, kind: String) -> [(x: Double, width: Double)] {
        guard let r = html.range(of: "class=\"mk-\(kind)\" d=\"") else { return [] }
        let d = html[r.upperBound...].prefix { $0 != "\"" }
        var out: [(Double, Double)] = []
        for piece in d.split(separator: "M").dropFirst(0) {
            let parts = piece.split(whereSeparator: { $0 == " " || $0 == "h" || $0 == "v" || $0 == "z" })
            if parts.count >= 3, let x = Double(parts[0]), let w = Double(parts[2]) { out.append((x, w)) }
        }
        return out
    }
}

final class ReportCache: @unchecked Sendable {
    private var reports: [String: AnalysisReport] = [:]
    private let lock = NSLock()
    func get(_ key: String) -> AnalysisReport? { lock.lock(); defer { lock.unlock() }; return reports[key] }
    func set(_ key: String, _ report: AnalysisReport) { lock.lock(); reports[key] = report; lock.unlock() }
}
