@testable import CallAnalysis
import SpeechAnalysis
import Testing
import TestSupport

/// Pitch on a second thread (`CallAnalyzer.analyze(path:pitchOnSecondThread:)`, issue 18) sees the
/// same frames in the same order as pitch on the stream's own thread: the tracks and the pitch
/// measures of every channel are exactly the same, on a real call, with no change elsewhere.
struct PitchPipelineTests {
    @Test(arguments: ["devcall2_en_00", "devcall_mixed_03"])
    func secondThreadChangesNothing(stem: String) throws {
        let path = Fixtures.audioPath("calls", stem)
        let serial = try CallAnalyzer.analyze(path: path)
        let piped = try CallAnalyzer.analyze(path: path, pitchOnSecondThread: true)
        #expect(serial.channels.count == piped.channels.count)
        for (a, b) in zip(serial.channels, piped.channels) {
            #expect(a.pitchTrack == b.pitchTrack)
            #expect(a.pitch == b.pitch)
            #expect(a.loudness == b.loudness)
            #expect(a.speech.segments == b.speech.segments)
        }
    }
}
