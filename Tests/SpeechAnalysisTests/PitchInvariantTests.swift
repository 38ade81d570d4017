import CallAnalysis
import DSP
import Foundation
@testable import SpeechAnalysis
import AudioIO
import Testing
import TestSupport

@Suite struct PitchInvariantTests {
    static let rate = 8_000.0

    static func vowel(f0Hz: Double, seconds: Double = 1.0, seed: UInt64 = 3) -> [Float] {
        VoiceSynth.voiced(durationSeconds: seconds, sampleRateHz: 16_000, f0Hz: { _ in f0Hz }, formants: VoiceSynth.vowelA,
                          seed: seed)
    }

    /// Missing fundamental: harmonics 4…30 of F0 only (nothing at F0, 2F0 or 3F0), as a band-limited
    /// telephone line delivers a low male voice. The period is still F0's.
    @Test(arguments: [70.0, 85.0, 100.0, 120.0])
    func missingFundamentalIsFound(f0Hz: Double) {
        let n = Int(Self.rate)
        var x = [Float](repeating: 0, count: n)
        for h in 4...30 where Double(h) * f0Hz < 3_400 {
            let phase = Double(h * h) * 0.7  // spread phases so the waveform is not a pulse train
            for i in 0..<n { x[i] += Float(0.02 * sin(2 * .pi * Double(h) * f0Hz * Double(i) / Self.rate + phase)) }
        }
        let track = PitchTracker.track(x, sampleRateHz: Self.rate)
        #expect(track.voicedRatio > 0.95)
        for estimate in track.voicedF0Hz {  // 0.1 st: far below the 20 % of a gross error
            #expect(abs(12 * log2(Double(estimate) / f0Hz)) < 0.1)
        }
    }

    @Test(arguments: [95.0, 140.0, 210.0, 320.0, 480.0])
    func sineF0IsItsFrequency(f0Hz: Double) {
        let tone = Synth.sine(frequencyHz: f0Hz, durationSeconds: 1, sampleRateHz: Self.rate)
        let track = PitchTracker.track(tone, sampleRateHz: Self.rate)
        #expect(track.voicedRatio > 0.95)
        for estimate in track.voicedF0Hz {  // 0.1 st: far finer than the rubric's ~1.5 st monotone line
            #expect(abs(12 * log2(Double(estimate) / f0Hz)) < 0.1)
        }
    }

    @Test func silenceAndNoiseAreUnvoiced() {
        let quiet = PitchTracker.track(Synth.silence(durationSeconds: 1, sampleRateHz: Self.rate), sampleRateHz: Self.rate)
        #expect(quiet.voicedFrameCount == 0)
        let noise = Synth.whiteNoise(durationSeconds: 2, sampleRateHz: Self.rate, rms: 0.1, seed: 5)
        let hiss = PitchTracker.track(Telephone.bandPass(noise, sampleRateHz: Self.rate), sampleRateHz: Self.rate)
        #expect(hiss.voicedRatio < 0.03)  // white noise has no period; a stray frame or two at most
    }

    /// Gain does not change F0: the normalised autocorrelation is scale-free; only the silence
    /// comparison depends on level, and it is relative to the channel's own loud frames.
    @Test(arguments: [-30.0, -12.0, 12.0])
    func gainLeavesF0Alone(gainDB: Double) {
        let (voice, _) = PitchSyntheticTests.build(PitchSyntheticTests.malePieces, seed: 11)
        let phone = Telephone.narrowband(voice, sampleRateHz: 16_000)
        let reference = PitchTracker.track(phone, sampleRateHz: Self.rate)
        let scaled = PitchTracker.track(Synth.scaled(phone, dB: gainDB), sampleRateHz: Self.rate)
        var differing = 0
        for i in 0..<reference.frameCount where (reference.f0Hz[i] > 0) != (scaled.f0Hz[i] > 0) { differing += 1 }
        #expect(differing <= 2)  // µ-law quantisation is not scale-free: allow a boundary frame or two
        for i in 0..<reference.frameCount where reference.f0Hz[i] > 0 && scaled.f0Hz[i] > 0 {
            #expect(abs(12 * log2(Double(scaled.f0Hz[i] / reference.f0Hz[i]))) < 0.02)  // Float rounding only
        }
    }

    /// A delay of whole hops moves the track by the same number of frames, values unchanged.
    @Test(arguments: [3, 17])
    func timeShiftShiftsTheTrack(hops: Int) {
        let (voice, _) = PitchSyntheticTests.build(PitchSyntheticTests.femalePieces, seed: 29)
        let phone = Telephone.narrowband(voice, sampleRateHz: 16_000)
        let reference = PitchTracker.track(phone, sampleRateHz: Self.rate)
        let hop = reference.timeBase.hopSamples
        let delayed = PitchTracker.track([Float](repeating: 0, count: hops * hop) + phone, sampleRateHz: Self.rate)
        #expect(delayed.frameCount == reference.frameCount + hops)
        for i in 0..<hops { #expect(delayed.f0Hz[i] == 0) }
        var differing = 0
        for i in 0..<reference.frameCount where abs(delayed.f0Hz[i + hops] - reference.f0Hz[i]) > 0.01 { differing += 1 }
        #expect(differing == 0)  // identical frames in, identical candidates out
    }

    /// The analyzer attaches a tracker to every channel: both channels get their own pitch.
    @Test func callAnalyzerReportsPitchPerChannel() throws {
        var agent = Synth.silence(durationSeconds: 0.3, sampleRateHz: 16_000)
        agent += VoiceSynth.voiced(durationSeconds: 1.2, sampleRateHz: 16_000, f0Hz: { 200 * pow(2, $0 / 1.2 / 4) },
                                   formants: VoiceSynth.female(VoiceSynth.vowelA))  // rises 3 st
        agent += Synth.silence(durationSeconds: 0.5, sampleRateHz: 16_000)
        var customer = Synth.silence(durationSeconds: 1.0, sampleRateHz: 16_000)
        customer += Self.vowel(f0Hz: 100, seconds: 0.9)
        customer += Synth.silence(durationSeconds: 0.1, sampleRateHz: 16_000)
        let noise = Synth.whiteNoise(durationSeconds: 2, sampleRateHz: 16_000, rms: 0.001, seed: 8)
        let a = Telephone.narrowband(zip(agent, noise).map { $0 + $1 }, sampleRateHz: 16_000)
        let c = Telephone.narrowband(zip(customer, noise.reversed()).map { $0 + $1 }, sampleRateHz: 16_000)
        let options = AnalysisOptions(pitchTrack: true)
        let analysis = try CallAnalyzer.analyze(buffer: AudioBuffer(sampleRateHz: 8_000, channels: [a, c]), options: options)
        let agentPitch = try #require(analysis.channels[0].pitch)
        let customerPitch = try #require(analysis.channels[1].pitch)
        #expect(abs(12 * log2(agentPitch.medianHz / (200 * pow(2, 0.125)))) < 0.3)  // median of a 3-st rise from 200 Hz
        #expect(abs(12 * log2(customerPitch.medianHz / 100)) < 0.1)
        #expect(customerPitch.greeting == nil)  // greeting only on the agent's channel
        // The greeting glides up 3 st over 1.2 s at a constant rate in semitones: the means of its
        // first and last thirds lie 2/3 of the voiced span apart, 2 st; 0.3 st allows for a voiced
        // span a few frames shorter than the glide at its onset and offset ramps.
        let greeting = try #require(agentPitch.greeting)
        #expect(abs(try #require(greeting.riseSemitones) - 2) < 0.3)
        let track = try #require(agentPitch.track)
        #expect(track.hz.count == analysis.channels[0].pitchTrack.frameCount)
        #expect(abs(track.startSeconds - 0.02) < 1e-9)  // centre of the first 40 ms frame
        #expect(analysis.channels[0].pitchTrack.frameCount == analysis.channels[0].contours.frameCount)
    }

    /// Long recordings are decoded in chunks with `contextFrames` (1 s) of context either side,
    /// each chunk with its own silence reference and speaker range. The fixture calls' channels
    /// (40–120 s) decoded in 20 s chunks (in use: 5 minutes) and in one piece, both scored against
    /// Praat's tracks of the same channels (Fixtures/reference/calls): chunking may cost at most
    /// 1 point of gross pitch error and of voicing error.
    @Test func chunkedDecodingMatchesOnePiece() throws {
        var scores = [PitchScores(), PitchScores()]
        for stem in Fixtures.stems(in: "calls") {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            let references = try Fixtures.reference("calls", stem)["channels"] as! [[String: Any]]
            for (c, channel) in buffer.channels.enumerated() {
                let pitch = references[c]["pitch"] as! [String: Any], t = pitch["track"] as! [String: Any]
                let reference = PitchReferenceTests.Reference(startSeconds: t["startSeconds"] as! Double,
                                                              hopSeconds: t["hopSeconds"] as! Double,
                                                              hz: t["hz"] as! [Double], stdevSemitones: 0)
                for (k, chunk) in [1_000_000, 2_000].enumerated() {
                    let fe = ChannelFrontEnd(sampleRateHz: buffer.sampleRateHz)
                    let tracker = PitchTracker(timeBase: fe.timeBase, fftSize: fe.fftSize, settings: .standard,
                                               measurePlans: false, expectedFrames: 0, chunkFrames: chunk)
                    fe.frameObservers.append(tracker)
                    fe.consume(channel)
                    let frames = fe.finish().frameCount
                    let track = tracker.track!
                    #expect(track.frameCount == frames)
                    scores[k].merge(PitchReferenceTests.compare(track, reference))
                }
            }
        }
        print("pitch on the calls vs Praat, one piece: \(scores[0]); 20 s chunks: \(scores[1])")
        #expect(scores[1].grossErrorRatio <= scores[0].grossErrorRatio + 0.01)
        #expect(scores[1].voicingErrorRatio <= scores[0].voicingErrorRatio + 0.01)
    }
}
