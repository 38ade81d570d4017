import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Synthetic voices with known F0 contours (glides, vibrato, jitter) through formant filters, at
/// 16 kHz wideband and as 8 kHz telephone speech (300–3400 Hz, µ-law).
@Suite struct PitchSyntheticTests {
    struct Piece {
        var durationSeconds: Double
        var f0Hz: (@Sendable (Double) -> Double)?  // nil: a gap (noise only)
        var jitterRatio = 0.0
        var formants = VoiceSynth.vowelA
        var fricativeRMS = 0.0                      // loud noise in a gap (an unvoiced consonant)
    }

    /// Builds the signal at 16 kHz and the voiced intervals with their contours.
    static func build(_ pieces: [Piece], seed: UInt64) -> (samples: [Float], truth: [(Segment, @Sendable (Double) -> Double)]) {
        let rate = 16_000.0
        var samples: [Float] = []
        var truth: [(Segment, @Sendable (Double) -> Double)] = []
        var t = 0.0
        for (k, p) in pieces.enumerated() {
            let n = Int((p.durationSeconds * rate).rounded())
            if let f0 = p.f0Hz {
                samples += VoiceSynth.voiced(durationSeconds: p.durationSeconds, sampleRateHz: rate, f0Hz: f0,
                                             jitterRatio: p.jitterRatio, formants: p.formants, seed: seed + UInt64(k))
                let start = t
                truth.append((Segment(start: t, end: t + Double(n) / rate), { f0($0 - start) }))
            } else if p.fricativeRMS > 0 {
                samples += Synth.whiteNoise(durationSeconds: p.durationSeconds, sampleRateHz: rate,
                                            rms: p.fricativeRMS, seed: seed &+ 100 &+ UInt64(k))
            } else {
                samples += Synth.silence(durationSeconds: p.durationSeconds, sampleRateHz: rate)
            }
            t += Double(n) / rate
        }
        // Background noise 34 dB below the voice (RMS 0.1): a quiet office line.
        let noise = Synth.whiteNoise(durationSeconds: t, sampleRateHz: rate, rms: 0.002, seed: seed &+ 999)
        for i in 0..<min(noise.count, samples.count) { samples[i] += noise[i] }
        return (samples, truth)
    }

    /// Truth for a frame centred at `centre` with window `windowSeconds`: F0 if the window lies
    /// wholly inside a voiced piece, 0 if it touches none, nil (not scored) if it straddles a boundary.
    static func truth(at centre: Double, windowSeconds: Double, _ voiced: [(Segment, @Sendable (Double) -> Double)]) -> Double? {
        let a = centre - windowSeconds / 2, b = centre + windowSeconds / 2
        for (s, f0) in voiced {
            if a >= s.start && b <= s.end { return f0(centre) }
            if b > s.start && a < s.end { return nil }
        }
        return 0
    }

    static func score(_ samples: [Float], rateHz: Double, truth voiced: [(Segment, @Sendable (Double) -> Double)]) -> PitchScores {
        let track = PitchTracker.track(samples, sampleRateHz: rateHz)
        var scores = PitchScores()
        for i in 0..<track.frameCount {
            scores.add(estimateHz: Double(track.f0Hz[i]),
                       truthHz: truth(at: track.seconds(ofFrame: i), windowSeconds: track.timeBase.windowSeconds, voiced))
        }
        return scores
    }

    static let malePieces: [Piece] = [
        Piece(durationSeconds: 0.3),
        Piece(durationSeconds: 0.8, f0Hz: { 70 * pow(150.0 / 70, $0 / 0.8) }),                      // glide up 1.1 octaves
        Piece(durationSeconds: 0.25, fricativeRMS: 0.05),
        Piece(durationSeconds: 0.8, f0Hz: { 160 * pow(90.0 / 160, $0 / 0.8) }, formants: VoiceSynth.vowelI),  // glide down
        Piece(durationSeconds: 0.3),
        Piece(durationSeconds: 1.0, f0Hz: { 110 * (1 + 0.03 * sin(2 * .pi * 5.5 * $0)) }, formants: VoiceSynth.vowelU),  // vibrato
        Piece(durationSeconds: 0.25, fricativeRMS: 0.03),
        Piece(durationSeconds: 0.8, f0Hz: { 80 + 15 * $0 }, jitterRatio: 0.01),                     // 1 % jitter, low
        Piece(durationSeconds: 0.3),
        Piece(durationSeconds: 0.6, f0Hz: { _ in 130 }, jitterRatio: 0.02, formants: VoiceSynth.vowelI),  // 2 % jitter
        Piece(durationSeconds: 0.3),
    ]

    static let femalePieces: [Piece] = [
        Piece(durationSeconds: 0.3),
        Piece(durationSeconds: 0.8, f0Hz: { 150 * pow(2, $0 / 0.8) }, formants: VoiceSynth.female(VoiceSynth.vowelA)),
        Piece(durationSeconds: 0.25, fricativeRMS: 0.05),
        Piece(durationSeconds: 0.8, f0Hz: { 400 * pow(220.0 / 400, $0 / 0.8) }, formants: VoiceSynth.female(VoiceSynth.vowelI)),
        Piece(durationSeconds: 0.3),
        Piece(durationSeconds: 1.0, f0Hz: { 230 * (1 + 0.03 * sin(2 * .pi * 5.5 * $0)) }, formants: VoiceSynth.female(VoiceSynth.vowelU)),
        Piece(durationSeconds: 0.25, fricativeRMS: 0.03),
        Piece(durationSeconds: 0.8, f0Hz: { 180 + 30 * $0 }, jitterRatio: 0.01, formants: VoiceSynth.female(VoiceSynth.vowelA)),
        Piece(durationSeconds: 0.3),
        Piece(durationSeconds: 0.6, f0Hz: { _ in 330 }, jitterRatio: 0.02, formants: VoiceSynth.female(VoiceSynth.vowelI)),
        Piece(durationSeconds: 0.3),
    ]

    @Test(arguments: ["male", "female"], [false, true])
    func syntheticVoiceIsTracked(voice: String, telephone: Bool) {
        let (wide, truth) = Self.build(voice == "male" ? Self.malePieces : Self.femalePieces, seed: voice == "male" ? 11 : 29)
        let samples = telephone ? Telephone.narrowband(wide, sampleRateHz: 16_000) : wide
        let scores = Self.score(samples, rateHz: telephone ? 8_000 : 16_000, truth: truth)
        print("synthetic \(voice) \(telephone ? "8 kHz telephone" : "16 kHz"): \(scores)")
        #expect(scores.bothVoicedCount > 300)
        #expect(scores.grossErrorRatio <= 0.01)        // issue 4: GPE ≤ 1 %
        #expect(scores.medianErrorSemitones <= 0.3)    // issue 4: median |error| ≤ 0.3 st
        #expect(scores.voicingErrorRatio <= 0.03)      // issue 4: voicing decision error ≤ 3 %
    }
}
