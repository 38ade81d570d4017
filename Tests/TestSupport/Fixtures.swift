import Foundation

/// Finds the bundled recordings and their ground truth in `Fixtures/` (relative to this
/// source file, so tests run from any clone).
public enum Fixtures {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// `group` is "speech", "conversations" or "calls".
    public static func stems(in group: String) -> [String] {
        let dir = root.appendingPathComponent(group)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && $0 != "index.json" }
            .map { String($0.dropLast(5)) }.sorted()
    }

    /// Whether `stem` came with issue 17's batch (voices and calls the earlier targets were not
    /// set on: the MFA recordings, THCHS-30, the dense Common Voice clip, the `devcall3_*` calls).
    /// Tests keep the earlier figures on the earlier files and report the batch beside them.
    public static func isIssue17Batch(_ stem: String) -> Bool {
        stem.hasPrefix("devcall3_") || stem.contains("_mfa_") || stem.hasPrefix("zh_thchs30") || stem == "ja_commonvoice_24511055"
    }

    /// The source a speech fixture comes from, the first two parts of its stem ("en_ljspeech",
    /// "zh_thchs30", …): the unit figures are reported per, and held out by.
    public static func source(_ stem: String) -> String {
        stem.split(separator: "_").prefix(2).joined(separator: "_")
    }

    /// Whether the `speech_segments` of a speech fixture (or of a call's placement built from it;
    /// `stem` may be a placement's `source_id`) leave out speech: THCHS-30's energy-VAD truth
    /// leaves out whole phrases. In D4_894 it holds 2.9 s of speech in 0.87–7.75 s while the
    /// 100 ms levels stand 10–20 dB over the room floor through 0.8–4.1, 4.7–6.6 and 6.9–8.6 s, and
    /// webrtcvad in its strictest mode finds 15–148 % more speech than the truth in each of the six
    /// clips, within −5…+7 % of it on 19 of the other 21 (docs/accuracy.md). Activity tests
    /// report these clips apart; rate tests count their syllables in the whole utterance.
    public static func truthLeavesOutSpeech(_ stem: String) -> Bool {
        stem.hasPrefix("zh_thchs30")
    }

    /// Spans (start, end seconds) of a built call's placements on `channel` ("agent" or
    /// "customer") whose source — or, for a joined turn, any of its `concat_of` sources — passes
    /// `source`.
    public static func placementSpans(_ truth: [String: Any], channel: String,
                                      source: (String) -> Bool) -> [(Double, Double)] {
        (truth["placements"] as? [[String: Any]] ?? []).compactMap { p in
            guard p["channel"] as? String == channel, let id = p["source_id"] as? String,
                  (p["concat_of"] as? [String] ?? [id]).contains(where: source),
                  let start = p["start"] as? Double, let end = p["end"] as? Double else { return nil }
            return (start, end)
        }
    }

    /// Path of the audio file of `stem` in `group` (.wav or .flac).
    public static func audioPath(_ group: String, _ stem: String) -> String {
        for ext in ["wav", "flac"] {
            let p = root.appendingPathComponent(group).appendingPathComponent("\(stem).\(ext)").path
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return root.appendingPathComponent(group).appendingPathComponent(stem).path
    }

    /// Ground-truth JSON beside the audio file, as a dictionary.
    public static func truth(_ group: String, _ stem: String) throws -> [String: Any] {
        try json(root.appendingPathComponent(group).appendingPathComponent("\(stem).json"))
    }

    /// Third-party reference values (`Fixtures/reference/<group>/<stem>.json`).
    public static func reference(_ group: String, _ stem: String) throws -> [String: Any] {
        try json(root.appendingPathComponent("reference").appendingPathComponent(group).appendingPathComponent("\(stem).json"))
    }

    static func json(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    /// `speech_segments` of the ground truth: one list of (start, end) seconds per channel.
    public static func speechSegments(_ truth: [String: Any]) -> [[(Double, Double)]] {
        guard let channels = truth["speech_segments"] as? [[[Double]]] else { return [] }
        return channels.map { $0.map { ($0[0], $0[1]) } }
    }
}
