import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Summary measures on hand-made tracks whose answers are known exactly.
@Suite struct PitchMeasuresTests {
    static let timeBase = TimeBase(sampleRateHz: 8_000, hopSamples: 80, windowSamples: 320)

    /// A track of `frames` frames with F0 from `f0(t)` (t = frame centre, seconds; 0 = unvoiced).
    static func track(frames: Int, _ f0: (Double) -> Double) -> PitchTrack {
        let hz = (0..<frames).map { Float(f0(timeBase.seconds(ofFrame: $0))) }
        return PitchTrack(timeBase: timeBase, f0Hz: hz)
    }

    @Test func summaryOfTwoLevels() throws {
        // Half the voiced frames at 100 Hz, half at 200 Hz (12 st apart), unvoiced gap between.
        let t = Self.track(frames: 300) { s in s < 1 ? 100 : (s < 1.5 ? 0 : 200) }
        let m = try #require(PitchMeasures(track: t, utterances: nil, greeting: false, includeTrack: false))
        let voiced = t.voicedF0Hz.count
        #expect(abs(m.voicedSeconds - Double(voiced) * 0.01) < 1e-9)
        let lows = t.voicedF0Hz.filter { $0 < 150 }.count, highs = voiced - lows
        // SD (n − 1) of a two-point distribution 12 st apart.
        let mean = 12.0 * Double(highs) / Double(voiced)
        let expected = ((Double(lows) * mean * mean + Double(highs) * (12 - mean) * (12 - mean)) / Double(voiced - 1)).squareRoot()
        #expect(abs(try #require(m.stdevSemitones) - expected) < 1e-9)
        #expect(abs(m.rangeSemitones - 12) < 1e-9)  // p05 in the low level, p95 in the high one
        #expect(m.track == nil)
    }

    @Test func utteranceMeansSlopesAndGreeting() throws {
        // Utterance 1: 0.1–1.0 s, glide 200 → 200·2^(3/12)·… : 12·log2 F0 rises linearly at 4 st/s.
        // Utterance 2: 1.5–2.5 s, flat at the reference 150 Hz then falling at −10 st/s over its last 0.4 s.
        let rise = 4.0, fall = -10.0
        let t = Self.track(frames: 300) { s in
            if s >= 0.1 && s <= 1.0 { return 200 * pow(2, rise * (s - 0.1) / 12) }
            if s >= 1.5 && s <= 2.5 { return s < 2.1 ? 150 : 150 * pow(2, fall * (s - 2.1) / 12) }
            return 0
        }
        let segments = [Segment(start: 0.1, end: 1.0), Segment(start: 1.5, end: 2.5)]
        let m = try #require(PitchMeasures(track: t, utterances: segments, greeting: true, includeTrack: true))
        #expect(m.utterances.count == 2)
        #expect(abs(try #require(m.utterances[0].finalSlopeSemitonesPerSecond) - rise) < 0.01)   // exact line
        #expect(abs(try #require(m.utterances[1].finalSlopeSemitonesPerSecond) - fall) < 0.01)   // last 0.3 s all falling
        let medianSemitones = 12 * log2(m.medianHz)
        let mean1 = t.voicedF0Hz.prefix { $0 >= 199 }.map { 12 * log2(Double($0)) }.reduce(0, +) /
            Double(t.voicedF0Hz.prefix { $0 >= 199 }.count)
        #expect(abs(try #require(m.utterances[0].meanSemitonesReMedian) - (mean1 - medianSemitones)) < 1e-6)
        let g = try #require(m.greeting)
        // Thirds of a 0.9 s linear 4 st/s rise: their centres are 0.6 s apart → 2.4 st rise.
        #expect(abs(try #require(g.riseSemitones) - rise * 0.6) < 0.05)  // frame grid: ±½ frame per third
        #expect(g.start == 0.1 && g.end == 1.0)
        #expect(m.track?.hz.count == 300)
    }

    /// Periodic non-speech outside the speech segments (hum, ring tone) stays out of the summary.
    @Test func onlySpeechSegmentsAreSummarised() throws {
        let t = Self.track(frames: 300) { s in s >= 1.0 && s <= 2.0 ? 150 : 50 }  // 50 Hz hum elsewhere
        let m = try #require(PitchMeasures(track: t, utterances: [Segment(start: 1.0, end: 2.0)], greeting: false,
                                           includeTrack: false))
        #expect(abs(m.medianHz - 150) < 1e-9)  // via semitones and back: rounding only
        #expect(abs(m.rangeSemitones) < 1e-9)
        #expect(abs(m.voicedSeconds - 1.0) <= 0.011)  // 100 or 101 frame centres in [1, 2] s
        let hum = Self.track(frames: 300) { _ in 50 }
        #expect(PitchMeasures(track: hum, utterances: [], greeting: true, includeTrack: false) == nil)  // no speech
    }

    @Test func noVoicingIsNotMeasurable() {
        let t = Self.track(frames: 100) { _ in 0 }
        #expect(PitchMeasures(track: t, utterances: nil, greeting: true, includeTrack: false) == nil)
    }
}
