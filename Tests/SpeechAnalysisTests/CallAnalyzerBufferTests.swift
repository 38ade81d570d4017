@testable import CallAnalysis
import Foundation
import SpeechAnalysis
import DSP
import Testing
import TestSupport

/// In-memory analysis feeds the channels block by block, as from a file.
struct CallAnalyzerBufferTests {
    /// `AudioBuffer.channels` is mutable, so channels can end up of unequal length: each is
    /// analysed to its own end (frames: (samples − window) / hop + 1), never a crash.
    @Test func channelsOfUnequalLengthAreEachAnalysedToTheirEnd() throws {
        let rate = 8_000.0
        let long = Synth.whiteNoise(durationSeconds: 3, sampleRateHz: rate, rms: 0.05, seed: 1)
        var buffer = AudioBuffer(sampleRateHz: rate, channels: [long, long])
        buffer.channels[1] = Array(long.prefix(long.count - 10_000))
        let analysis = try CallAnalyzer.analyze(buffer: buffer)
        let hop = 80, window = 320
        #expect(analysis.channels[0].contours.frameCount == (long.count - window) / hop + 1)
        #expect(analysis.channels[1].contours.frameCount == (long.count - 10_000 - window) / hop + 1)
        #expect(analysis.channels[1].pitchTrack.frameCount == analysis.channels[1].contours.frameCount)
    }

    /// Calls over 10 minutes are analysed in pieces while they stream: speech activity finishes
    /// its run rules at quiet stretches, and tells the syllable tracker, the noise floor and the
    /// tone keeper (ring-back, holds) which frames are final. A 75 s call with ring-back, a music
    /// hold, a long silence and speech on both sides, decided in 3.4 s chunks and finished from
    /// its 5th second on, against the same call in one piece: every measure of the report is the
    /// same.
    @Test func streamedPiecesChangeNothing() throws {
        let rate = CallBuilder.rateHz
        let u = CallBuilder.levelledUtterances
        var b = CallBuilder()
        // Ring-back on the customer's line (China: 450 Hz, 1 s on, 4 s off), three cycles.
        var ring = [Float](repeating: 0, count: Int(15 * rate))
        for cycle in 0..<3 {
            for i in 0..<Int(rate) {
                let t = Double(i) / rate
                ring[Int((0.5 + 5 * Double(cycle)) * rate) + i] = Float(0.05 * sin(2 * .pi * 450 * t))
            }
        }
        CallBuilder.add(&b.customer, ring, at: 0)
        var t = b.place(u[0], onAgent: true, speechStart: 15.5) + 0.4
        t = b.place(u[1], onAgent: false, speechStart: t) + 0.5
        t = b.place(u[2], onAgent: true, speechStart: t) + 0.5
        // A music hold on the agent's line, then a silence of 12 s, then both talk again.
        CallBuilder.add(&b.agent, Synth.musicOnHold(durationSeconds: 15, sampleRateHz: rate, seed: 5), at: Int(t * rate))
        t += 15.5
        t = b.place(u[3], onAgent: true, speechStart: t) + 12
        t = b.place(u[4], onAgent: false, speechStart: t) + 0.4
        b.place(u[0], onAgent: true, speechStart: t)
        let buffer = b.buffer()

        let whole = try CallAnalyzer.analyze(buffer: buffer, options: .standard)
        let streamed = try CallAnalyzer.analyze(buffer: buffer, options: .standard,
                                                streamTest: .init(activityChunkFrames: 340, finishActivityAfterFrames: 500))
        let conversation = try #require(whole.conversation)
        #expect((conversation.ringCount ?? 0) >= 1 && !(conversation.holds ?? []).isEmpty, "the call must hold rings and a hold")
        #expect(streamed.conversation == whole.conversation)
        for (a, s) in zip(whole.channels, streamed.channels) {
            #expect(a.speech == s.speech)
            #expect(a.rate == s.rate)
            #expect(a.pitch == s.pitch)
            #expect(a.loudness == s.loudness)
        }
        // The streamed path was taken: tone bins were released while the call streamed.
        let tones = streamed.channels[0].contours.tones
        #expect(tones.releasedBefore > 0 && tones.releasedBefore < streamed.channels[0].contours.frameCount)
        let keptFrames = tones.kept.reduce(0) { $0 + $1.bins.count }
        print("tone bins: \(tones.releasedBefore) frames released, \(keptFrames) of them kept")
        let holds = conversation.holds ?? []
        print("streamed vs whole: rings \(conversation.ringCount ?? 0), holds \(holds.map { "\($0.kind) \($0.start)–\($0.end)" }), same report: \(streamed.conversation == whole.conversation)")
    }
}
