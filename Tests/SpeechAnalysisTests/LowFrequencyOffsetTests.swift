import AudioIO
import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// A DC offset or rumble under the voice should not move its pitch: every speech fixture with a
/// constant offset added, and with a slow sine added (handling noise, wind, a building's vibration),
/// tracked against Praat's track of the clean file (the offset and the sine lie under every F0, so
/// the truth does not change). The speech's own RMS sets their size, so quiet and loud recordings
/// are tested alike. **Known issue** (2026-12-06; docs/accuracy.md, "DC offset and rumble"): both
/// leak through the Hann window into the lowest bins and lift the normalised autocorrelation at
/// every short lag. Measured at analysisVersion 16: offset — gross errors 1.33 % (clean 1.69 %),
/// voicing error 7.06 → 14.79 %, a voice's median moved up to 39.7 % (en_mfa_mcauliffe_english_slow);
/// rumble — gross errors 15.1 %, a median moved 448 % (en_mfa_mcauliffe_um). A 30 Hz high-pass
/// before framing fixes the offset (worst median 0.2 %) but is not shipped: it moves other figures
/// that are not yet understood (docs/accuracy.md).
@Suite struct LowFrequencyOffsetTests {
    enum Disturbance: String, CaseIterable, Sendable {
        /// A constant offset at 0.2 × the speech RMS (−14 dB; 0.02 of full scale on a 0.1 RMS clip).
        case offset
        /// A 12 Hz sine at the speech RMS.
        case rumble

        func added(to x: [Float], sampleRateHz: Double) -> [Float] {
            let rms = Float(Synth.rms(x))
            switch self {
            case .offset: return x.map { $0 + 0.2 * rms }
            case .rumble:
                let w = 2 * Double.pi * 12 / sampleRateHz
                return x.indices.map { x[$0] + rms * Float(2.0.squareRoot() * sin(w * Double($0))) }
            }
        }
    }

    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep"), arguments: Disturbance.allCases)
    func pitchIgnoresWhatLiesUnderTheVoice(_ disturbance: Disturbance) throws {
        var clean = PitchScores(), disturbed = PitchScores(), worstMedianPercent = 0.0, worstStem = ""
        for stem in PitchReferenceTests.stems {
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let reference = try PitchReferenceTests.Reference(stem: stem)
            let x = audio.channels[0]
            let a = PitchTracker.track(x, sampleRateHz: audio.sampleRateHz)
            let b = PitchTracker.track(disturbance.added(to: x, sampleRateHz: audio.sampleRateHz), sampleRateHz: audio.sampleRateHz)
            clean.merge(PitchReferenceTests.compare(a, reference))
            disturbed.merge(PitchReferenceTests.compare(b, reference))
            let ma = Statistics.median(a.voicedF0Hz.map(Double.init)) ?? 0, mb = Statistics.median(b.voicedF0Hz.map(Double.init)) ?? 0
            let percent = 100 * abs(mb / ma - 1)
            if percent > worstMedianPercent { (worstMedianPercent, worstStem) = (percent, stem) }
        }
        print("pitch with \(disturbance.rawValue) under the voice: \(disturbed) against clean \(clean); worst median move \(String(format: "%.1f", worstMedianPercent)) % (\(worstStem))")
        // Against Praat on the clean files: the clean track's gross-error budget, its voicing, and no
        // voice's median moved by more than 2 %.
        switch disturbance {
        case .offset:
            #expect(disturbed.grossErrorRatio <= clean.grossErrorRatio + 0.005)   // measured 1.33 % against 1.69 %
            withKnownIssue("DC offset: frames the clean voice leaves unvoiced are voiced, medians move (39.7 %)") {
                #expect(disturbed.voicingErrorRatio <= clean.voicingErrorRatio + 0.01)   // 14.79 % against 7.06 %
                #expect(worstMedianPercent <= 2)
            }
        case .rumble:
            withKnownIssue("rumble: gross errors 15.1 %, a median moved 448 %") {
                #expect(disturbed.grossErrorRatio <= 0.03)
                #expect(worstMedianPercent <= 2)
            }
        }
    }
}
