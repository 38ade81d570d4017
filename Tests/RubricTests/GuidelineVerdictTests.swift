import AudioIO
import CallAnalysis
import DSP
import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// For every measurable guideline, a call that clearly passes and one that clearly fails: real
/// fixture calls (truth in their JSON), or calls built here from fixture speech / synthetic voices
/// with events placed by construction. Evidence times are checked against that truth.
struct GuidelineVerdictTests {
    static let en = AnalysisOptions(language: .en)

    static func fixture(_ stem: String) throws -> RubricEvaluation {
        let a = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: en)
        return RubricEvaluator.evaluate(RubricInput(a), rubric: .builtIn)
    }
    static func built(_ buffer: AudioBuffer) throws -> RubricEvaluation {
        RubricEvaluator.evaluate(RubricInput(try CallAnalyzer.analyze(buffer: buffer, options: en)), rubric: .builtIn)
    }
    static func result(_ e: RubricEvaluation, _ id: GuidelineID) -> GuidelineResult { e.guidelines.first { $0.id == id.rawValue }! }
    static func truth(_ stem: String) throws -> [String: Any] { try Fixtures.truth("calls", stem) }

    /// Synthetic voice at 8 kHz: `count` vowels of `syllableSeconds` separated by `gapSeconds`,
    /// F0 from `f0Hz(index, t)`; amplitude `rms`.
    static func syllables(count: Int, syllableSeconds: Double = 0.22, gapSeconds: Double = 0.08, rms: Double = 0.05,
                          f0Hz: @escaping (Int, Double) -> Double) -> [Float] {
        var out: [Float] = []
        let vowels = [VoiceSynth.vowelA, VoiceSynth.vowelI, VoiceSynth.vowelU]
        for k in 0..<count {
            out += VoiceSynth.voiced(durationSeconds: syllableSeconds, sampleRateHz: 8000, f0Hz: { f0Hz(k, $0) },
                                     jitterRatio: 0.005, formants: VoiceSynth.female(vowels[k % 3]), rms: rms, seed: UInt64(k + 1))
            out += [Float](repeating: 0, count: Int(gapSeconds * 8000))
        }
        return out
    }
    static func noisy(_ x: [Float], seed: UInt64 = 3) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return x.map { $0 + Float(0.0003 * rng.gaussian()) }
    }
    static func mono(_ parts: [(Double, [Float])], total: Double) -> AudioBuffer {
        var y = [Float](repeating: 0, count: Int(total * 8000))
        for (t, x) in parts { let s = Int(t * 8000); for i in 0..<x.count where s + i < y.count { y[s + i] += x[i] } }
        return AudioBuffer(sampleRateHz: 8000, channels: [noisy(y)])
    }

    // MARK: clear

    @Test func clear() throws {
        // devcall2_en_01: agent babble at 30 dB SNR (truth); devcall_en_00: babble at 5 dB SNR (truth).
        let good = Self.result(try Self.fixture("devcall2_en_01"), .clear)
        let bad = Self.result(try Self.fixture("devcall_en_00"), .clear)
        #expect(good.verdict == .pass)
        #expect(bad.verdict == .fail)
        let segments = Fixtures.speechSegments(try Self.truth("devcall_en_00"))[0]
        let e = try #require(bad.evidence.first)  // the agent's speaking span, to the activity detector's ±0.15 s
        #expect(abs(e.start - segments.first!.0) < 0.15 && abs(e.end - segments.last!.1) < 0.15)
    }

    // MARK: slightly-slow (synthetic syllables at set rates; the fixture agent as is)

    @Test func slightlySlow() throws {
        // en target: 0.85 × 6.19 = 5.26 syl/s. 50 syllables of 0.15 s with 40 ms gaps from 1 s: 5.26 syl/s by construction.
        let atTarget = Self.syllables(count: 50, syllableSeconds: 0.15, gapSeconds: 0.04) { k, _ in [170.0, 240, 200][k % 3] }
        let good = Self.result(try Self.built(Self.mono([(1.0, atTarget)], total: 12)), .slightlySlow)
        #expect(good.verdict == .pass, "\(good.measured ?? [:])")
        // 70 syllables of 0.1 s with 30 ms gaps: 7.7 syl/s, 46 % over the target (0 points from 35 %).
        // (WSOLA-sped fixture speech is not used: the nucleus counter merges syllables above ~6 syl/s
        // on telephone speech, see docs/accuracy.md, so 1.8× read only 5.7.)
        let fast = Self.syllables(count: 70, syllableSeconds: 0.1, gapSeconds: 0.03) { k, _ in [170.0, 240, 200][k % 3] }
        let rushed = Self.result(try Self.built(Self.mono([(1.0, fast)], total: 12)), .slightlySlow)
        #expect(rushed.verdict == .fail)
        #expect((rushed.measured?["rateVsTargetPercent"] ?? 0) > 23, "\(rushed.measured ?? [:])")   // fail line: 40 points
        let e = try #require(rushed.evidence.first)  // 1.0 s to 1 + 70 × 0.13 − 0.03 s; 0.1 s for activity edges
        #expect(abs(e.start - 1.0) < 0.1 && abs(e.end - 10.07) < 0.1, "\(e)")

        // devcall2_en_02's agent reads at 4.73 syl/s (fixture channel_stats; 4.48 counting fillers): 10 % under
        // the target, 83 points by the truth. The nucleus counter reads it within 10 % of that (docs/accuracy.md:
        // agent totals within 0–10 %), i.e. at most 19 % under the target: warn at worst, never fail.
        let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", "devcall2_en_02"))
        let normal = Self.result(try Self.built(AudioBuffer(sampleRateHz: 8000, channels: [buffer.channels[0]])), .slightlySlow)
        let measured = try #require(normal.measured?["articulationRateSyllablesPerSecond"])
        #expect(abs(measured / 4.731 - 1) <= 0.10, "\(measured)")
        #expect(normal.verdict != .fail, "\(normal.measured ?? [:]) \(normal.score ?? -1)")
    }

    // MARK: warm and greeting-rises (synthetic voices with known F0)

    @Test func warmAndGreeting() throws {
        // Lively: F0 alternates 160/250/200 Hz per syllable (SD ≈ 3.2 st); greeting glides up 3 st.
        // Flat: 200 Hz throughout (SD ≈ 0); greeting glides down 6 st.
        let lively = Self.syllables(count: 30) { k, _ in [160.0, 250, 200][k % 3] }
        let rising = Self.syllables(count: 6, gapSeconds: 0.02) { k, t in 200 * pow(2, (Double(k) * 0.24 + t) / 1.44 * 3 / 12) }
        let monotone = Self.syllables(count: 30) { _, _ in 200 }
        let falling = Self.syllables(count: 6, gapSeconds: 0.02) { k, t in 200 * pow(2, -(Double(k) * 0.24 + t) / 1.44 * 6 / 12) }
        let good = try Self.built(Self.mono([(0.5, rising), (3.0, lively)], total: 13))
        let bad = try Self.built(Self.mono([(0.5, falling), (3.0, monotone)], total: 13))
        #expect(Self.result(good, .warm).verdict == .pass, "\(Self.result(good, .warm).measured ?? [:])")
        #expect(Self.result(bad, .warm).verdict == .fail)
        let g = Self.result(good, .greetingRises), b = Self.result(bad, .greetingRises)
        #expect(g.verdict == .pass)
        #expect(b.verdict == .fail)
        // Greeting evidence: the first utterance from 0.5 s (± 0.1 s for the activity edges); the rising
        // one ends at 0.5 + 6 × 0.24 − 0.02 s (the falling one's quiet low tail may be split off).
        for r in [g, b] { #expect(abs((r.evidence.first?.start ?? -1) - 0.5) < 0.1, "\(r.evidence)") }
        #expect(abs((g.evidence.first?.end ?? -1) - 1.92) < 0.1)
    }

    // MARK: moderate-volume (gain-changed fixture)

    @Test func moderateVolume() throws {
        var buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", "devcall2_en_01"))
        let good = Self.result(try Self.built(buffer), .moderateVolume)   // −26.3 dBov as recorded
        buffer.channels[0] = buffer.channels[0].map { $0 * 0.05 }          // −26 dB: about −52 dBov
        let bad = Self.result(try Self.built(buffer), .moderateVolume)
        #expect(good.verdict == .pass)
        #expect(bad.verdict == .fail)
        // −26 dB of gain moves P.56 level by 26 dB (±0.5 dB: activity threshold shifts with noise).
        #expect(abs((good.measured!["activeSpeechLevelDBov"]! - bad.measured!["activeSpeechLevelDBov"]!) - 26) < 0.5)
    }

    // MARK: short-sentences (a 20 s stretch without a pause vs the fixture's short units)

    @Test func shortSentences() throws {
        let good = Self.result(try Self.fixture("devcall2_en_02"), .shortSentences)
        let stream = Self.syllables(count: 80, gapSeconds: 0.03) { k, _ in [180.0, 230, 200][k % 3] }  // 80 × 0.25 s = 20 s
        let bad = Self.result(try Self.built(Self.mono([(1.0, stream)], total: 23)), .shortSentences)
        #expect(good.verdict == .pass)
        #expect(bad.verdict == .fail)
        let e = try #require(bad.evidence.first)
        #expect(abs(e.start - 1.0) < 0.1 && abs(e.end - 21.0) < 0.15, "\(e)")
    }

    // MARK: no-fillers (fixture labels)

    @Test func noFillers() throws {
        let bad = Self.result(try Self.fixture("devcall2_en_02"), .noFillers)
        let good = Self.result(try Self.fixture("devcall2_en_00"), .noFillers)
        #expect(good.verdict == .pass)
        #expect(bad.verdict == .fail)
        let truth = (try Self.truth("devcall2_en_02")["events"] as! [[String: Any]])
            .filter { $0["type"] as? String == "filled_pause" }.map { ($0["start"] as! Double, $0["end"] as! Double) }
        #expect(bad.evidence.count == truth.count)
        for (e, t) in zip(bad.evidence, truth) {  // 0.1 s: PSOLA fade-in/out at the filler's edges is not steady voicing
            #expect(abs(e.start - t.0) < 0.1 && abs(e.end - t.1) < 0.1, "\(e) vs \(t)")
        }
    }

    // MARK: answer-promptly

    @Test func answerPromptly() throws {
        let t = try Self.truth("devcall2_en_00")
        let rings = t["rings"] as! [String: Any]
        let good = Self.result(try Self.fixture("devcall2_en_00"), .answerPromptly)   // 2 rings (truth)
        #expect(good.verdict == .pass)
        let e = try #require(good.evidence.first)
        #expect(abs(e.start - (rings["first_ring_start_s"] as! Double)) < 0.1)
        #expect(abs(e.end - (rings["time_to_answer_s"] as! Double)) < 0.1)
        // The same agent greeting 9 s into a recording that starts at pickup.
        let voice = Self.syllables(count: 12) { k, _ in [180.0, 230, 200][k % 3] }
        let bad = Self.result(try Self.built(Self.mono([(9.0, voice)], total: 13)), .answerPromptly)
        #expect(bad.verdict == .fail)
        #expect(abs((bad.evidence.first?.end ?? 0) - 9.0) < 0.1)
    }

    // MARK: silent-call

    @Test func silentCall() throws {
        let good = Self.result(try Self.fixture("devcall2_en_01"), .silentCall)
        #expect(good.verdict == .pass)
        let gap = ((try Self.truth("devcall2_en_01")["silent_call"] as! [String: Any])["gaps"] as! [[String: Any]])[0]
        let e = try #require(good.evidence.first { $0.note.hasPrefix("waited") })
        #expect(abs(e.start - (gap["start"] as! Double)) < 0.15 && abs(e.end - (gap["end"] as! Double)) < 0.15)
        // Greeting, then a 12 s wait before the second prompt; the customer line carries noise only.
        let prompt = Self.syllables(count: 8) { k, _ in [180.0, 230, 200][k % 3] }
        let agent = Self.mono([(0.5, prompt), (14.9, prompt)], total: 19).channels[0]
        var rng = SeededRandom(seed: 9)
        let line = (0..<agent.count).map { _ in Float(0.0003 * rng.gaussian()) }
        let bad = Self.result(try Self.built(AudioBuffer(sampleRateHz: 8000, channels: [agent, line])), .silentCall)
        #expect(bad.verdict == .fail)
        let w = try #require(bad.evidence.first { $0.note.hasPrefix("waited") })
        #expect(abs(w.start - 2.9) < 0.15 && abs(w.end - 14.9) < 0.15, "\(w)")
    }
}
