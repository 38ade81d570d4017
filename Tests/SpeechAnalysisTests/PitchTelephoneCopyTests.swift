import AudioIO
import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17, cause 4: the same voice through the telephone band (8 kHz, 300–3400 Hz, µ-law)
/// must keep its pitch summary: on every fixture voice, the copy's F0 median within 8 % and its
/// F0 spread within 1 st of the wideband file's (voiced frames inside the true speech segments).
@Suite struct PitchTelephoneCopyTests {
    static func summary(_ track: PitchTrack, _ segments: [(Double, Double)]) -> (medianHz: Double, stdevSemitones: Double, highRatio: Double) {
        var hz: [Double] = []
        for i in 0..<track.frameCount where track.f0Hz[i] > 0 {
            let t = track.seconds(ofFrame: i)
            if segments.contains(where: { t >= $0.0 && t < $0.1 }) { hz.append(Double(track.f0Hz[i])) }
        }
        let st = hz.map { 12 * log2($0) }
        let median = Statistics.median(hz) ?? .nan
        return (median, Statistics.standardDeviation(st) ?? .nan, Double(hz.filter { $0 > 1.6 * median }.count) / Double(max(1, hz.count)))
    }

    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func everyVoiceKeepsItsPitchThroughTheTelephone() throws {
        var failures: [String] = []
        for stem in Fixtures.stems(in: "speech") {
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let segments = Fixtures.speechSegments(try Fixtures.truth("speech", stem)).first ?? []
            let wide = Self.summary(PitchTracker.track(audio.channels[0], sampleRateHz: audio.sampleRateHz), segments)
            let phone = Self.summary(PitchTracker.track(Telephone.narrowband(audio.channels[0], sampleRateHz: audio.sampleRateHz),
                                                        sampleRateHz: 8_000), segments)
            let medianError = 100 * abs(phone.medianHz / wide.medianHz - 1), spreadError = abs(phone.stdevSemitones - wide.stdevSemitones)
            print(String(format: "pitch telephone copy %@: median %.1f → %.1f Hz (%.1f %%), SD %.2f → %.2f st; frames over 1.6 × median %.1f → %.1f %%",
                         stem, wide.medianHz, phone.medianHz, medianError, wide.stdevSemitones, phone.stdevSemitones,
                         100 * wide.highRatio, 100 * phone.highRatio))
            if !(medianError <= 8 && spreadError <= 1) { failures.append(stem) }
        }
        print("pitch telephone copies outside 8 % / 1 st: \(failures)")
        // Measured: 26 of 27 voices held until the range cost was waived on glided excursions; the
        // one that did not, en_mfa_mcauliffe_english_fast (103 Hz male, SD 5.62 → 4.29 st), has
        // real rises to 245 Hz (our wideband track and Praat's agree): its F0 is bimodal and q75 falls
        // in the gap between body and rises, so the copy's 28 fewer voiced first-pass frames move the
        // range ceiling from 235 to 200 Hz, into the rises, and the range cost halved or unvoiced
        // them. The copy's first pass glides into them from inside the range and out again, and the
        // second pass now keeps them (`PitchTracker.glidedAboveCeiling`): SD 5.62 → 5.23 st, all 27
        // within 8 % / 1 st (median within 0.0–5.8 %, largest SD gap zh_thchs30_D4_894 −0.83 st).
        #expect(failures.isEmpty)
    }
}
