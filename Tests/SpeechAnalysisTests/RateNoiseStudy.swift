import AudioIO
import CallAnalysis
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17 study (run on demand: `VOICEQA_RATE_NOISE_STUDY=1 swift test --filter RateNoiseStudy`):
/// the syllable (mora) count of the 27 speech fixtures under white, pink and babble noise at a
/// nominal SNR over the mean power of the true speech (`NoiseMixing.add`), against the true
/// count, with the SNR the analysis itself reads (`loudness.snrDB`). Counts on the true segments
/// (`RateFixture.detected`) and end to end (`CallAnalyzer`, its own speech activity). One TSV row
/// per clip, noise and SNR, to stdout (docs/accuracy.md, "Issue 17: counts under line noise").
/// `VOICEQA_RATE_NOISE_STUDY=telephone`: each mix through `Telephone.narrowband` first.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_RATE_NOISE_STUDY"] != nil),
       .disabled(if: Sanitizer.isActive, "accuracy sweep"))
struct RateNoiseStudy {
    static let padSeconds = 2.0
    static let telephone = ProcessInfo.processInfo.environment["VOICEQA_RATE_NOISE_STUDY"] == "telephone"

    /// Standard deviation of the 10 ms levels (dB) of `x` in the telephone band's reach: how
    /// much a noise's power swings from block to block (white ≈ 0.5–1 dB; a few talkers, many dB).
    static func levelSpreadDB(_ x: [Float], rateHz: Double) -> Double {
        let block = Int(rateHz / 100)
        let levels = stride(from: 0, to: x.count - block, by: block).map { i -> Double in
            let rms = Synth.rms(Array(x[i..<i + block]))
            return Decibels.fromPower(rms * rms)
        }
        return Statistics.standardDeviation(levels) ?? 0
    }

    @Test func countsUnderNoise() throws {
        let fixtures = try RateFixture.all()
        let snrs: [Double] = [20, 15, 10, 5, 0]
        print("padSeconds \(Self.padSeconds) telephone \(Self.telephone)")
        print("study\tstem\tsource\tlanguage\ttruth\tkind\tnominalSNRDB\tcountOnTruth\tcountEndToEnd\tmeasuredSNRDB")
        for (k, f) in fixtures.enumerated() {
            let rate = Double(f.sampleRateHz)
            // The clip between two gaps of `padSeconds` of silence, as a turn between a call's
            // pauses: the noise alone is there to be measured (most clips hold < 0.5 s of it).
            let pad = [Float](repeating: 0, count: Int(Self.padSeconds * rate))
            let clean = pad + f.samples + pad
            var f = f
            f.samples = clean
            f.segments = f.segments.map { Segment(start: $0.start + Self.padSeconds, end: $0.end + Self.padSeconds) }
            let seconds = Double(clean.count) / rate
            let p = NoiseMixing.meanPower(clean, sampleRateHz: rate, over: f.segments.map { ($0.start, $0.end) })
            // Babble as in `ActivityFixtureTests.babbleAt10DB`: six of the other clips at this rate
            // (all the others resampled where fewer), here from other sources only (not the voice itself).
            var others = fixtures.filter { Fixtures.source($0.stem) != Fixtures.source(f.stem) && $0.sampleRateHz == f.sampleRateHz }.map(\.samples)
            if others.count < 6 {
                others = fixtures.filter { Fixtures.source($0.stem) != Fixtures.source(f.stem) }
                    .map { Telephone.resample($0.samples, fromHz: Double($0.sampleRateHz), toHz: rate) }
            }
            let noises: [(String, [Float])] = [
                ("white", Synth.whiteNoise(durationSeconds: seconds, sampleRateHz: rate, rms: 1, seed: UInt64(500 + k))),
                ("pink", Synth.pinkNoise(durationSeconds: seconds, sampleRateHz: rate, rms: 1, seed: UInt64(600 + k))),
                ("babble6", NoiseMixing.babble(from: others, talkerCount: 6, length: clean.count, seed: UInt64(700 + k))),
                ("babble24", NoiseMixing.babble(from: others, talkerCount: 24, length: clean.count, seed: UInt64(800 + k))),
            ]
            var rows: [(String, Double, [Float])] = [("clean", .infinity, clean)]
            for (kind, noise) in noises {
                // (scaled to −26 dBFS first, so the µ-law stage does not clip the spread away)
                let scaled = noise.map { $0 * Float(0.05 / max(1e-9, Synth.rms(noise))) }
                let inBand = Self.telephone ? Telephone.narrowband(scaled, sampleRateHz: rate) : noise
                print("modulation\t\(f.stem)\t\(kind)\t\(String(format: "%.2f", Self.levelSpreadDB(inBand, rateHz: Self.telephone ? 8000 : rate)))")
                for snr in snrs { rows.append((kind, snr, NoiseMixing.add(noise, to: f.samples, speechPower: p, snrDB: snr))) }
            }
            for (kind, snr, mixed) in rows {
                // `VOICEQA_RATE_NOISE_STUDY=telephone`: the mix as a call carries it (the fixture
                // calls' noise is added before the band limit): 8 kHz, 300–3400 Hz, µ-law.
                let x = Self.telephone ? Telephone.narrowband(mixed, sampleRateHz: rate) : mixed
                let rate = Self.telephone ? 8000 : rate
                let onTruth = f.detected(samples: x, sampleRateHz: Int(rate)).count
                var options = AnalysisOptions.standard
                options.language = f.language
                let a = try CallAnalyzer.analyze(buffer: AudioBuffer(sampleRateHz: rate, mono: x), options: options)
                let r = a.channels[0].rate
                let e2e = (f.language == .ja ? r?.moraCount : r?.syllableCount) ?? 0
                let measured = a.channels[0].loudness?.snrDB.map { String(format: "%.1f", $0) } ?? "nil"
                print("study\t\(f.stem)\t\(Fixtures.source(f.stem))\t\(f.language.rawValue)\t\(f.trueCount)\t\(kind)\t\(snr)\t\(onTruth)\t\(e2e)\t\(measured)")
            }
        }
    }

    /// The fixture calls: each channel's measured SNR beside the noise the generator mixed, and
    /// the agent's count end to end against its truth.
    @Test func fixtureCalls() throws {
        print("call\tstem\tchannel\tnoiseKind\tnominalSNRDB\tmeasuredSNRDB\tcountEndToEnd\ttruth")
        for stem in Fixtures.stems(in: "calls") {
            let truth = try Fixtures.truth("calls", stem)
            let language = RateCallTests.agentLanguage(truth)
            let a = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: AnalysisOptions(language: language))
            let stats = truth["channel_stats"] as? [String: Any]
            for c in a.channels {
                let role = c.role.rawValue
                let noise = (truth["noise"] as? [String: Any])?[role] as? [String: Any]
                let count = c.rate.map { language == .ja && c.role == .agent ? $0.moraCount! : $0.syllableCount }
                let expected = (stats?[role] as? [String: Any])?["syllable_count_excl_backchannels"] as? Int
                print("call\t\(stem)\t\(role)\t\(noise?["type"] as? String ?? "-")\t\(noise?["snr_db"] as? Double ?? .nan)\t\(c.loudness?.snrDB.map { String(format: "%.1f", $0) } ?? "nil")\t\(count.map(String.init) ?? "-")\t\(expected.map(String.init) ?? "-")")
            }
        }
    }
}
