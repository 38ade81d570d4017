import AudioIO
import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Study (run by hand with VOICEQA_STUDY_DIR set): per call and channel, the detector's runs and
/// per-frame evidence (level, score, raw decision, floors) as JSON, for the error breakdown of
/// issue 17's calls target.
@Suite("Activity call error study")
struct ActivityCallErrorStudy {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_STUDY_DIR"] != nil)) func dump() throws {
        let dir = ProcessInfo.processInfo.environment["VOICEQA_STUDY_DIR"]!
        for stem in Fixtures.stems(in: "calls") {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            let contours = buffer.channels.map { ActivityFixtureTests.contours($0, rateHz: buffer.sampleRateHz) }
            let onset = Double(ProcessInfo.processInfo.environment["VOICEQA_STUDY_ONSET"] ?? "12") ?? 12
            let settings = try SpeechActivitySettings(onsetSNRDB: onset)
            let activities = SpeechActivityDetector.detect(contours, settings: settings)
            var out: [String: Any] = [:]
            for c in contours.indices {
                let n = contours[c].frameCount
                let levels = contours[c].levelDB.map { HalfPrecision.float($0) }
                let w = contours[c].bandLevelCodes.withUnsafeBufferPointer { codes in
                    levels.withUnsafeBufferPointer { lv in
                        ChannelContours.powerOfCode.withUnsafeBufferPointer { power in
                            SpeechActivityDetector.WindowEvidence(start: 0, codes: codes, levelDB: lv, settings: settings, powerOfCode: power)
                        }
                    }
                }
                out["\(c)"] = ["runs": activities[c].speechRuns.map { [$0.lowerBound, $0.upperBound] },
                               "level": levels.map { Double($0) }, "score": w.score.map { Double($0) },
                               "raw": w.raw, "sounding": w.sounding,
                               "floors": w.floorCodes.map { Int($0) }, "codes": contours[c].bandLevelCodes.map { Int($0) },
                               "frames": n]
            }
            let data = try JSONSerialization.data(withJSONObject: out)
            try data.write(to: URL(fileURLWithPath: dir).appendingPathComponent("\(stem).json"))
        }
    }
}

extension ActivityCallErrorStudy {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_STUDY_BC"] != nil)) func backchannelSeed2() throws {
        let (builder, truth) = ConsecutiveBackchannelTests.call(seed: 2, levelDB: -15)
        var buffer = builder.buffer(seed: 2)
        CrosstalkGateStudy.addEcho(&buffer, echoDB: -30, delaySeconds: 0.09)
        let contours = buffer.channels.map { ActivityFixtureTests.contours($0, rateHz: buffer.sampleRateHz) }
        let a = SpeechActivityDetector.detect(contours)
        for c in 0..<2 {
            print("bcstudy ch\(c): " + a[c].segments.filter { $0.end > 7 && $0.start < 12 }.map { String(format: "%.2f-%.2f", $0.start, $0.end) }.joined(separator: " "))
        }
        print("bcstudy truth bc: \(truth.backchannels.filter { $0 > 7 && $0 < 12 })")
    }
}
