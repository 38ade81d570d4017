import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Synthetic syllable trains with a known count, settings checks and the JSON keys.
@Suite struct RateTests {
    /// A vowel-like syllable train: `count` bursts of a 150 Hz harmonic complex with energy up
    /// to 2 kHz, each `vowelSeconds` long with 20 ms raised-cosine ramps, separated by
    /// `gapSeconds` of a 25 dB lower fricative-like noise; a pause of silence around it.
    static func syllableTrain(count: Int, vowelSeconds: Double, gapSeconds: Double,
                              sampleRateHz: Double, seed: UInt64) -> (samples: [Float], speech: Segment) {
        var rng = SeededRandom(seed: seed)
        let lead = 0.5
        let vowel = Int(vowelSeconds * sampleRateHz), gap = Int(gapSeconds * sampleRateHz)
        let ramp = Int(0.02 * sampleRateHz)
        var x = [Float](repeating: 0, count: Int(lead * sampleRateHz))
        for k in 0..<count {
            let f0 = 150.0 * (1 + 0.05 * sin(Double(k)))
            for i in 0..<vowel {
                let t = Double(i) / sampleRateHz
                var s = 0.0
                for h in 1...13 { s += sin(2 * .pi * f0 * Double(h) * t) / Double(h) }
                let edge = min(i, vowel - 1 - i)
                let g = edge < ramp ? 0.5 - 0.5 * cos(.pi * Double(edge) / Double(ramp)) : 1
                x.append(Float(0.1 * g * s))
            }
            if k < count - 1 { for _ in 0..<gap { x.append(Float(0.1 * 0.056 * rng.gaussian())) } }
        }
        let speechEnd = Double(x.count) / sampleRateHz
        x += [Float](repeating: 0, count: Int(lead * sampleRateHz))
        return (x, Segment(start: lead, end: speechEnd))
    }

    static func contours(_ x: [Float], sampleRateHz: Double) -> ChannelContours {
        let fe = ChannelFrontEnd(sampleRateHz: sampleRateHz, retainBandLevels: true)
        fe.consume(x)
        return fe.finish()
    }

    /// 3 to 8 syllables per second at 8 and 16 kHz: every burst is one nucleus, exactly.
    @Test(arguments: [(0.25, 0.08), (0.14, 0.06), (0.09, 0.035)], [8_000.0, 16_000.0])
    func syllableTrainCountIsExact(timing: (Double, Double), sampleRateHz: Double) throws {
        let (vowel, gap) = timing
        let train = Self.syllableTrain(count: 12, vowelSeconds: vowel, gapSeconds: gap, sampleRateHz: sampleRateHz, seed: 7)
        let m = try #require(SpeakingRate.measure(Self.contours(train.samples, sampleRateHz: sampleRateHz), speech: [train.speech]))
        #expect(m.syllableCount == 12)
        // Articulation rate = 12 / speech time (rounded to 0.001 syl/s).
        #expect(abs(m.articulationRateSyllablesPerSecond - 12 / train.speech.durationSeconds) < 0.002)
    }

    /// Syllables alternating between an /a/-like vowel (harmonics of 140 Hz from 560 to 1400 Hz,
    /// inside the vowel bands) and a second kind, 0.15 s each, separated by 0.07 s of noise 25 dB
    /// lower: /i/ (the 2nd–3rd harmonics, 280–420 Hz, as F1 and the 16th–22nd, 2.24–3.08 kHz, as
    /// F2/F3 at a third of the amplitude: nothing in 454–1579 Hz), a nasal murmur (the low
    /// harmonics only) or a fricative (noise above 2.2 kHz only).
    static func alternatingTrain(pairs: Int, second kind: String, sampleRateHz: Double, seed: UInt64) -> (samples: [Float], speech: Segment) {
        var rng = SeededRandom(seed: seed)
        let lead = 0.5, n = Int(0.15 * sampleRateHz), gap = Int(0.07 * sampleRateHz), ramp = Int(0.02 * sampleRateHz)
        let f0 = 140.0
        let noise = (0..<n).map { _ in Float(rng.gaussian()) }
        let high = Telephone.bandPass(noise, sampleRateHz: sampleRateHz, lowHz: 2_200, highHz: 3_600)
        var x = [Float](repeating: 0, count: Int(lead * sampleRateHz))
        for k in 0..<(2 * pairs) {
            let harmonics: [(Int, Double)] = k % 2 == 0 ? (4...10).map { ($0, 1.0) }
                : kind == "i" ? [(2, 1.0), (3, 1.0)] + (16...22).map { ($0, 1.0 / 3) }
                : kind == "nasal" ? [(2, 1.0), (3, 1.0)] : []
            for i in 0..<n {
                let t = Double(i) / sampleRateHz
                var v = harmonics.reduce(0.0) { $0 + $1.1 * sin(2 * .pi * f0 * Double($1.0) * t) }
                if k % 2 == 1 && kind == "fricative" { v = 3 * Double(high[i]) }
                let edge = min(i, n - 1 - i)
                let g = edge < ramp ? 0.5 - 0.5 * cos(.pi * Double(edge) / Double(ramp)) : 1
                x.append(Float(0.05 * g * v))
            }
            if k < 2 * pairs - 1 { for _ in 0..<gap { x.append(Float(0.05 * 0.056 * rng.gaussian())) } }
        }
        let speechEnd = Double(x.count) / sampleRateHz
        x += [Float](repeating: 0, count: Int(lead * sampleRateHz))
        return (x, Segment(start: lead, end: speechEnd))
    }

    /// High front vowels (issue 17): an /i/ has no energy in the vowel bands, yet it is a
    /// syllable; its spectrum's valley between F1 and F2 lets it count, at 8 and 16 kHz. A nasal
    /// murmur (low only) or a fricative (high only) between the vowels is not a syllable.
    @Test(arguments: [8_000.0, 16_000.0])
    func highFrontVowelsCountButNasalsAndFricativesDoNot(sampleRateHz: Double) throws {
        for (kind, expected) in [("i", 12), ("nasal", 6), ("fricative", 6)] {
            let train = Self.alternatingTrain(pairs: 6, second: kind, sampleRateHz: sampleRateHz, seed: 5)
            let m = try #require(SpeakingRate.measure(Self.contours(train.samples, sampleRateHz: sampleRateHz), speech: [train.speech]))
            #expect(m.syllableCount == expected, "\(kind) at \(sampleRateHz) Hz")
        }
    }

    /// The per-frame /i/-shape test reads power ratios that must match the dB constants.
    @Test func highFrontPowerRatiosMatchTheirDecibels() {
        // A band mean m stands x dB above the level L = √meanProduct when 10·log10(m / L) ≥ x,
        // i.e. m² ≥ meanProduct · 10^(x/5); 0.01 % relative: Float rounding only.
        let shape = SyllableNuclei.HighFrontShape()
        #expect(abs(Double(shape.lowOverMidPowerRatio) / pow(10, Double(SyllableNuclei.highFrontLowOverMidDB) / 5) - 1) < 1e-4)
        #expect(abs(Double(shape.highOverMidPowerRatio) / pow(10, Double(SyllableNuclei.highFrontHighOverMidDB) / 5) - 1) < 1e-4)
    }

    /// Gain does not change the count (the threshold is relative to the 99th percentile).
    @Test func countIgnoresGain() throws {
        let train = Self.syllableTrain(count: 10, vowelSeconds: 0.15, gapSeconds: 0.07, sampleRateHz: 8_000, seed: 3)
        for dB in [-30.0, 0.0] {
            let c = Self.contours(Synth.scaled(train.samples, dB: dB), sampleRateHz: 8_000)
            #expect(SpeakingRate.measure(c, speech: [train.speech])?.syllableCount == 10)
        }
    }

    /// Speech rate spans first to last speech; articulation rate uses speech time only;
    /// units split at pauses ≥ 0.25 s; nothing is counted outside the segments.
    @Test func ratesAndUtterances() throws {
        let a = Self.syllableTrain(count: 6, vowelSeconds: 0.15, gapSeconds: 0.07, sampleRateHz: 8_000, seed: 1)
        let b = Self.syllableTrain(count: 4, vowelSeconds: 0.15, gapSeconds: 0.07, sampleRateHz: 8_000, seed: 2)
        let x = a.samples + b.samples  // 1 s of silence between the trains
        let offset = Double(a.samples.count) / 8_000
        let second = Segment(start: b.speech.start + offset, end: b.speech.end + offset)
        let c = Self.contours(x, sampleRateHz: 8_000)
        let m = try #require(SpeakingRate.measure(c, speech: [a.speech, second]))
        #expect(m.syllableCount == 10)
        #expect(m.utterances.map(\.syllableCount) == [6, 4])
        let phonation = a.speech.durationSeconds + second.durationSeconds
        #expect(abs(m.articulationRateSyllablesPerSecond - 10 / phonation) < 0.002)
        #expect(abs(m.speechRateSyllablesPerSecond - 10 / (second.end - a.speech.start)) < 0.002)
        #expect(m.moraCount == nil)
        // Only the first segment: the second train is not counted.
        #expect(SpeakingRate.measure(c, speech: [a.speech])?.syllableCount == 6)
        #expect(SpeakingRate.measure(c, speech: []) == nil)
    }

    /// Morae: each interval to the next nucleus adds ⌊Δ/d⌋ morae, d = median interval, at most 2.
    /// Intervals 0.12, 0.128, 0.145, 0.45, 0.14, 0.125 s: d = 0.134 s, extras 0+0+1+2+1+0 = 4
    /// (the 0.45 s interval is 3.4 d: a heavy syllable and a devoiced mora fill 2 of it, the rest is
    /// silence).
    @Test func moraeFromNucleusTiming() throws {
        let nuclei = [0.10, 0.22, 0.348, 0.493, 0.943, 1.083, 1.208]
        let units = [Segment(start: 0, end: 2)]
        #expect(MoraEstimate.moraCounts(nuclei: nuclei, units: units) == [7 + 4])
        // Intervals 0.125, 0.125, 0.125, 0.625 s (exact in binary): d = 0.125 s, each interval of d
        // adds 1 and the one of 5 d adds 2, not 5.
        #expect(MoraEstimate.moraCounts(nuclei: [0, 0.125, 0.25, 0.375, 1.0], units: units) == [5 + 1 + 1 + 1 + 2])
        // Split into two units at the long interval, which then spans a pause and does not count:
        // d = 0.128 s (the median interval itself, which counts one extra), extras 0+1+1 and 1+0.
        let split = [Segment(start: 0, end: 0.6), Segment(start: 0.9, end: 2)]
        #expect(MoraEstimate.moraCounts(nuclei: nuclei, units: split) == [4 + 2, 3 + 1])
        // Fewer than 3 intervals: no median, no extra morae.
        #expect(MoraEstimate.moraCounts(nuclei: [0.1, 0.3, 0.9], units: units) == [3])
    }

    @Test func settingsRejectOutOfRange() {
        #expect(throws: SettingsError.self) { try RateSettings(minimumDipDB: 0.1) }
        #expect(throws: SettingsError.self) { try RateSettings(thresholdBelowPercentile99DB: 60) }
        #expect(throws: SettingsError.self) { try RateSettings(minimumNucleusSpacingSeconds: 0.5) }
        #expect(throws: SettingsError.self) { try RateSettings(smoothingSeconds: .nan) }
        #expect(RateSettings.standard.language == .zh)
    }

    @Test func jsonKeys() throws {
        let m = RateMeasures(syllableCount: 3, speechRateSyllablesPerSecond: 2, articulationRateSyllablesPerSecond: 3,
                             utterances: [.init(start: 0, end: 1, syllableCount: 3)], moraCount: 4,
                             articulationRateMoraePerSecond: 4)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as! [String: Any]
        #expect(Set(object.keys) == ["syllableCount", "speechRateSyllablesPerSecond", "articulationRateSyllablesPerSecond",
                                     "utterances", "moraCount", "articulationRateMoraePerSecond"])
        let u = (object["utterances"] as! [[String: Any]])[0]
        #expect(Set(u.keys) == ["start", "end", "syllableCount"])
        var plain = m
        plain.moraCount = nil
        plain.articulationRateMoraePerSecond = nil
        let plainObject = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plain)) as! [String: Any]
        #expect(plainObject["moraCount"] == nil)
    }
}
