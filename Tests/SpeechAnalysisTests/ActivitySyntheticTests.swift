import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Speech activity on synthetic signals with known answers.
@Suite("Activity on synthetic signals")
struct ActivitySyntheticTests {
    static let rateHz = 8_000.0

    static func contours(_ x: [Float], rateHz: Double = rateHz) -> ChannelContours {
        let fe = ChannelFrontEnd(sampleRateHz: rateHz, retainBandLevels: true)
        fe.consume(x)
        return fe.finish()
    }

    /// A speech-like test utterance: voiced syllables (harmonic pulse train at 120–180 Hz through
    /// two moving formant-like resonances) at ~4 per second, 120 ms apart, so it has the
    /// syllabic modulation of speech. Returns the samples and its syllable spans in seconds.
    static func syllables(count: Int, startSeconds: Double, seed: UInt64, amplitude: Double = 0.3)
        -> (samples: [Float], spans: [(Double, Double)]) {
        var rng = SeededRandom(seed: seed)
        var x = [Float](repeating: 0, count: Int((startSeconds + Double(count) * 0.3 + 0.5) * rateHz))
        var spans: [(Double, Double)] = []
        var t = startSeconds
        for _ in 0..<count {
            let d = Double.random(in: 0.15...0.25, using: &rng)
            let f0 = Double.random(in: 120...180, using: &rng)
            let f1 = Double.random(in: 400...800, using: &rng), f2 = Double.random(in: 1000...2200, using: &rng)
            let n = Int(d * rateHz), s0 = Int(t * rateHz)
            for i in 0..<n {
                let time = Double(i) / rateHz
                let envelope = sin(Double.pi * Double(i) / Double(n))
                var v = 0.0
                var h = 1
                while Double(h) * f0 < 3_600 {
                    let f = Double(h) * f0
                    let gain = 1 / (1 + pow((f - f1) / 150, 2)) + 0.5 / (1 + pow((f - f2) / 200, 2)) + 0.02
                    v += gain * sin(2 * .pi * f * time)
                    h += 1
                }
                x[s0 + i] = Float(amplitude * envelope * v / 3)
            }
            spans.append((t, t + d))
            t += d + Double.random(in: 0.08...0.14, using: &rng)
        }
        return (x, spans)
    }

    @Test func silenceIsNotSpeech() {
        let a = SpeechActivityDetector.detect(Self.contours(Synth.silence(durationSeconds: 10, sampleRateHz: Self.rateHz)))
        #expect(a.segments.isEmpty)
    }

    @Test(arguments: [-60.0, -40.0, -20.0])
    func stationaryNoiseIsNotSpeech(levelDB: Double) {
        let noise = Synth.whiteNoise(durationSeconds: 20, sampleRateHz: Self.rateHz, rms: Decibels.toAmplitude(levelDB), seed: 7)
        let a = SpeechActivityDetector.detect(Self.contours(noise))
        #expect(a.speechSeconds <= 0.2)  // at most a stray 0.1–0.2 s blip in 20 s of noise
    }

    /// Mains hum: 50 Hz with odd harmonics into the band, plus white noise 30 dB lower.
    @Test func humIsNotSpeech() {
        var hum = [Float](repeating: 0, count: Int(20 * Self.rateHz))
        for h in stride(from: 1, through: 11, by: 2) {
            let s = Synth.sine(frequencyHz: 50 * Double(h), durationSeconds: 20, sampleRateHz: Self.rateHz, amplitude: 0.1 / Double(h))
            for i in 0..<hum.count { hum[i] += s[i] }
        }
        Synth.mix(&hum, Synth.whiteNoise(durationSeconds: 20, sampleRateHz: Self.rateHz, rms: 0.003, seed: 3), at: 0)
        #expect(SpeechActivityDetector.detect(Self.contours(hum)).speechSeconds <= 0.2)
    }

    /// Ring-back (China cadence): 450 Hz, 1 s on / 4 s off, over a quiet line.
    @Test func ringbackIsNotSpeech() {
        var x = Synth.whiteNoise(durationSeconds: 20, sampleRateHz: Self.rateHz, rms: 0.0003, seed: 5)
        for k in 0..<4 {
            Synth.mix(&x, Synth.sine(frequencyHz: 450, durationSeconds: 1, sampleRateHz: Self.rateHz, amplitude: 0.15),
                      at: Int(Double(k) * 5 * Self.rateHz + 0.5 * Self.rateHz))
        }
        #expect(SpeechActivityDetector.detect(Self.contours(x)).segments.isEmpty)
    }

    /// A channel that sounds without a quiet stretch (here 2 minutes of music after 1 s of
    /// silence) is still finished piece by piece: forced cuts once `forcedCutFrames` are pending
    /// (here 10 s, in use 10 minutes) each finish at least half that, so what waits for the run
    /// rules stays bounded however long the music lasts. The price: a sustained sound cut into
    /// parts shorter than `sustainedSoundSeconds` escapes the music rule there. Measured: 8.5 s of
    /// the 120 s taken for speech with a cut every 5–10 s, against 6.8 s uncut (over 2 minutes
    /// the music's floor adapts in places, which the 20 s of `musicIsNotSpeech` do not show).
    @Test func continuousSoundIsFinishedInBoundedPieces() {
        var x = Synth.silence(durationSeconds: 1, sampleRateHz: Self.rateHz)
        x += Synth.musicOnHold(durationSeconds: 120, sampleRateHz: Self.rateHz, seed: 3)
        let c = Self.contours(x)
        var ends: [[Int]] = []
        let activity = SpeechActivityDetector.detect([c], settings: .standard, chunkFrames: 340,
                                                     finishAfterFrames: 500, forcedCutFrames: 1000, pieceEnds: &ends)
        let uncut = SpeechActivityDetector.detect([c], settings: .standard, chunkFrames: 340, finishAfterFrames: 500)
        let pieceEnds = ends[0]
        let longestPiece = zip([0] + pieceEnds, pieceEnds).map { $1 - $0 }.max() ?? 0
        print("continuous sound: \(pieceEnds.count) pieces, longest \(longestPiece) frames, speech \(activity[0].speechSeconds) s (uncut: \(uncut[0].speechSeconds) s)")
        #expect(pieceEnds.count >= 10)
        // A piece ends once forcedCutFrames are pending: at most that plus one chunk, and the last
        // piece (the rest at the end) at most that plus two chunks and the look-around.
        #expect(longestPiece <= 1000 + 2 * 340 + 340 + 8)
        #expect(activity[0].speechSeconds <= uncut[0].speechSeconds + 4)
        #expect(uncut[0].speechSeconds < 12)
    }

    /// Music on hold: three-note chords with harmonics, a new chord every 0.3–0.5 s, no pauses.
    @Test func musicIsNotSpeech() {
        var rng = SeededRandom(seed: 11)
        var x = [Float](repeating: 0, count: Int(20 * Self.rateHz))
        var start = 0
        while start < x.count {
            let n = min(x.count - start, Int(Double.random(in: 0.3...0.5, using: &rng) * Self.rateHz))
            let root = 220 * pow(2, Double(Int.random(in: 0..<12, using: &rng)) / 12)
            let notes = [root, root * pow(2, 4 / 12), root * pow(2, 7 / 12)]
            for i in 0..<n {
                let t = Double(i) / Self.rateHz
                var v = 0.0
                for f in notes { for h in 1...4 where Double(h) * f < 3_800 { v += sin(2 * .pi * Double(h) * f * t) / Double(h * h) } }
                x[start + i] = Float(0.05 * v)
            }
            start += n
        }
        Synth.mix(&x, Synth.whiteNoise(durationSeconds: 20, sampleRateHz: Self.rateHz, rms: 0.0005, seed: 12), at: 0)
        let speechSeconds = SpeechActivityDetector.detect(Self.contours(x)).speechSeconds
        // Target: ≤ 2.5 % of 20 s called speech. Measured: 0 s (2.8 s when the test was written,
        // then kept as a known issue; this deterministic signal now meets the target).
        #expect(speechSeconds <= 0.5)
    }

    /// A lip click (a 10 ms noise burst) 0.2 s before an utterance on a clean channel: at 30 dB
    /// under the utterance's loudest frame it is a click and the utterance starts where its first
    /// syllable does; at 10 dB under it could be a weak speech sound and is kept and bridged.
    @Test(arguments: [(-30.0, false), (-10.0, true)])
    func clickBeforeAnUtterance(belowPeakDB: Double, bridged: Bool) {
        let (speech, spans) = Self.syllables(count: 8, startSeconds: 1, seed: 41)
        var x = speech
        let window = Int(0.04 * Self.rateHz)
        let peakPower = stride(from: 0, to: x.count - window, by: window / 4).map { i in
            x[i..<(i + window)].reduce(0) { $0 + Double($1 * $1) } / Double(window)
        }.max()!
        let click = Synth.whiteNoise(durationSeconds: 0.01, sampleRateHz: Self.rateHz,
                                     rms: sqrt(peakPower) * pow(10, belowPeakDB / 20), seed: 42)
        Synth.mix(&x, click, at: Int((spans[0].0 - 0.2) * Self.rateHz))
        Synth.mix(&x, Synth.whiteNoise(durationSeconds: Double(x.count) / Self.rateHz, sampleRateHz: Self.rateHz,
                                       rms: 0.0001, seed: 43), at: 0)
        let first = try? #require(SpeechActivityDetector.detect(Self.contours(x)).segments.first)
        guard let first else { return }
        if bridged {
            #expect(first.start < spans[0].0 - 0.15)          // starts at the kept sound
        } else {
            #expect(abs(first.start - spans[0].0) <= 0.05)  // starts at the syllable (±50 ms)
        }
    }

    /// The synthetic utterance itself is found (guards the tests above against a dead detector).
    @Test func syntheticSpeechIsFound() {
        let (x, spans) = Self.syllables(count: 12, startSeconds: 1, seed: 21)
        let a = SpeechActivityDetector.detect(Self.contours(x))
        var score = ActivityScore()
        score.add(detected: a.segments.map { ($0.start, $0.end) }, truth: [(spans.first!.0, spans.last!.1)],
                  durationSeconds: Double(x.count) / Self.rateHz)
        #expect(score.f1 >= 0.9)  // one utterance, inner 80–140 ms gaps bridged
    }

    /// Channel 0 speaks; channel 1 carries only its copy 20 dB down (crosstalk), in a noise floor.
    @Test func crosstalkIsNotSpeechOfTheOtherChannel() {
        let (x, spans) = Self.syllables(count: 12, startSeconds: 1, seed: 31)
        var a = x, b = Synth.scaled(x, dB: -20)
        Synth.mix(&a, Synth.whiteNoise(durationSeconds: Double(x.count) / Self.rateHz, sampleRateHz: Self.rateHz, rms: 0.0003, seed: 32), at: 0)
        Synth.mix(&b, Synth.whiteNoise(durationSeconds: Double(x.count) / Self.rateHz, sampleRateHz: Self.rateHz, rms: 0.0003, seed: 33), at: 0)
        let single = SpeechActivityDetector.detect(Self.contours(b))
        let both = SpeechActivityDetector.detect([Self.contours(a), Self.contours(b)])
        #expect(single.speechSeconds > 1)  // alone, the leakage looks like speech: the gate is needed
        #expect(both[1].speechSeconds <= 0.2)  // gated: at most a stray blip
        #expect(both[0].speechSeconds >= 0.9 * (spans.last!.1 - spans.first!.0))
    }

    /// Genuine overlapping speech on the quieter channel is kept by the crosstalk gate.
    @Test func overlappingSpeechIsKept() {
        let (x, _) = Self.syllables(count: 12, startSeconds: 1, seed: 41)
        let (y, spans) = Self.syllables(count: 6, startSeconds: 2, seed: 42, amplitude: 0.1)
        var b = y + [Float](repeating: 0, count: max(0, x.count - y.count))
        Synth.mix(&b, Synth.scaled(x, dB: -20), at: 0)
        Synth.mix(&b, Synth.whiteNoise(durationSeconds: Double(b.count) / Self.rateHz, sampleRateHz: Self.rateHz, rms: 0.0003, seed: 43), at: 0)
        let both = SpeechActivityDetector.detect([Self.contours(x), Self.contours(Array(b.prefix(x.count)))])
        var score = ActivityScore()
        score.add(detected: both[1].segments.map { ($0.start, $0.end) }, truth: [(spans.first!.0, spans.last!.1)],
                  durationSeconds: Double(x.count) / Self.rateHz)
        #expect(score.f1 >= 0.85)  // the customer's own 10 dB-quieter speech survives the gate
    }

    /// ±20 dB gain moves noise and speech together: decisions barely change.
    @Test(arguments: [-20.0, 20.0])
    func gainChangesLittle(gainDB: Double) {
        let (x, _) = Self.syllables(count: 16, startSeconds: 1, seed: 51, amplitude: 0.03)
        var y = x
        Synth.mix(&y, Synth.whiteNoise(durationSeconds: Double(x.count) / Self.rateHz, sampleRateHz: Self.rateHz, rms: 0.001, seed: 52), at: 0)
        let base = SpeechActivityDetector.detect(Self.contours(y)).isSpeech
        let moved = SpeechActivityDetector.detect(Self.contours(Synth.scaled(y, dB: gainDB))).isSpeech
        let differing = zip(base, moved).filter { $0 != $1 }.count
        #expect(Double(differing) <= 0.02 * Double(base.count))  // ≤ 2 % of frames (boundary frames, 0.5 dB codes)
    }
}
