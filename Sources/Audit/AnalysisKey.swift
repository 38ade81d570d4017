import CallAnalysis
import Foundation
import Rubric
import SpeechAnalysis

/// The analysis key (docs/audit.md, "The key"): SHA-256 over the file's bytes' SHA-256, the
/// analysis version, the SHA-256 of the effective settings and of the canonical rubric JSON. The
/// same bytes analysed the same way have one key wherever they lie; a change to any part is a new key.
public struct AnalysisKey: Sendable, Equatable, Hashable {
    public var fileSHA256: String
    public var analysisVersion: Int
    public var settingsSHA256: String
    public var rubricSHA256: String

    public init(fileSHA256: String, analysisVersion: Int = AnalysisVersion.current, settingsSHA256: String, rubricSHA256: String) {
        self.fileSHA256 = fileSHA256; self.analysisVersion = analysisVersion
        self.settingsSHA256 = settingsSHA256; self.rubricSHA256 = rubricSHA256
    }

    /// 64 hex digits.
    public var value: String {
        SHA256.hex("voiceqa.audit.key/1\n\(fileSHA256)\n\(analysisVersion)\n\(settingsSHA256)\n\(rubricSHA256)")
    }

    /// The settings that change a measured value for a given file, as canonical JSON (sorted keys,
    /// no spaces): agent channel, channel pair, language, shortest pause. The duration and time
    /// limits only refuse files, and series only change what is stored, so they are not in it.
    public static func canonicalSettings(_ o: AnalysisOptions) -> String {
        let pair = o.channelPair.map { "[\($0.map(String.init).joined(separator: ","))]" } ?? "null"
        return "{\"agentChannel\":\(o.agentChannel),\"channelPair\":\(pair),\"language\":\"\(o.language.rawValue)\","
            + "\"minimumPauseSeconds\":\(o.pauses.minimumPauseSeconds)}"
    }

    public static func settingsSHA256(_ o: AnalysisOptions) -> String { SHA256.hex(canonicalSettings(o)) }

    /// The rubric as canonical JSON (sorted keys), the text its hash is taken over.
    public static func canonicalRubric(_ rubric: Rubric) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a checked rubric cannot fail (its numbers are finite).
        return String(decoding: (try? e.encode(rubric)) ?? Data(), as: UTF8.self)
    }

    public static func rubricSHA256(_ rubric: Rubric) -> String { SHA256.hex(canonicalRubric(rubric)) }
}
