import AudioIO
import CallAnalysis
import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Length limits (the memory budget), the per-file time limit, and regressions the fuzzer and the
/// corpus found in the level meter.
final class ResourceLimitTests {
    let dir: URL
    init() throws { dir = try TestAudioWriter.temporaryDirectory() }
    deinit { try? FileManager.default.removeItem(at: dir) }

    /// A WAV header declaring 4 GB of 8 kHz mono PCM16 (74.6 h), in a sparse file of that size
    /// (no disk used): refused before any sample is decoded, naming the declared length.
    @Test func declaredLengthOverTheLimitIsRefusedUpFront() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("huge.wav").path
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, mono: [0, 0]), to: path, format: TestAudioWriter.formats[0])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let data = try #require(BadInputCorpus.wavChunkBody(bytes, "data"))
        let dataBytes: UInt32 = 0xFFFF_FFF0
        BadInputCorpus.put(dataBytes, into: &bytes, at: data - 4)
        BadInputCorpus.put(UInt32.max, into: &bytes, at: 4)          // RIFF size: as large as it goes
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(truncate(path, off_t(data) + off_t(dataBytes)) == 0)
        let declaredSeconds = Double(dataBytes / 2) / 8000            // 268 435 s
        #expect(throws: AudioIOError.tooLong(path: path, durationSeconds: declaredSeconds, limitSeconds: 8 * 3600)) {
            try CallAnalyzer.analyze(path: path)
        }
    }

    /// The same limit applies whatever the channel count: memory is per analysed channel (at most
    /// two) and per second, so a 2-s, 8-channel file passes a 3-s limit and fails a 1-s one.
    @Test func limitIsInSecondsWhateverTheChannelCount() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("eight.wav").path
        let tone = Synth.sine(frequencyHz: 300, durationSeconds: 2, sampleRateHz: 8000)
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, channels: Array(repeating: tone, count: 8)), to: path,
                                  format: TestAudioWriter.formats[0])
        var options = AnalysisOptions(channelPair: [0, 7], maxDurationSeconds: 3)
        #expect(try CallAnalyzer.analyze(path: path, options: options).audio.durationSeconds == 2)
        options.maxDurationSeconds = 1
        #expect(throws: AudioIOError.tooLong(path: path, durationSeconds: 2, limitSeconds: 1)) {
            try CallAnalyzer.analyze(path: path, options: options)
        }
    }

    /// A header that does not declare its length (FLAC with total samples 0 = unknown) is stopped
    /// by the decoded length instead: 3 s of audio against a 1-s limit.
    @Test func undeclaredLengthIsStoppedWhileDecoding() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("unknown-length.flac").path
        let tone = Synth.sine(frequencyHz: 300, durationSeconds: 3, sampleRateHz: 8000)
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, mono: tone), to: path,
                                  format: TestAudioWriter.formats.first { $0.name == "FLAC" }!)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // STREAMINFO (FLAC format spec): "fLaC", 4-byte block header, then 18 bytes of sizes/rate/
        // channels/bits; total samples are the low 4 bits of byte 21 and bytes 22…25.
        #expect(Array(bytes[0..<4]) == Array("fLaC".utf8))
        bytes[21] &= 0xF0
        for i in 22...25 { bytes[i] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try AudioFileReader(path: path).info.declaredFrameCount == 0)
        do {
            _ = try CallAnalyzer.analyze(path: path, options: AnalysisOptions(maxDurationSeconds: 1))
            Issue.record("3 s decoded past a 1 s limit")
        } catch let AudioIOError.tooLong(errorPath, seconds, limit) {
            #expect(errorPath == path && limit == 1)
            #expect(seconds > 1 && seconds <= 1 + 4096.0 / 8000)        // stopped within one 4096-frame block
        }
        // Without the limit the whole 3 s are analysed.
        #expect(try CallAnalyzer.analyze(path: path).audio.durationSeconds == 3)
    }

    /// A non-finite or enormous limit must not trap converting seconds to frames.
    @Test func absurdLimitsDoNotTrap() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("short.wav").path
        try TestAudioWriter.write(BadInputCorpus.speechLike(), to: path, format: TestAudioWriter.formats[0])
        for limit in [Double.infinity, .greatestFiniteMagnitude, 1e300] {
            #expect(try CallAnalyzer.analyze(path: path, options: AnalysisOptions(maxDurationSeconds: limit)).audio.durationSeconds == 1)
        }
        #expect(throws: AudioIOError.self) { try CallAnalyzer.analyze(path: path, options: AnalysisOptions(maxDurationSeconds: .nan)) }
    }

    /// The analyzer stops itself between blocks once the time limit has passed.
    @Test func timeLimitStopsTheAnalysis() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("timed.wav").path
        try TestAudioWriter.write(BadInputCorpus.speechLike(), to: path, format: TestAudioWriter.formats[0])
        #expect(throws: AnalysisError.timedOut(path: path, limitSeconds: 0)) {
            try CallAnalyzer.analyze(path: path, timeLimitSeconds: 0)
        }
        #expect(AnalysisError.timedOut(path: path, limitSeconds: 2.5).description.hasPrefix(path + ": "))
        #expect(try CallAnalyzer.analyze(path: path, timeLimitSeconds: 600).audio.durationSeconds == 1)
    }

    /// A truncated Ogg Opus stream has no final granule position (libsndfile reports SF_COUNT_MAX
    /// frames): it is decoded up to the cut, not refused as 10^15 s long. (A cut Ogg Vorbis file
    /// decodes to nothing in libsndfile 1.2.0, and in ffmpeg 5.1: refused as "no audio samples".)
    @Test func truncatedOggIsDecodedNotRefused() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let opus = try #require(TestAudioWriter.formats.first { $0.name == "Ogg Opus" })
        let valid = try #require(try BadInputCorpus.validFile(opus, in: dir))
        let data = try Data(contentsOf: URL(fileURLWithPath: valid))
        let cut = dir.appendingPathComponent("cut.opus").path
        try data.prefix(data.count * 9 / 10).write(to: URL(fileURLWithPath: cut))
        let analysis = try CallAnalyzer.analyze(path: cut)
        // 90 % of the bytes of a 1-s file: most of the second, never more than all of it.
        #expect(analysis.audio.durationSeconds > 0.5 && analysis.audio.durationSeconds <= 1.0)
    }

    /// Fuzzer finding (Fuzz/regressions/truepeak-tail-overread.mp3): a channel whose length is
    /// 1…5 samples past a multiple of 1024 made the true-peak meter read past its buffer at the end
    /// (heap over-read under ASan; silently read garbage otherwise). A lone impulse of 0.5 in the
    /// last samples must give exactly −6.02 dBFS sample peak and true peak (an isolated impulse's
    /// interpolated neighbours are sinc values below the impulse).
    @Test(arguments: [1025, 1027, 1029, 2053, 3077, 1024 * 40 + 5])
    func truePeakAtTheVeryEnd(sampleCount: Int) {
        var x = [Float](repeating: 0, count: sampleCount)
        x[sampleCount - 2] = 0.5
        let meter = ChannelLevelMeter(sampleRateHz: 8000)
        meter.consume(x)
        let loudness = meter.finish(speechSegments: [])
        let expectedDB = 20 * log10(0.5)
        #expect(abs((loudness.samplePeakDBFS ?? 0) - expectedDB) < 0.01)
        #expect(abs((loudness.truePeakDBTP ?? 0) - expectedDB) < 0.01)
    }

    /// Corpus finding: float samples of ±3.4e38 overflowed Float mean squares to +Inf and trapped
    /// converting the noise-floor level to a histogram bin. They are now clamped to ±1000 (+60 dBFS)
    /// at the decoder and counted in a warning.
    @Test func hugeFloatSamplesAreClampedWithAWarning() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("huge-floats.wav").path
        let x = BadInputCorpus.speechLike().channels[0].map { $0 * 1e36 }
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, mono: x), to: path,
                                  format: TestAudioWriter.formats.first { $0.name == "WAV float" }!)
        let analysis = try CallAnalyzer.analyze(path: path)
        #expect(analysis.warnings.contains { $0.contains("clamped") })
        // Clamped samples sit at +60 dBFS: the sample peak is exactly that.
        #expect(abs((analysis.channels[0].loudness?.samplePeakDBFS ?? 0) - 60) < 0.01)
        #expect(AudioFileReader.sanitized(.nan) == 0 && AudioFileReader.sanitized(-.infinity) == 0)
        #expect(AudioFileReader.sanitized(-5e20) == -1000 && AudioFileReader.sanitized(1e-35) == 0)
        #expect(AudioFileReader.sanitized(0.25) == 0.25)
    }
}
