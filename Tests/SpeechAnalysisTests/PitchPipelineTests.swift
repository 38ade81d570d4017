import AudioIO
@testable import CallAnalysis
import SpeechAnalysis
import Testing
import TestSupport

/// A call shared with a second thread (`CallAnalyzer.analyze(path:secondThread:)`, `ChannelPipeline`,
/// issue 18) gives the same analysis as on one thread: every front end, pitch tracker and band
/// observer sees the same frames in the same order, and the calls the level meters and the tone
/// keeper receive later change nothing. Compared on real calls, and on a call taken through the
/// long-call path (speech activity deciding and finishing pieces, the tone keeper releasing tone
/// bins, the level meters settling their noise floors, all while the call streams).
struct PitchPipelineTests {
    @Test(arguments: ["devcall2_en_00", "devcall_mixed_03"])
    func secondThreadChangesNothing(stem: String) throws {
        let path = Fixtures.audioPath("calls", stem)
        let serial = try CallAnalyzer.analyze(path: path)
        let piped = try CallAnalyzer.analyze(path: path, secondThread: true)
        expectSame(serial, piped)
    }

    @Test(arguments: ["devcall2_en_00", "devcall3_zh_02", "devcall_mixed_03"])
    func secondThreadChangesNothingOnTheLongCallPath(stem: String) throws {
        let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
        let test = CallAnalyzer.StreamTest(activityChunkFrames: 340, finishActivityAfterFrames: 500)
        let serial = try CallAnalyzer.analyze(buffer: buffer, options: .standard, streamTest: test)
        let piped = try CallAnalyzer.analyze(buffer: buffer, options: .standard, streamTest: test, secondThread: true)
        expectSame(serial, piped)
        // The long-call path was taken: tone bins of both channels were released while the call streamed.
        for channel in piped.channels {
            #expect(channel.contours.tones.releasedBefore > 0)
        }
    }

    private func expectSame(_ serial: CallAnalysis, _ piped: CallAnalysis) {
        #expect(serial.channels.count == piped.channels.count)
        for (a, b) in zip(serial.channels, piped.channels) {
            #expect(a.pitchTrack == b.pitchTrack)
            #expect(a.pitch == b.pitch)
            #expect(a.loudness == b.loudness)
            #expect(a.speech == b.speech)
            #expect(a.rate == b.rate)
            let (ta, tb) = (a.contours.tones, b.contours.tones)
            #expect(ta.releasedBefore == tb.releasedBefore)
            #expect(a.contours.frameCount == b.contours.frameCount)
            #expect((0..<a.contours.frameCount).allSatisfy { ta.bin(frame: $0) == tb.bin(frame: $0) })
        }
        #expect(serial.conversation == piped.conversation)
    }
}
