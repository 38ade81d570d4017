import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17, cause 4: real rises far above a speaker's usual range must survive the telephone band.
/// Synthetic voices with known contours: mostly near their median, with glides to 2.4 × (male,
/// 100 → 240 Hz) and 2.25 × (female, 200 → 450 Hz) at 50–60 st/s, within the speed of real pitch
/// rises (Xu & Sun 2002), from inside the speaker's range. The first pass's range ceiling
/// (1.5 × q75) sits near 1.6 × the median, so most of each rise lies above it; scored at 16 kHz and
/// as 8 kHz telephone + µ-law copies, on all voiced frames and on the frames above 1.6 × the median.
@Suite struct PitchGlideTests {
    typealias Piece = PitchSyntheticTests.Piece

    /// Median `m`; a rise from 1.1·m to `peak`·m over 0.3 s, 0.1 s there, back down over 0.3 s.
    static func pieces(median m: Double, peak: Double, female: Bool) -> [Piece] {
        let f: ([VoiceSynth.Formant]) -> [VoiceSynth.Formant] = { female ? VoiceSynth.female($0) : $0 }
        let rise: @Sendable (Double) -> Double = { t in
            let low = 1.1 * m, high = peak * m
            if t < 0.2 { return low }
            if t < 0.5 { return low * pow(high / low, (t - 0.2) / 0.3) }
            if t < 0.6 { return high }
            return high * pow(low / high, min(1, (t - 0.6) / 0.3))
        }
        return [
            Piece(durationSeconds: 0.3),
            Piece(durationSeconds: 0.8, f0Hz: { m * (1 + 0.05 * sin(2 * .pi * 2 * $0)) }, formants: f(VoiceSynth.vowelA)),
            Piece(durationSeconds: 0.2, fricativeRMS: 0.03),
            Piece(durationSeconds: 0.7, f0Hz: { m * 1.05 * pow(0.9, $0 / 0.7) }, formants: f(VoiceSynth.vowelI)),
            Piece(durationSeconds: 0.3),
            Piece(durationSeconds: 1.0, f0Hz: rise, formants: f(VoiceSynth.vowelA)),
            Piece(durationSeconds: 0.3),
            Piece(durationSeconds: 0.8, f0Hz: { m * (1.02 - 0.04 * $0) }, jitterRatio: 0.01, formants: f(VoiceSynth.vowelU)),
            Piece(durationSeconds: 0.2, fricativeRMS: 0.05),
            Piece(durationSeconds: 0.7, f0Hz: { m * (0.95 + 0.1 * $0) }, formants: f(VoiceSynth.vowelA)),
            Piece(durationSeconds: 0.3),
            Piece(durationSeconds: 1.0, f0Hz: rise, formants: f(VoiceSynth.vowelI)),
            Piece(durationSeconds: 0.3),
        ]
    }

    @Test(arguments: ["male", "female"], [false, true])
    func risesAboveTheRangeAreKept(voice: String, telephone: Bool) {
        let male = voice == "male"
        let median = male ? 100.0 : 200.0
        let (wide, truth) = PitchSyntheticTests.build(Self.pieces(median: median, peak: male ? 2.4 : 2.25, female: !male),
                                                      seed: male ? 41 : 43)
        let samples = telephone ? Telephone.narrowband(wide, sampleRateHz: 16_000) : wide
        let rate = telephone ? 8_000.0 : 16_000
        let track = PitchTracker.track(samples, sampleRateHz: rate)
        var all = PitchScores(), high = PitchScores()
        for i in 0..<track.frameCount {
            let t = PitchSyntheticTests.truth(at: track.seconds(ofFrame: i), windowSeconds: track.timeBase.windowSeconds, truth)
            all.add(estimateHz: Double(track.f0Hz[i]), truthHz: t)
            if let t, t > 1.6 * median { high.add(estimateHz: Double(track.f0Hz[i]), truthHz: t) }
        }
        print("pitch glide \(voice) \(telephone ? "8 kHz telephone" : "16 kHz"): all \(all); above 1.6 × median \(high)")
        #expect(high.bothVoicedCount >= 40)
        #expect(all.voicingErrorRatio <= 0.03)     // measured 0 % on all four
        // Measured (analysisVersion 5 … 12): the second pass's range cost halved every rise past the
        // ceiling, wideband and telephone alike: GPE over all voiced frames 9.8–11.0 %, on the
        // frames above 1.6 × the median 57–68 % (47–53 of 78–82 frames, all an octave low). Since
        // the range cost is waived on excursions the first pass glided into and out of from inside
        // the range (`PitchTracker.glidedAboveCeiling`): 0 % on all four, over all voiced frames and
        // on the rises.
        #expect(all.grossErrorRatio <= 0.01)   // issue 4's synthetic target: GPE ≤ 1 %
        #expect(high.grossErrorRatio <= 0.01)  // the rises themselves
    }
}
