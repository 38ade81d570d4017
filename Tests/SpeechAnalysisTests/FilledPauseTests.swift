import CallAnalysis
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Filled pauses against the fixture's labelled fillers (devcall2_en_02: 3 agent fillers, PSOLA-lengthened
/// vowels) and calls without any.
struct FilledPauseTests {
    static func truthFillers(_ stem: String) throws -> [(Double, Double)] {
        let truth = try Fixtures.truth("calls", stem)
        let events = truth["events"] as? [[String: Any]] ?? []
        return events.filter { ($0["type"] as? String) == "filled_pause" }
            .map { ($0["start"] as! Double, $0["end"] as! Double) }
    }

    @Test(arguments: ["devcall2_en_02", "devcall2_en_00", "devcall_en_00", "devcall_en_02", "devcall_mixed_01"])
    func fixtureFillers(stem: String) throws {
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem))
        let found = analysis.conversation?.filledPauses?.items ?? []
        let truth = try Self.truthFillers(stem)
        print("FILLERS \(stem): found \(found.map { ($0.start, $0.end, $0.pitchSpreadSemitones) }) truth \(truth)")
    }
}

struct FilledPauseDebug {
    @Test func dump() throws {
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", "devcall2_en_02"))
        let a = analysis.channels[0]
        let tb = a.pitchTrack.timeBase
        for range in [(39.1, 39.95), (35.0, 35.25)] {
            var line = ""
            for i in tb.frame(nearest: range.0)...tb.frame(nearest: range.1) {
                let f = a.pitchTrack.f0Hz[i], fp = a.pitchTrack.f0Hz[i - 1]
                var ch: Float = 0, md: Float = 0
                for k in 0..<16 { md += (a.contours.bandLevelDB(frame: i, band: k) - a.contours.bandLevelDB(frame: i - 2, band: k)) / 16 }
                for k in 0..<16 { ch += abs(a.contours.bandLevelDB(frame: i, band: k) - a.contours.bandLevelDB(frame: i - 2, band: k) - md) }
                line += String(format: "%.2f f=%.0f st=%.2f ch=%.1f L=%.0f\n", tb.seconds(ofFrame: i), f, f > 0 && fp > 0 ? 12 * log2(f / fp) : 99, ch / 16, a.contours.levelDB[i])
            }
            print(line)
        }
        print(a.activity.segments.filter { $0.end > 23 && $0.start < 41 })
    }
}
