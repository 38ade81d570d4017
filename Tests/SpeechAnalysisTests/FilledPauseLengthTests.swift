import AudioIO
import CallAnalysis
import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Long filled pauses (issue 17, cause 6, recall on real speech): an "um" is a vowel and a nasal
/// murmur and may outlast a second; the detector must find it and still never take a ring-back
/// tone, hold music or a held musical note for one.
struct FilledPauseLengthTests {
    /// The real "um"s of the MFA clips recorded with hesitations (transcripts in `Fixtures/speech/`),
    /// seconds in the clip. No aligned figure of these clips exists (the MFA repository has figures
    /// for `english_fast`/`english_slow` only), so the spans are read off the signal (docs/accuracy.md,
    /// "Long filled pauses"): voicing onset of the [ɐ] to the end of the nasal murmur's release,
    /// 20 ms LPC/band-level frames, uncertain by about ±0.03 s at each edge.
    static let realUms: [String: [(Double, Double)]] = [
        "en_mfa_mcauliffe_um": [(3.80, 5.12)],                       // [ɐ] 3.80–4.01, [m] 4.02–5.05, release to 5.12
        "en_mfa_mcauliffe_crossword": [(1.95, 2.36), (5.84, 6.54)],  // after "but" [bʌʔ]; before "but"
    ]

    static func overlaps(_ f: FilledPauses.Item, _ t: (Double, Double)) -> Bool {
        min(f.end, t.1) - max(f.start, t.0) >= 0.5 * min(f.end - f.start, t.1 - t.0)
    }

    /// Recall on the real "um"s, each clip analysed alone as a mono agent.
    @Test func realUmsInTheHesitantClips() throws {
        var found = 0, labelled = 0, other = 0
        var umItem: FilledPauses.Item?
        for (stem, truth) in Self.realUms.sorted(by: { $0.key < $1.key }) {
            let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("speech", stem), options: AnalysisOptions(language: .en))
            let items = analysis.conversation?.filledPauses?.items ?? []
            let hits = truth.filter { t in items.contains { Self.overlaps($0, t) } }.count
            found += hits; labelled += truth.count
            other += items.filter { f in !truth.contains { Self.overlaps(f, $0) } }.count
            if stem == "en_mfa_mcauliffe_um" { umItem = items.first { Self.overlaps($0, truth[0]) } }
            print(String(format: "real ums %@: %d of %d found %@", stem, hits, truth.count,
                         items.map { String(format: "%.3f–%.3f", $0.start, $0.end) }.joined(separator: " ")))
        }
        print("real ums: \(found) of \(labelled) found, \(other) other detections")
        // Measured 1 of 3 (was 0 with the 1 s limit): the 1.3 s "um" is found; the two in the
        // crossword clip are not (the first has "but"'s voicing running into it for 140 ms, over the
        // 70 ms allowance; the second spreads 2.66 st and "but" follows it 0.14 s later;
        // docs/accuracy.md, "The crossword clip's "um"s").
        #expect(found >= 1 && other == 0, "\(found) of \(labelled), \(other) other")
        let um = try #require(umItem)
        // Edges: measured 3.815–5.065 s against 3.80–5.12 (±0.03 s reading); ±0.1 s allowed.
        #expect(abs(um.start - 3.80) <= 0.1 && abs(um.end - 5.12) <= 0.1, "\(um)")
    }

    /// The same clips slowed to tempo 0.8 (WSOLA, as the read-speech test does): reported, with
    /// the um's fate asserted at its measured value.
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func realUmsAtTempo08() throws {
        var found = 0, labelled = 0, other = 0
        for (stem, truth) in Self.realUms.sorted(by: { $0.key < $1.key }) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let x = TimeScaling.timeScaled(buffer.channels[0], sampleRateHz: Int(buffer.sampleRateHz), speed: 0.8)
            let analysis = try CallAnalyzer.analyze(buffer: AudioBuffer(sampleRateHz: buffer.sampleRateHz, mono: x), options: AnalysisOptions(language: .en))
            let items = analysis.conversation?.filledPauses?.items ?? []
            let slowed = truth.map { ($0.0 / 0.8, $0.1 / 0.8) }
            let hits = slowed.filter { t in items.contains { Self.overlaps($0, t) } }.count
            found += hits; labelled += truth.count
            other += items.filter { f in !slowed.contains { Self.overlaps(f, $0) } }.count
            print(String(format: "real ums at tempo 0.8 %@: %d of %d found %@", stem, hits, truth.count,
                         items.map { String(format: "%.3f–%.3f", $0.start, $0.end) }.joined(separator: " ")))
        }
        print("real ums at tempo 0.8: \(found) of \(labelled) found, \(other) other detections")
        // Measured 1 of 3 (the "um", 4.755–6.415 s against 3.80/0.8–5.12/0.8 = 4.75–6.40 s), no other detection.
        #expect(found >= 1 && other == 0, "\(found) of \(labelled), \(other) other")
    }

    /// Planted fillers of known length across 0.3–2.0 s, a held /a/ and an "um" (the /a/ for a third
    /// of the time, then a nasal murmur 8 dB weaker), 0.4 s pauses around, inside the agent's turn.
    @Test(arguments: Sanitizer.few([0.3, 0.6, 1.0, 1.4, 2.0], 2))
    func plantedFillersOfKnownLength(seconds: Double) throws {
        for nasal in [false, true] {
            let (buffer, start) = Self.turn(with: Self.filler(seconds: seconds, nasal: nasal))
            let analysis = try CallAnalyzer.analyze(buffer: buffer)
            let items = analysis.conversation?.filledPauses?.items ?? []
            print(String(format: "planted %@ of %.1f s at %.2f s: %@", nasal ? "um" : "uh", seconds, start,
                         items.map { String(format: "%.3f–%.3f", $0.start, $0.end) }.joined(separator: " ")))
            let hit = items.filter { Self.overlaps($0, (start, start + seconds)) }
            #expect(hit.count == 1, "\(nasal ? "um" : "uh") \(seconds) s: \(items)")
            // Edges within 0.1 s of the planted span (10 ms ramps, 20 ms framing); measured: starts
            // 0.035 s late, ends 0.005 s early at every length (0.3–2.0 s, both shapes).
            if let f = hit.first { #expect(abs(f.start - start) <= 0.1 && abs(f.end - (start + seconds)) <= 0.1, "\(f)") }
        }
    }

    /// Long steady sounds that are not fillers, at the same place in the turn: ring-back cadences'
    /// tones (ITU-T E.180 Suppl. 2, as in `RingbackTests`), hold music, and a held musical note.
    /// Measured: none of them is a filler; without the minimum F0 spread the UK burst (0.34 s) and
    /// the held notes (0.98 s, 1.98 s) were, all at a spread of 0.000 st (the 1 s limit alone let
    /// the first two through too).
    @Test(arguments: Sanitizer.few(["china ring 1 s", "japan ring 1 s", "north america ring 2 s", "uk ring 0.4 s",
                                    "hold music 2 s", "held note 1 s", "held note 2 s"], 2))
    func steadySoundsAreNotFillers(sound: String) throws {
        let rate = CallBuilder.rateHz
        func tone(_ hz: [Double], _ seconds: Double, modulationHz: Double? = nil) -> [Float] {
            (0..<Int(seconds * rate)).map { i in
                let t = Double(i) / rate
                var v = hz.reduce(0.0) { $0 + sin(2 * .pi * $1 * t) } / Double(hz.count)
                if let m = modulationHz { v *= 0.6 + 0.4 * sin(2 * .pi * m * t) }
                return Float(0.1 * v)
            }
        }
        let x: [Float] = switch sound {
        case "china ring 1 s": tone([450], 1)
        case "japan ring 1 s": tone([400], 1, modulationHz: 16)
        case "north america ring 2 s": tone([440, 480], 2)
        case "uk ring 0.4 s": tone([400, 450], 0.4)
        case "hold music 2 s": Synth.musicOnHold(durationSeconds: 2, sampleRateHz: rate, seed: 3)
        case "held note 1 s": Self.heldNote(seconds: 1)
        default: Self.heldNote(seconds: 2)
        }
        let (buffer, start) = Self.turn(with: x)
        let analysis = try CallAnalyzer.analyze(buffer: buffer)
        let items = analysis.conversation?.filledPauses?.items ?? []
        print("\(sound) at \(start) s: \(items.map { String(format: "%.3f–%.3f spread %.3f st", $0.start, $0.end, $0.pitchSpreadSemitones) })")
        #expect(!items.contains { $0.end > start && $0.start < start + Double(x.count) / rate }, "\(sound): \(items)")
    }

    /// The least F0 spread is a setting (`FilledPauseSettings.minimumSpreadSemitones`): validated,
    /// echoed in the report's settings, read as 0.1 st (the value of analysisVersions 15–16) from
    /// reports stored before it existed, round-trips with every field off its default, and
    /// it is what keeps a held note out. Truth by construction: the note is a steady 220 Hz tone
    /// (spread 0.000 st), the same as in `steadySoundsAreNotFillers`.
    @Test func minimumSpreadIsASetting() throws {
        #expect(FilledPauseSettings.standard.minimumSpreadSemitones == 0.1)
        for bad in [-0.1, 0.6, .nan] {
            #expect(throws: SettingsError.self) { try FilledPauseSettings(minimumSpreadSemitones: bad) }
        }
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(FilledPauseSettings.standard)) as? [String: Any]
        #expect(json?["minimumSpreadSemitones"] as? Double == 0.1)
        // A report's settings from before the key: decodes, with the fixed value of versions 15–16.
        var older = try #require(json)
        older["minimumSpreadSemitones"] = nil
        let decoded = try JSONDecoder().decode(FilledPauseSettings.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(decoded == .standard)
        older["minimumSpreadSemitones"] = 0.7
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FilledPauseSettings.self, from: JSONSerialization.data(withJSONObject: older)) }
        // Every key is written and read back: each field off its default.
        let custom = try FilledPauseSettings(minimumSeconds: 0.3, maximumSeconds: 1.5, maximumStepSemitones: 0.5,
                                             maximumSpreadSemitones: 2.5, maximumSpectralChangeDB: 3,
                                             maximumTurnGapSeconds: 1.2, levelBelowSpeechDB: 12, minimumSpreadSemitones: 0.2)
        #expect(try JSONDecoder().decode(FilledPauseSettings.self, from: JSONEncoder().encode(custom)) == custom)
        // Off (0), the 1 s held note is taken for a filler (measured before the test existed: 0.98 s, 0.000 st).
        let (buffer, start) = Self.turn(with: Self.heldNote(seconds: 1))
        var options = AnalysisOptions()
        options.filledPauses = try FilledPauseSettings(minimumSpreadSemitones: 0)
        let items = try CallAnalyzer.analyze(buffer: buffer, options: options).conversation?.filledPauses?.items ?? []
        #expect(items.contains { Self.overlaps($0, (start, start + 1)) && $0.pitchSpreadSemitones < 0.1 }, "\(items)")
    }

    /// A held note: 220 Hz with harmonics falling 6 dB per octave to 4 kHz, steady, no formants.
    static func heldNote(seconds: Double) -> [Float] {
        let rate = CallBuilder.rateHz
        return (0..<Int(seconds * rate)).map { i in
            let t = Double(i) / rate
            return Float(0.04 * (1...18).reduce(0.0) { $0 + sin(2 * .pi * 220 * Double($1) * t) / Double($1) })
        }
    }

    /// A synthetic "uh" (held /a/, F0 falling 1 st) or "um" (/a/ for a third, then a nasal murmur:
    /// one low resonance near 250 Hz and weak wide ones above, 8 dB under the vowel; Fujimura 1962,
    /// "Analysis of nasal consonants", JASA 34: a low first resonance, high damping above), one F0 contour.
    static func filler(seconds: Double, nasal: Bool) -> [Float] {
        let rate = CallBuilder.rateHz
        let f0: (Double) -> Double = { 210 * pow(2, -$0 / seconds / 12) }
        guard nasal else {
            return VoiceSynth.voiced(durationSeconds: seconds, sampleRateHz: rate, f0Hz: f0, jitterRatio: 0.005,
                                     formants: VoiceSynth.female(VoiceSynth.vowelA), rms: 0.03)
        }
        let vowelSeconds = seconds / 3
        let vowel = VoiceSynth.voiced(durationSeconds: vowelSeconds, sampleRateHz: rate, f0Hz: f0, jitterRatio: 0.005,
                                      formants: VoiceSynth.female(VoiceSynth.vowelA), rms: 0.03)
        let murmur = VoiceSynth.voiced(durationSeconds: seconds - vowelSeconds, sampleRateHz: rate, f0Hz: { f0($0 + vowelSeconds) },
                                       jitterRatio: 0.005, formants: [.init(250, 60), .init(1100, 300), .init(2300, 400)],
                                       rms: 0.03 * pow(10, -8.0 / 20), seed: 2)
        return vowel + murmur
    }

    /// The agent says an utterance, pauses 0.4 s, makes `sound`, pauses 0.4 s and goes on; the
    /// customer is silent. Returns the call and where `sound` starts, seconds.
    static func turn(with sound: [Float]) -> (AudioBuffer, Double) {
        let rate = CallBuilder.rateHz
        let u = CallBuilder.utterances
        var b = CallBuilder()
        let start = b.place(u[0], onAgent: true, speechStart: 0.5) + 0.4
        CallBuilder.add(&b.agent, sound, at: Int(start * rate))
        b.place(u[4], onAgent: true, speechStart: start + Double(sound.count) / rate + 0.4)
        return (b.buffer(), start)
    }
}
