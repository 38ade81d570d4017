import AudioIO
import CallAnalysis
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// The customers' pitch on the fixture calls, frame by frame against Praat's track of the same
/// turn in the wideband AMI meeting it was cut from (Fixtures/reference/conversations; Praat
/// 6.1.38, floor 75 Hz). The AMI customers are low male voices (reference medians 100–121 Hz),
/// whose fundamental the telephone band cuts; Praat on the call's own 8 kHz channel makes octave
/// errors on them (Fixtures/reference/SOURCES.md), so the wideband track is the reference.
@Suite struct PitchCallCustomerTests {
    /// Praat's track of each AMI excerpt's one channel.
    static let references: [String: PitchReferenceTests.Reference] = {
        var out: [String: PitchReferenceTests.Reference] = [:]
        for conversation in ["dev00", "dev01"] {
            let ref = try! Fixtures.reference("conversations", "en_ami_excerpt_\(conversation)")
            let pitch = (ref["channels"] as! [[String: Any]])[0]["pitch"] as! [String: Any]
            let track = pitch["track"] as! [String: Any]
            out[conversation] = PitchReferenceTests.Reference(
                startSeconds: track["startSeconds"] as! Double, hopSeconds: track["hopSeconds"] as! Double,
                hz: track["hz"] as! [Double], stdevSemitones: pitch["stdevSemitones"] as! Double)
        }
        return out
    }()

    /// The customer channel's track scored on every AMI turn placed at its own tempo
    /// (`source_id` en_ami_excerpt_<conversation>_<start seconds>).
    static func customerScores(stem: String) throws -> PitchScores {
        let truth = try Fixtures.truth("calls", stem)
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem))
        var scores = PitchScores()
        guard analysis.channels.count > 1 else { return scores }
        let track = analysis.channels[1].pitchTrack
        for p in truth["placements"] as? [[String: Any]] ?? [] {
            guard p["channel"] as? String == "customer", let id = p["source_id"] as? String,
                  id.hasPrefix("en_ami_excerpt_"), (p["tempo_factor"] as? Double ?? 1) == 1,
                  let start = p["start"] as? Double, let end = p["end"] as? Double else { continue }
            let parts = id.split(separator: "_")
            guard let reference = references[String(parts[parts.count - 2])],
                  let offset = Double(parts[parts.count - 1]) else { continue }
            for i in 0..<track.frameCount {
                let t = track.seconds(ofFrame: i)
                guard t >= start, t < end else { continue }
                scores.add(estimateHz: Double(track.f0Hz[i]), truthHz: reference.hz(at: t - start + offset))
            }
        }
        return scores
    }

    /// Four of the calls ring before the customer answers. The ring-back tone (400–461 Hz) made
    /// up to half the customer channel's voiced frames, and the tracker's second pass took the
    /// speaker's range (0.75·q25 … 1.5·q75, Hirst 2011) from them all: a ceiling near 690 Hz let
    /// harmonics of these 100–120 Hz voices through (devcall3_zh_00's customer turn: 86 % of
    /// frames gross errors, its calm episode's customer "rise" −12.2 st). With call-progress tones
    /// left out of the range (`PitchTracker.steadyToneFrames`), measured (analysisVersion 6):
    /// pooled GPE 6.22 % → 2.57 % (n ≈ 3,500 frames both voiced, 12 turns on 8 calls), voicing
    /// error 14.36 → 14.25 %; devcall3_zh_00 86 → 10 %; the calls without rings unchanged.
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func customersOnCallsMatchWidebandPraat() throws {
        var total = PitchScores()
        for stem in Fixtures.stems(in: "calls") {
            let scores = try Self.customerScores(stem: stem)
            guard scores.bothVoicedCount > 0 else { continue }
            print("customer \(stem): \(scores)")
            total.merge(scores)
            #expect(scores.grossErrorRatio <= 0.12, "\(stem): \(scores)")
        }
        print("customers, all AMI turns: \(total)")
        #expect(total.bothVoicedCount > 3_000)
        #expect(total.grossErrorRatio <= 0.035)
    }
}
