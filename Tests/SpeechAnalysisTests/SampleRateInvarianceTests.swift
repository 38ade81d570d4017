import CallAnalysis
import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17 (microphones the fixtures do not have): every fixture voice as a 44.1 kHz and a 48 kHz
/// recording, the rates of consumer and studio microphones and of most softphones' wideband
/// captures. Resampling (Kaiser windowed sinc, `Telephone.resample`) changes no syllable, no speech
/// time and no F0, so each copy must read as its original does: the truth is the original's own.
/// Measured here (2026-12-05, 27 voices; the same at 44.1 and 48 kHz): nuclei within 2 of the
/// original's, speech time within 0.073 s, F0 median within 1.18 %, F0 SD within 0.21 st (sox's
/// resampler and the release binary: 2, 0.07 s, 1.2 %, 0.12 st).
struct SampleRateInvarianceTests {
    struct Reading { var nuclei: Int; var speechSeconds: Double; var medianHz: Double; var stdevSemitones: Double }

    static func read(_ samples: [Float], rateHz: Double, language: SpeechLanguage) throws -> Reading {
        let analysis = try CallAnalyzer.analyze(buffer: AudioBuffer(sampleRateHz: rateHz, mono: samples),
                                                options: AnalysisOptions(language: language))
        let channel = analysis.channels[0]
        return Reading(nuclei: channel.rate?.syllableCount ?? 0, speechSeconds: channel.speech.speechSeconds,
                       medianHz: channel.pitch?.medianHz ?? .nan, stdevSemitones: channel.pitch?.stdevSemitones ?? .nan)
    }

    @Test(arguments: [44_100, 48_000])
    func everyFixtureVoiceAtAMicrophoneRate(rateHz: Int) throws {
        let fixtures = try RateFixture.all()
        try #require(fixtures.count >= 27)
        var worst = (nuclei: 0, speechSeconds: 0.0, medianPercent: 0.0, stdevSemitones: 0.0)
        for fixture in Sanitizer.few(fixtures, 3) {
            let original = try Self.read(fixture.samples, rateHz: Double(fixture.sampleRateHz), language: fixture.language)
            let copy = try Self.read(Telephone.resample(fixture.samples, fromHz: Double(fixture.sampleRateHz), toHz: Double(rateHz)),
                                     rateHz: Double(rateHz), language: fixture.language)
            let nuclei = abs(copy.nuclei - original.nuclei)
            let speech = abs(copy.speechSeconds - original.speechSeconds)
            let median = 100 * abs(copy.medianHz / original.medianHz - 1)
            let stdev = abs(copy.stdevSemitones - original.stdevSemitones)
            #expect(nuclei <= max(2, original.nuclei / 10), "\(fixture.stem) at \(rateHz) Hz: \(copy.nuclei) nuclei, \(original.nuclei) at the original rate")
            #expect(speech <= 0.1, "\(fixture.stem) at \(rateHz) Hz: speech \(copy.speechSeconds) s against \(original.speechSeconds) s")
            #expect(median <= 2, "\(fixture.stem) at \(rateHz) Hz: F0 median \(copy.medianHz) Hz against \(original.medianHz) Hz")
            #expect(stdev <= 0.5, "\(fixture.stem) at \(rateHz) Hz: F0 SD \(copy.stdevSemitones) st against \(original.stdevSemitones) st")
            worst = (max(worst.nuclei, nuclei), max(worst.speechSeconds, speech), max(worst.medianPercent, median), max(worst.stdevSemitones, stdev))
        }
        print(String(format: "sample rate %d Hz (n %d voices): worst nuclei ±%d, speech ±%.3f s, F0 median ±%.2f %%, F0 SD ±%.2f st",
                     rateHz, fixtures.count, worst.nuclei, worst.speechSeconds, worst.medianPercent, worst.stdevSemitones))
    }
}
