import AudioIO
import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// The steady-noise onset (`SpeechActivityDetector.Constants.steadyNoiseLiftDB`,
/// `steadyNoiseOnsetReliefDB`) against noises whose class is known by construction, with fixture
/// speech over them at 8 kHz: three utterances between 3 s stretches of noise alone, each
/// utterance's last 0.8 s of speech falling to −20 dB (a soft phrase end, declination made
/// stronger), the truth the utterances' own `speech_segments` at their placement.
/// - Steady: white, pink, brown (integrated white) noise, mains hum (50 Hz and its harmonics to
///   3.4 kHz) and a µ-law line floor (white at −66 dBFS through G.711 µ-law), at 5, 10 and 20 dB
///   SNR (the line floor at its absolute level). Their band levels fluctuate only by the chance
///   spread of a noise band's power over a frame, so the floor's 20th percentile stays near its
///   biased minimum.
/// - Not steady: babble of 3 and of 6 fixture talkers (none of them the foreground's), and
///   speech-shaped noise (white through the long-term speech spectrum's shape: a 150 Hz high-pass
///   and a 600 Hz one-pole low-pass, −6 dB per octave above it) fully modulated at 4 Hz, the
///   syllable rate (Houtgast & Steeneken 1985), at the same SNRs.
@Suite("Steady-noise lift on synthetic noises")
struct SteadyNoiseLiftTests {
    static let rateHz = 8_000.0

    struct Scene {
        var speech: [Float]
        var truth: [(Double, Double)]
        /// The soft phrase ends: each utterance's last 0.8 s of true speech.
        var phraseEnds: [(Double, Double)]
        var speechPower: Double
    }

    /// The foreground: three fixture utterances (English ARCTIC, LJ Speech, Japanese MFA), 3 s of
    /// noise alone before the first and after the last, 1.5 s between them.
    static func scene() throws -> Scene {
        var speech = [Float](repeating: 0, count: Int(3 * rateHz))
        var truth: [(Double, Double)] = [], ends: [(Double, Double)] = []
        for stem in ["en_arctic_slt_a0009", "en_ljspeech_LJ001_0007", "ja_mfa_mcauliffe_slow"] {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            var x = Telephone.resample(buffer.channels[0], fromHz: buffer.sampleRateHz, toHz: rateHz)
            let segments = Fixtures.speechSegments(try Fixtures.truth("speech", stem)).first ?? []
            let last = try #require(segments.last)
            // Declination: the last 0.8 s of speech falls linearly in dB to −20 dB.
            let rampStart = max(segments.first!.0, last.1 - 0.8)
            for i in 0..<x.count {
                let t = Double(i) / rateHz
                guard t > rampStart else { continue }
                x[i] *= Float(Decibels.toAmplitude(-20 * min(1, (t - rampStart) / (last.1 - rampStart))))
            }
            let offset = Double(speech.count) / rateHz
            truth += segments.map { ($0.0 + offset, $0.1 + offset) }
            ends.append((rampStart + offset, last.1 + offset))
            speech += x
            speech += [Float](repeating: 0, count: Int((stem == "ja_mfa_mcauliffe_slow" ? 3 : 1.5) * rateHz))
        }
        let p = NoiseMixing.meanPower(speech, sampleRateHz: rateHz, over: truth)
        return Scene(speech: speech, truth: truth, phraseEnds: ends, speechPower: p)
    }

    /// Babble talkers: fixture utterances none of which is in the scene.
    static func talkers() throws -> [[Float]] {
        try ["en_ljspeech_LJ001_0001", "en_ljspeech_LJ001_0002", "ja_commonvoice_38843402",
             "en_ljspeech_LJ001_0003", "ja_commonvoice_38853932", "en_mfa_mcauliffe_surround"].map { stem in
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            return Telephone.resample(buffer.channels[0], fromHz: buffer.sampleRateHz, toHz: rateHz)
        }
    }

    enum NoiseKind: String, CaseIterable {
        case white, pink, brown, hum, lineFloor, babble3, babble6, modulatedSpeechShaped
        var isSteady: Bool { ![.babble3, .babble6, .modulatedSpeechShaped].contains(self) }
    }

    /// Unit-RMS noise of `kind`, `n` samples (the line floor: at its absolute level, see `mixed`).
    static func noise(_ kind: NoiseKind, count n: Int, seed: UInt64, talkers: [[Float]]) -> [Float] {
        let seconds = Double(n) / rateHz
        func unit(_ x: [Float]) -> [Float] { let r = Float(Synth.rms(x)); return x.map { $0 / r } }
        switch kind {
        case .white, .lineFloor:
            return Synth.whiteNoise(durationSeconds: seconds, sampleRateHz: rateHz, rms: 1, seed: seed)
        case .pink:
            return Synth.pinkNoise(durationSeconds: seconds, sampleRateHz: rateHz, rms: 1, seed: seed)
        case .brown:
            // Integrated white noise (−6 dB per octave), leaky so it does not wander off: pole at 0.995.
            var y: Float = 0
            return unit(Synth.whiteNoise(durationSeconds: seconds, sampleRateHz: rateHz, rms: 1, seed: seed).map { y = 0.995 * y + $0; return y })
        case .hum:
            // 50 Hz mains and its harmonics to 3.4 kHz, amplitude 1/k, random phases.
            var rng = SeededRandom(seed: seed)
            let harmonics = (1...68).map { ($0, Double.random(in: 0..<(2 * .pi), using: &rng)) }
            return unit((0..<n).map { i in
                let t = Double(i) / rateHz
                return Float(harmonics.reduce(0) { $0 + sin(2 * .pi * 50 * Double($1.0) * t + $1.1) / Double($1.0) })
            })
        case .babble3, .babble6:
            return unit(NoiseMixing.babble(from: talkers, talkerCount: kind == .babble3 ? 3 : 6, length: n, seed: seed))
        case .modulatedSpeechShaped:
            let white = Synth.whiteNoise(durationSeconds: seconds, sampleRateHz: rateHz, rms: 1, seed: seed)
            let shaped = Telephone.bandPass(white, sampleRateHz: rateHz, lowHz: 150, highHz: 3_400)
            let a = Float(exp(-2 * Double.pi * 600 / rateHz))
            var y: Float = 0
            return unit(shaped.enumerated().map { i, v in
                y = a * y + (1 - a) * v
                let m = 0.5 * (1 + sin(2 * Double.pi * 4 * Double(i) / rateHz))
                return y * Float(m)
            })
        }
    }

    /// The scene with `kind` at `snrDB` under the speech (the line floor at −66 dBFS, then the
    /// whole signal through µ-law).
    static func mixed(_ scene: Scene, _ kind: NoiseKind, snrDB: Double, seed: UInt64, talkers: [[Float]]) -> [Float] {
        let n = scene.speech.count
        let x = noise(kind, count: n, seed: seed, talkers: talkers)
        if kind == .lineFloor {
            let g = Float(Decibels.toAmplitude(-66))
            return Telephone.muLawRoundTrip(zip(scene.speech, x).map { $0 + g * $1 })
        }
        return NoiseMixing.add(x, to: scene.speech, speechPower: scene.speechPower, snrDB: snrDB)
    }

    static func contours(_ x: [Float]) -> ChannelContours {
        let fe = ChannelFrontEnd(sampleRateHz: rateHz, retainBandLevels: true)
        fe.consume(x)
        return fe.finish()
    }

    /// Mean over the bands of the floor's lift over its biased minimum, dB, per frame: the
    /// quantity the detector compares with `steadyNoiseLiftDB`.
    static func liftDB(_ c: ChannelContours) -> [Double] {
        var lift: [Int32] = []
        _ = c.bandLevelCodes.withUnsafeBufferPointer { BandNoiseFloor().floorCodes($0, frameCount: c.frameCount, lift: &lift) }
        return lift.map { Double($0) / Double(2 * AnalysisBands.count) }
    }

    /// `Statistics.percentile` with p as a fraction.
    static func percentile(_ x: [Double], _ p: Double) -> Double { Statistics.percentile(x, 100 * p) ?? .nan }

    static let snrsDB = [5.0, 10, 20]

    /// Frames ≥ 0.5 s from any true speech (the noise-only stretches), as frame-centre times.
    static func noiseOnly(_ t: Double, _ scene: Scene) -> Bool { !scene.truth.contains { t > $0.0 - 0.5 && t < $0.1 + 0.5 } }

    /// The measured lift falls on the side of `steadyNoiseLiftDB` its noise's class is on: on the
    /// noise alone, ≥ 95 % of the frames (steady: at or under it; the others: over it); with the
    /// speech over it, the median of the noise-only stretches' frames (the speech lifts the
    /// floor's percentile where it fills most of the ±3 s window, more at high SNR: the share of
    /// all frames at the lower onset is printed).
    @Test func liftSeparatesSteadyFromFluctuatingNoise() throws {
        let scene = try Self.scene(), talkers = try Self.talkers()
        let threshold = Double(SpeechActivityDetector.Constants.steadyNoiseLiftDB)
        let silent = Scene(speech: scene.speech.map { _ in 0 }, truth: [], phraseEnds: [], speechPower: scene.speechPower)
        var seed: UInt64 = 1
        for kind in Sanitizer.few(NoiseKind.allCases, 3) {
            for snrDB in kind == .lineFloor ? [.nan] : Sanitizer.few(Self.snrsDB, 1) {
                seed += 1
                let alone = Self.liftDB(Self.contours(Self.mixed(silent, kind, snrDB: snrDB, seed: seed, talkers: talkers)))
                let c = Self.contours(Self.mixed(scene, kind, snrDB: snrDB, seed: seed, talkers: talkers))
                let lift = Self.liftDB(c)
                let quiet = lift.indices.filter { Self.noiseOnly(c.timeBase.seconds(ofFrame: $0), scene) }.map { lift[$0] }
                func share(_ x: [Double]) -> Double { Double(x.filter { $0 <= threshold }.count) / Double(x.count) }
                let (aloneMedian, quietMedian) = (Self.percentile(alone, 0.5), Self.percentile(quiet, 0.5))
                let quietMargin = kind.isSteady ? threshold - quietMedian : quietMedian - threshold
                print(String(format: "steady-noise lift %@ %@: noise alone median %.2f dB, 5th–95th pct %.2f–%.2f dB, "
                             + "%.0f %% of frames ≤ %.1f dB | with speech: noise-only frames (n %d) median %.2f dB "
                             + "(margin %+.2f dB), all frames median %.2f dB, %.0f %% at the lower onset",
                             kind.rawValue, snrDB.isNaN ? "−66 dBFS µ-law" : String(format: "%.0f dB SNR", snrDB),
                             aloneMedian, Self.percentile(alone, 0.05), Self.percentile(alone, 0.95), 100 * share(alone), threshold,
                             quiet.count, quietMedian, quietMargin, Self.percentile(lift, 0.5), 100 * share(lift)))
                if kind.isSteady { #expect(share(alone) >= 0.95, "\(kind) \(snrDB)") } else { #expect(share(alone) <= 0.05, "\(kind) \(snrDB)") }
                #expect(quietMargin > 0, "\(kind) at \(snrDB) dB: noise-only median lift \(quietMedian) dB")
            }
        }
    }

    /// Under steady noise at 5 and 10 dB SNR the lower onset finds more of the soft phrase ends
    /// (recall over each utterance's last 0.8 s, falling to −20 dB) and raises F1 against the
    /// placement's truth, with no speech found in the noise-only stretches, against the same
    /// detector with the full onset everywhere; under the fluctuating noises it changes nothing
    /// (the lift keeps them at the full onset; the detector takes them for speech either way, as
    /// the babble rows of docs/accuracy.md say).
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func lowerOnsetFindsSoftPhraseEnds() throws {
        let scene = try Self.scene(), talkers = try Self.talkers()
        var pooled: [Bool: (full: ActivityScore, lower: ActivityScore, endsFull: ActivityScore, endsLower: ActivityScore)] = [:]
        var seed: UInt64 = 100
        for kind in NoiseKind.allCases {
            for snrDB in kind == .lineFloor ? [.nan] : [5.0, 10] {
                seed += 1
                let c = Self.contours(Self.mixed(scene, kind, snrDB: snrDB, seed: seed, talkers: talkers))
                let duration = Double(scene.speech.count) / Self.rateHz
                var row: [ActivityScore] = []
                var noiseOnlyFrames: [Int] = []
                for relief: Float in [0, SpeechActivityDetector.Constants.steadyNoiseOnsetReliefDB] {
                    let a = SpeechActivityDetector.detect([c], settings: .standard, chunkFrames: SpeechActivityDetector.Constants.chunkFrames,
                                                          steadyNoiseReliefDB: relief)[0]
                    let found = a.segments.map { ($0.start, $0.end) }
                    var all = ActivityScore(), ends = ActivityScore()
                    all.add(detected: found, truth: scene.truth, durationSeconds: duration)
                    // Only the phrase ends' frames: recall there (false positives are not counted).
                    ends.add(detected: found, truth: scene.phraseEnds, durationSeconds: duration,
                             excluding: [(0, scene.phraseEnds[0].0)] + zip(scene.phraseEnds, scene.phraseEnds.dropFirst()).map { ($0.0.1, $0.1.0) }
                                 + [(scene.phraseEnds.last!.1, duration)])
                    row += [all, ends]
                    let speech = a.isSpeech
                    noiseOnlyFrames.append(speech.indices.filter { speech[$0] && Self.noiseOnly(c.timeBase.seconds(ofFrame: $0), scene) }.count)
                }
                func recall(_ s: ActivityScore) -> Double { Double(s.truePositives) / Double(max(1, s.truePositives + s.falseNegatives)) }
                print(String(format: "steady-noise onset %@ %@: F1 %.3f → %.3f, phrase-end recall %.3f → %.3f, "
                             + "frames found in the noise-only stretches %d → %d",
                             kind.rawValue, snrDB.isNaN ? "−66 dBFS µ-law" : String(format: "%.0f dB SNR", snrDB),
                             row[0].f1, row[2].f1, recall(row[1]), recall(row[3]), noiseOnlyFrames[0], noiseOnlyFrames[1]))
                var p = pooled[kind.isSteady] ?? (ActivityScore(), ActivityScore(), ActivityScore(), ActivityScore())
                p.full = p.full + row[0]; p.lower = p.lower + row[2]; p.endsFull = p.endsFull + row[1]; p.endsLower = p.endsLower + row[3]
                pooled[kind.isSteady] = p
                if kind.isSteady {
                    #expect(noiseOnlyFrames[1] == 0, "\(kind) \(snrDB)")
                    #expect(recall(row[3]) >= recall(row[1]), "\(kind) \(snrDB)")
                    #expect(row[2].f1 >= row[0].f1 - 0.005, "\(kind) \(snrDB)")
                } else {
                    // Voices and syllable-rate noise are taken for speech at the full onset already
                    // (the open babble item, docs/accuracy.md); the lower onset must add nothing.
                    #expect(row[2].truePositives == row[0].truePositives && row[2].falsePositives == row[0].falsePositives
                            && noiseOnlyFrames[1] == noiseOnlyFrames[0], "\(kind) \(snrDB)")
                }
            }
        }
        for (steady, p) in pooled.sorted(by: { $0.key && !$1.key }) {
            print("steady-noise onset, \(steady ? "steady" : "fluctuating") noises pooled: \(p.full) → \(p.lower); "
                  + "phrase ends \(p.endsFull) → \(p.endsLower)")
        }
        let steady = try #require(pooled[true])
        func recall(_ s: ActivityScore) -> Double { Double(s.truePositives) / Double(max(1, s.truePositives + s.falseNegatives)) }
        #expect(steady.lower.f1 > steady.full.f1)
        #expect(steady.lower.f1 >= 0.92)              // measured 0.936 (0.878 at the full onset)
        #expect(recall(steady.endsLower) >= 0.65)     // measured 0.673 (0.497 at the full onset)
        #expect(steady.lower.falsePositives <= steady.full.falsePositives + 100)   // measured 382 vs 317 frames
    }
}
