import AudioIO
import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17, cause 4, on voices the fixtures lack: each fixture utterance shifted in pitch by a
/// factor k (resampled by 1/k — pitch and formants × k, duration ÷ k — then WSOLA-time-scaled back
/// to its own duration), so its true F0 is the original's × k frame for frame (Praat's wideband
/// track scaled). The k are chosen so the medians cover very low male voices (~60–90 Hz) and high
/// female and child voices (~250–400 Hz). Each shifted voice then goes through the telephone band
/// (`Telephone.narrowband`) and must keep its pitch summary as the fixture voices do
/// (`PitchTelephoneCopyTests`): median within 8 %, SD within 1 st of our wideband track of the same
/// shifted voice, GPE ≤ 2.5 % against the scaled Praat track.
@Suite struct PitchShiftedTelephoneTests {
    /// k as p/q so the resampler sees small integer rates (`Telephone.resample` needs integers).
    static let factors: [(p: Int, q: Int)] = [(3, 5), (7, 10), (4, 5), (5, 4), (3, 2), (9, 5)]

    /// Pitch (and formants) × p/q at the original duration and sample rate.
    static func shifted(_ x: [Float], sampleRateHz: Int, p: Int, q: Int) -> [Float] {
        // Resampling p → q samples and playing at the original rate scales every frequency by p/q
        // and the duration by q/p; output sample n sits at original time n·p/q.
        let slowed = Telephone.resample(x, fromHz: Double(p), toHz: Double(q))
        // WSOLA with speed q/p maps output time t to slowed time t·q/p, i.e. original time t.
        var y = TimeScaling.timeScaled(slowed, sampleRateHz: sampleRateHz, speed: Double(q) / Double(p))
        if y.count > x.count { y.removeLast(y.count - x.count) }
        return y
    }

    /// The copies at k 1.25 and 1.5 (child-like voices) of every speech fixture's first channel,
    /// keyed "stem p/q", made once for the two suites that read them (this one and
    /// `ChildVoiceRateTests`): the resampling and WSOLA are most of either test's time.
    static let childLikeCopies: [String: [Float]] = {
        var copies: [String: [Float]] = [:]
        for stem in Fixtures.stems(in: "speech") {
            guard let audio = try? AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem)) else { continue }
            for (p, q) in [(5, 4), (3, 2)] {
                copies["\(stem) \(p)/\(q)"] = shifted(audio.channels[0], sampleRateHz: Int(audio.sampleRateHz), p: p, q: q)
            }
        }
        return copies
    }()

    /// `shifted` of a speech fixture's first channel, from `childLikeCopies` where it holds the copy.
    static func shifted(stem: String, _ x: [Float], sampleRateHz: Int, p: Int, q: Int) -> [Float] {
        childLikeCopies["\(stem) \(p)/\(q)"] ?? shifted(x, sampleRateHz: sampleRateHz, p: p, q: q)
    }

    struct Row {
        var stem: String, k: Double
        var truthMedianHz: Double, wideMedianHz: Double, phoneMedianHz: Double
        var wideSD: Double, phoneSD: Double
        var wideScores: PitchScores, phoneScores: PitchScores
        var medianErrorPercent: Double { 100 * abs(phoneMedianHz / wideMedianHz - 1) }
        var spreadErrorSemitones: Double { phoneSD - wideSD }
        /// The summary target of issue 17 (median within 8 %, SD within 1 st of the wideband track).
        var summaryHolds: Bool { medianErrorPercent <= 8 && abs(spreadErrorSemitones) <= 1 }
        var holds: Bool { summaryHolds && phoneScores.grossErrorRatio <= 0.025 }
        /// The issue's failure: median × 1.5 or × 2 (≥ 30 % off) or SD ≥ 5 st too high.
        var octaveFailure: Bool { phoneMedianHz / wideMedianHz >= 1.3 || phoneMedianHz / wideMedianHz <= 1 / 1.3 || spreadErrorSemitones >= 5 }
    }

    /// GPE/VDE against the scaled Praat track on the frames whose true F0 is inside the tracker's
    /// search range (`PitchSettings.standard`, 50–600 Hz): shifted by 1.8, a 380 Hz voice's rises pass
    /// 600 Hz and shifted by 0.6 a 60 Hz voice's falls pass under 50 Hz, which no setting-bound
    /// tracker can follow. Returns the scores and the voiced truth frames left out.
    static func compareInRange(_ track: PitchTrack, _ truth: PitchReferenceTests.Reference) -> (PitchScores, Int) {
        let searched = PitchSettings.standard.minimumF0Hz...PitchSettings.standard.maximumF0Hz
        var scores = PitchScores(), outside = 0
        for i in 0..<track.frameCount {
            guard let hz = truth.hz(at: track.seconds(ofFrame: i)) else { continue }
            if hz > 0 && !searched.contains(hz) { outside += 1; continue }
            scores.add(estimateHz: Double(track.f0Hz[i]), truthHz: hz)
        }
        return (scores, outside)
    }


    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func shiftedVoicesKeepTheirPitchThroughTheTelephone() throws {
        var rows: [Row] = []
        for stem in Fixtures.stems(in: "speech") {
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let rate = Int(audio.sampleRateHz)
            let segments = Fixtures.speechSegments(try Fixtures.truth("speech", stem)).first ?? []
            let reference = try PitchReferenceTests.Reference(stem: stem)
            let referenceVoiced = reference.hz.enumerated().filter { i, hz in
                let t = reference.startSeconds + Double(i) * reference.hopSeconds
                return hz > 0 && segments.contains { t >= $0.0 && t < $0.1 }
            }.map(\.element)
            let referenceMedianHz = Statistics.median(referenceVoiced) ?? .nan
            for (p, q) in Self.factors {
                let k = Double(p) / Double(q)
                let truthMedianHz = k * referenceMedianHz
                guard truthMedianHz >= 55, truthMedianHz <= 450 else { continue }
                let voice = Self.shifted(stem: stem, audio.channels[0], sampleRateHz: rate, p: p, q: q)
                let truth = PitchReferenceTests.Reference(startSeconds: reference.startSeconds, hopSeconds: reference.hopSeconds,
                                                          hz: reference.hz.map { $0 * k }, stdevSemitones: reference.stdevSemitones)
                let wideTrack = PitchTracker.track(voice, sampleRateHz: audio.sampleRateHz)
                let phoneTrack = PitchTracker.track(Telephone.narrowband(voice, sampleRateHz: audio.sampleRateHz), sampleRateHz: 8_000)
                let wide = PitchTelephoneCopyTests.summary(wideTrack, segments)
                let phone = PitchTelephoneCopyTests.summary(phoneTrack, segments)
                let (wideScores, outside) = Self.compareInRange(wideTrack, truth)
                let row = Row(stem: stem, k: k, truthMedianHz: truthMedianHz, wideMedianHz: wide.medianHz, phoneMedianHz: phone.medianHz,
                              wideSD: wide.stdevSemitones, phoneSD: phone.stdevSemitones,
                              wideScores: wideScores, phoneScores: Self.compareInRange(phoneTrack, truth).0)
                print(String(format: "pitch shifted %@ k %.2f: truth median %.1f Hz (%d voiced frames outside 50–600 Hz); wide %.1f Hz SD %.2f st [%@]; phone %.1f Hz (%.1f %%) SD %.2f st (%+.2f) [%@]%@",
                             stem, k, truthMedianHz, outside, wide.medianHz, wide.stdevSemitones, row.wideScores.description,
                             phone.medianHz, row.medianErrorPercent, phone.stdevSemitones, row.spreadErrorSemitones,
                             row.phoneScores.description, row.holds ? "" : (row.octaveFailure ? "  OCTAVE FAILURE" : "  OUTSIDE")))
                rows.append(row)
            }
        }
        // Per source and k: n files, how many hold, pooled GPE of the copy and of the wideband track.
        var pooledWide: [Double: PitchScores] = [:], pooledPhone: [Double: PitchScores] = [:]
        for row in rows {
            pooledWide[row.k, default: PitchScores()].merge(row.wideScores)
            pooledPhone[row.k, default: PitchScores()].merge(row.phoneScores)
        }
        for k in pooledWide.keys.sorted() {
            let group = rows.filter { $0.k == k }
            print(String(format: "pitch shifted all k %.2f: n %d, summary within 8 %% / 1 st %d, octave failures %d; wide %@; phone %@",
                         k, group.count, group.filter(\.summaryHolds).count, group.filter(\.octaveFailure).count,
                         pooledWide[k]!.description, pooledPhone[k]!.description))
        }
        let keys = Set(rows.map { "\(Fixtures.source($0.stem)) k \(String(format: "%.2f", $0.k))" }).sorted()
        for key in keys {
            let group = rows.filter { "\(Fixtures.source($0.stem)) k \(String(format: "%.2f", $0.k))" == key }
            var wide = PitchScores(), phone = PitchScores()
            for row in group { wide.merge(row.wideScores); phone.merge(row.phoneScores) }
            print(String(format: "pitch shifted %@: n %d, hold %d, worst median %.1f %%, worst SD gap %+.2f st; wide %@; phone %@",
                         key, group.count, group.filter(\.holds).count,
                         group.map(\.medianErrorPercent).max() ?? 0,
                         group.map(\.spreadErrorSemitones).max(by: { abs($0) < abs($1) }) ?? 0,
                         wide.description, phone.description))
        }
        let failing = rows.filter { !$0.holds }
        print("pitch shifted: \(rows.count) voices, \(rows.count - failing.count) hold, summary within 8 % / 1 st \(rows.filter(\.summaryHolds).count), octave failures \(rows.filter(\.octaveFailure).count)")
        // Measured (159 shifted voices, 27 fixture utterances × the k whose median stays in 55–450 Hz):
        // the shift holds, our wideband track of the shifted voice against the scaled Praat track
        // pooled GPE 2.44 / 2.16 / 1.93 / 1.29 / 1.50 % for k 0.6 … 1.5 (4.27 % at k 1.8, mostly the
        // MFA male voices shifted up, their copies erring alike: not the telephone band). Through the
        // telephone 152 of 159 keep their summary (median within 8 %, SD within 1 st); of the 7 that
        // do not, 4 are voices whose wideband track of the shifted copy is itself off (GPE 6–32 %
        // against the scaled Praat track, the copy nearer the truth), 1 is a copy 9.0 % high
        // (en_ljspeech_LJ001_0005 at k 0.7), 1 is zh_aishell1 at k 0.6 (SD −1.38 st), and 1 is
        // ja_commonvoice_38853932 at k 0.6 (below).
        #expect(rows.count == 159)
        #expect(rows.filter(\.summaryHolds).count >= 152)
        // The issue's failure (issue 17, cause 4), fixed by the speaker range's octave limit
        // (`PitchTracker.speakerRange`): the 3 voices shifted by 0.6 to true medians of 60–63 Hz
        // had, through the telephone, median +12.5 to +30.6 % and SD +8.1 to +12.1 st. Their first
        // pass goes far above F0 (ja_commonvoice_38853932: 4.5–7.3 ×, 300–440 Hz, the lowest
        // components the 300 Hz high-pass leaves) on 21–33 % of the frames both call voiced, so the
        // third quartile landed on them and the ceiling (1.5 × q75) at 460–540 Hz. With q75 held
        // within an octave of the median the ceiling is ≤ 3 × median and the second pass takes those
        // frames back: medians within 0.1–2.0 %, SD gaps +0.83, +1.26, −0.25 st.
        for row in rows {
            #expect(!row.octaveFailure, "\(row.stem) k \(row.k): median \(row.wideMedianHz) → \(row.phoneMedianHz) Hz")
        }
        #expect(rows.filter { $0.truthMedianHz < 65 }.count == 7)  // the loops below are not vacuous (7 voices under 65 Hz, the 3 failures among them)
        for row in rows where row.truthMedianHz < 65 {
            #expect(row.medianErrorPercent <= 8, "\(row.stem) k \(row.k): median \(row.wideMedianHz) → \(row.phoneMedianHz) Hz")
        }
        for (k, bound) in [(0.6, 0.025), (0.7, 0.025), (0.8, 0.025), (1.25, 0.025), (1.5, 0.025), (1.8, 0.04)] {
            #expect((pooledPhone[k]?.grossErrorRatio ?? 1) <= bound, "copy GPE at k \(k)")
            #expect((pooledWide[k]?.grossErrorRatio ?? 1) <= bound + (k == 0.6 ? 0 : 0.005), "shift check at k \(k)")
        }
        // One of the 3 keeps an SD gap over 1 st: ja_commonvoice_38853932 at k 0.6, +1.26 st (median
        // +2.0 %). 4 of its 220 voiced copy frames (1.11–1.14 s) are an event Praat tracks at
        // 5.5 × F0 (310–350 Hz) and our wideband track leaves unvoiced; the copy's second pass takes
        // its sub-octave, 175–179 Hz, inside the ceiling (3 × the first-pass median, 234 Hz). Without
        // those 4 frames the gap is +0.44 st. docs/accuracy.md, Pitch.
        withKnownIssue("issue 17, cause 4: one 63 Hz voice's copy SD 1.26 st over its wideband track", isIntermittent: true) {
            for row in rows where row.truthMedianHz < 65 {
                #expect(row.summaryHolds, "\(row.stem) k \(row.k): SD \(row.wideSD) → \(row.phoneSD) st")
            }
        }
    }
}
