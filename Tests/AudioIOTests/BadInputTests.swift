import AudioIO
import DSP
import Foundation
import Testing
import TestSupport

/// Broken or hostile inputs give a precise `AudioIOError` naming the file, never a crash.
final class BadInputTests {
    let dir: URL
    init() throws { dir = try TestAudioWriter.temporaryDirectory() }
    deinit { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @Test func missingFile() {
        let p = path("nope.wav")
        #expect(throws: AudioIOError.fileNotFound(path: p)) { try AudioFileReader(path: p) }
    }

    @Test func directory() {
        #expect(throws: AudioIOError.isDirectory(path: dir.path)) { try AudioFileReader(path: dir.path) }
    }

    @Test func emptyFile() throws {
        let p = path("empty.wav")
        FileManager.default.createFile(atPath: p, contents: Data())
        #expect(throws: AudioIOError.emptyFile(path: p)) { try AudioFileReader(path: p) }
    }

    @Test func textWithAudioExtension() throws {
        let p = path("notes.wav")
        try "This is not audio at all, just some text.\n".write(toFile: p, atomically: true, encoding: .utf8)
        do {
            _ = try AudioFileReader(path: p)
            Issue.record("text file was accepted")
        } catch let AudioIOError.cannotOpen(errorPath, reason) {
            #expect(errorPath == p)
            #expect(!reason.isEmpty)
        }
    }

    @Test func mp4IsNamedAndConversionSuggested() throws {
        let p = path("call.m4a")
        var bytes: [UInt8] = [0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x4D, 0x34, 0x41, 0x20]
        bytes += [UInt8](repeating: 0, count: 100)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        #expect(throws: AudioIOError.unsupportedContainer(path: p, container: "MP4/M4A (AAC)")) { try AudioFileReader(path: p) }
        #expect(AudioIOError.unsupportedContainer(path: p, container: "MP4/M4A (AAC)").description.contains("convert"))
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let p = path("pipe.wav")
        #expect(mkfifo(p, 0o644) == 0)
        #expect(throws: AudioIOError.notSpecialFile(path: p, kind: "FIFO (named pipe)")) { try AudioFileReader(path: p) }
    }

    @Test func symlinkLoop() throws {
        let a = path("a.wav"), b = path("b.wav")
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        #expect(throws: AudioIOError.cannotOpen(path: a, reason: "symbolic link loop")) { try AudioFileReader(path: a) }
    }

    @Test func truncatedHeadersNeverCrash() throws {
        let good = path("good.wav")
        let tone = Synth.sine(frequencyHz: 440, durationSeconds: 0.5, sampleRateHz: 8000)
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, channels: [tone, tone]), to: good,
                                  format: TestAudioWriter.formats[0])
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        // Every cut inside the 44-byte header, then a few inside the data.
        for cut in Array(1..<48) + [100, 1000, 4000] {
            let p = path("cut\(cut).wav")
            try data.prefix(cut).write(to: URL(fileURLWithPath: p))
            do {
                let decoded = try AudioFileReader.readAll(path: p)
                #expect(decoded.channelCount == 2)        // a cut in the data decodes what is there
            } catch let error as AudioIOError {
                #expect(error.description.hasPrefix(p))    // one line naming the file
            }
        }
    }

    @Test func zeroLengthAudio() throws {
        let p = path("zero.wav")
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, channels: [[]]), to: p, format: TestAudioWriter.formats[0])
        #expect(throws: AudioIOError.noAudio(path: p)) { try AudioFileReader.readAll(path: p) }
    }

    @Test func nonFiniteFloatSamplesAreZeroedAndCounted() throws {
        let p = path("nan.wav")
        var x = Synth.sine(frequencyHz: 440, durationSeconds: 0.2, sampleRateHz: 8000)
        x[10] = .nan; x[20] = .infinity; x[30] = -.infinity
        let floatFormat = TestAudioWriter.formats.first { $0.name == "WAV float" }!
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, mono: x), to: p, format: floatFormat)
        let reader = try AudioFileReader(path: p)
        while try reader.readBlock() > 0 {}
        #expect(reader.nonFiniteSampleCount == 3)
    }

    @Test func absurdDeclaredSampleRate() throws {
        let good = path("rate.wav")
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: 8000, mono: Synth.silence(durationSeconds: 0.1, sampleRateHz: 8000)),
                                  to: good, format: TestAudioWriter.formats[0])
        var data = try Data(contentsOf: URL(fileURLWithPath: good))
        for rate: UInt32 in [0, 1, 1_000_000_000] {
            withUnsafeBytes(of: rate.littleEndian) { data.replaceSubrange(24..<28, with: $0) }   // fmt chunk: sample rate
            let p = path("rate\(rate).wav")
            try data.write(to: URL(fileURLWithPath: p))
            do {
                _ = try AudioFileReader(path: p)
                Issue.record("sample rate \(rate) accepted")
            } catch let error as AudioIOError {
                #expect(error.description.hasPrefix(p))
            }
        }
    }
}
