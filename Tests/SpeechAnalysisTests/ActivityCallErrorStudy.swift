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

extension ActivityCallErrorStudy {
    /// The seed-2 call of `ConsecutiveBackchannelTests` (−15 dB backchannels, customer echo at
    /// −30 dB / 90 ms), frame by frame on the agent channel around its second backchannel: level,
    /// score, the raw decision, the crosstalk gate's verdict (0 none, 1 weak copy, 2 leakage), the
    /// customer's score at the echo's source frame, and the stream's stretch state replayed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_STUDY_BC"] != nil)) func backchannelSeed2Frames() throws {
        let (builder, truth) = ConsecutiveBackchannelTests.call(seed: 2, levelDB: -15)
        var buffer = builder.buffer(seed: 2)
        CrosstalkGateStudy.addEcho(&buffer, echoDB: -30, delaySeconds: 0.09)
        let contours = TurnTakingSyntheticCallTests.contours(buffer)
        let (n, levels, windows) = CrosstalkGateStudy.gateInputs(contours)
        let lag = CrosstalkGateStudy.estimatedLagFrames(behind: levels[0], other: levels[1])
        let gate = CrosstalkGate(marginDB: 6, bandActiveDB: 6)
        let verdicts = CrosstalkGateStudy.verdicts(gate, contours, channel: 0, windows: windows, frameCount: n, echoLagFrames: lag)
        let activity = SpeechActivityDetector.detect(contours)
        let tb = contours[0].timeBase
        print("bcframes truth backchannels \(truth.backchannels.map { String(format: "%.3f", $0) }); agent truth \(CrosstalkGateStudy.spans(builder.agentSegments, from: 8.5, to: 11)); customer truth \(CrosstalkGateStudy.spans(builder.customerSegments, from: 8.5, to: 11)); lag \(lag)")
        print("bcframes found agent \(CrosstalkGateStudy.spans(activity[0].segments.map { ($0.start, $0.end) }, from: 8.5, to: 11)); customer \(CrosstalkGateStudy.spans(activity[1].segments.map { ($0.start, $0.end) }, from: 8.5, to: 11))")
        for i in tb.frame(nearest: 8.9)...tb.frame(nearest: 10.3) {
            let j = max(0, i - lag)
            print(String(format: "bcframes %5d %.2f lvl %6.1f sc %5.1f raw %d verdict %d | csc(i-lag) %5.1f csc(i) %5.1f",
                         i, tb.seconds(ofFrame: i), levels[0][i], windows[0].score[i], windows[0].raw[i] ? 1 : 0, Int(verdicts[i]),
                         windows[1].score[j], windows[1].score[i]))
            guard i >= 998 && i <= 1012 else { continue }
            let a = contours[0].bandLevelCodes, b = contours[1].bandLevelCodes, bands = AnalysisBands.count
            let fa = windows[0].floorCodes, fb = windows[1].floorCodes
            var line = ""
            for l in [0, lag - 1, lag, lag + 1] {
                var count = 0, activeA = 0, sum: Float = 0, sumSquares: Float = 0
                var bandsA = "", bandsB = ""
                for band in 0..<bands {
                    let ka = i * bands + band, kb = (i - l) * bands + band
                    let actA = Int(a[ka]) - Int(fa[ka]) >= 12, actB = Int(b[kb]) - Int(fb[kb]) >= 12
                    bandsA += actA ? "#" : "."; bandsB += actB ? "#" : "."
                    if actA { activeA += 1 }
                    if actA && actB { let d = 0.5 * (Float(a[ka]) - Float(b[kb])); sum += d; sumSquares += d * d; count += 1 }
                }
                let mean = count > 0 ? sum / Float(count) : .nan
                let spread = count > 0 ? max(0, sumSquares / Float(count) - mean * mean).squareRoot() : .nan
                line += String(format: " L%d n %d/%d m %.1f s %.1f %@ %@ |", l, count, activeA, mean, spread, bandsA, bandsB)
            }
            print("bcgate \(i) sounding \(windows[0].sounding[i] ? 1 : 0) hr \(windows[0].levelHeadroomDB[i]):\(line)")
        }
    }
}
