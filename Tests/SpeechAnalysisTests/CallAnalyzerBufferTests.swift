import CallAnalysis
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
}
