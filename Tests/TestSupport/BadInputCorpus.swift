import CSndFile
import DSP
import Foundation

/// Broken and hostile recordings, generated on the fly (nothing big is committed): valid files
/// of every format cut at many offsets, header bytes flipped, WAV headers patched with absurd
/// rates, channel counts and chunk sizes, pathological sample values, files that are not audio,
/// and special files. Each case says what VoiceQA must do with it.
public enum BadInputCorpus {
    /// What a case must give: a report (possibly with warnings), a one-line refusal, or either.
    public enum Expectation: Sendable, Equatable {
        case report, refusal, either
    }

    public struct Case: Sendable, CustomStringConvertible {
        public var name: String
        public var path: String
        public var expectation: Expectation
        public var description: String { name }
        public init(name: String, path: String, expectation: Expectation) {
            self.name = name; self.path = path; self.expectation = expectation
        }
    }

    /// One second, two channels: a synthetic vowel on channel 0 (0.1–0.45 s), then on channel 1
    /// (0.55–0.9 s), over a −60 dBFS noise floor, so truncated files still carry speech and
    /// every stage of the analysis runs.
    public static func speechLike(sampleRateHz: Double = 8000, channelCount: Int = 2) -> AudioBuffer {
        let n = Int(sampleRateHz)
        var channels: [[Float]] = []
        for c in 0..<channelCount {
            var x = Synth.whiteNoise(durationSeconds: 1, sampleRateHz: sampleRateHz, rms: 0.001, seed: UInt64(7 + c))
            let vowel = VoiceSynth.voiced(durationSeconds: 0.35, sampleRateHz: sampleRateHz,
                                          f0Hz: { 200 - 60 * Double(c) + 40 * $0 },
                                          formants: c == 0 ? VoiceSynth.vowelA : VoiceSynth.vowelU, rms: 0.1, seed: UInt64(c + 1))
            Synth.mix(&x, vowel, at: Int((c % 2 == 0 ? 0.1 : 0.55) * sampleRateHz))
            channels.append(Array(x.prefix(n)))
        }
        return AudioBuffer(sampleRateHz: sampleRateHz, channels: channels)
    }

    /// A valid file of `format` (mono for mono-only encodings), or nil when this libsndfile cannot
    /// write it.
    public static func validFile(_ format: TestAudioWriter.Format, in dir: URL) throws -> String? {
        let channels = format.monoOnly ? 1 : 2
        guard TestAudioWriter.canWrite(format, sampleRateHz: 8000, channelCount: channels) else { return nil }
        let name = format.name.lowercased().replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: ".", with: "")
        let path = dir.appendingPathComponent("valid-\(name).\(format.fileExtension)").path
        try TestAudioWriter.write(speechLike(channelCount: channels), to: path, format: format)
        return path
    }

    /// Cuts of `path`: every byte offset in the first 64 (headers), a few around typical header
    /// sizes, then fractions of the file and one byte short of the end.
    public static func truncations(of path: String, in dir: URL) throws -> [Case] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let size = data.count
        var cuts = Set(Array(1...64) + [72, 80, 96, 128, 200, 256, 512, 1024, 2048, 4096])
        for fraction in [0.1, 0.25, 0.5, 0.75, 0.9, 0.99] { cuts.insert(Int(Double(size) * fraction)) }
        cuts.insert(size - 1)
        let base = URL(fileURLWithPath: path)
        return try cuts.filter { $0 > 0 && $0 < size }.sorted().map { cut in
            let out = dir.appendingPathComponent("cut\(cut)-\(base.lastPathComponent)").path
            try data.prefix(cut).write(to: URL(fileURLWithPath: out))
            return Case(name: "\(base.lastPathComponent) cut at \(cut) of \(size) bytes", path: out, expectation: .either)
        }
    }

    /// `count` copies of `path`, each with one byte in the first 128 replaced by a random value.
    public static func headerFlips(of path: String, in dir: URL, count: Int, seed: UInt64) throws -> [Case] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var rng = SeededRandom(seed: seed)
        let base = URL(fileURLWithPath: path)
        return try (0..<count).map { k in
            var bytes = [UInt8](data)
            let at = Int.random(in: 0..<min(128, bytes.count), using: &rng)
            bytes[at] ^= UInt8.random(in: 1...255, using: &rng)
            let out = dir.appendingPathComponent("flip\(k)-\(base.lastPathComponent)").path
            try Data(bytes).write(to: URL(fileURLWithPath: out))
            return Case(name: "\(base.lastPathComponent) byte \(at) changed", path: out, expectation: .either)
        }
    }

    // MARK: - WAV header patches

    /// Byte offset of the body of the first chunk `id` in a RIFF/WAVE file.
    public static func wavChunkBody(_ bytes: [UInt8], _ id: String) -> Int? {
        let tag = Array(id.utf8)
        var at = 12
        while at + 8 <= bytes.count {
            let size = Int(UInt32(bytes[at + 4]) | UInt32(bytes[at + 5]) << 8 | UInt32(bytes[at + 6]) << 16 | UInt32(bytes[at + 7]) << 24)
            if Array(bytes[at..<at + 4]) == tag { return at + 8 }
            at += 8 + size + (size & 1)
        }
        return nil
    }

    public static func put<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
    }

    /// A PCM16 stereo WAV with one header field set to an absurd value each.
    public static func wavHeaderPatches(in dir: URL) throws -> [Case] {
        let good = dir.appendingPathComponent("patch-base.wav").path
        try TestAudioWriter.write(speechLike(), to: good, format: TestAudioWriter.formats[0])
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        guard let fmt = wavChunkBody(original, "fmt "), let data = wavChunkBody(original, "data") else {
            throw TestAudioWriter.WriteError(description: "no fmt/data chunk in libsndfile's WAV")
        }
        // (name, expectation, patch)
        let patches: [(String, Expectation, (inout [UInt8]) -> Void)] = [
            ("sample rate 0", .refusal, { put(UInt32(0), into: &$0, at: fmt + 4) }),
            ("sample rate 1", .refusal, { put(UInt32(1), into: &$0, at: fmt + 4) }),
            ("sample rate 10^9", .refusal, { put(UInt32(1_000_000_000), into: &$0, at: fmt + 4) }),
            ("sample rate 2^32-1", .refusal, { put(UInt32.max, into: &$0, at: fmt + 4) }),
            ("sample rate 3999", .refusal, { put(UInt32(3999), into: &$0, at: fmt + 4) }),
            ("channels 0", .refusal, { put(UInt16(0), into: &$0, at: fmt + 2) }),
            ("channels 1024", .refusal, { put(UInt16(1024), into: &$0, at: fmt + 2) }),
            ("channels 1024, block align to match", .refusal, {
                put(UInt16(1024), into: &$0, at: fmt + 2); put(UInt16(2048), into: &$0, at: fmt + 12)
            }),
            ("channels 65535", .refusal, { put(UInt16.max, into: &$0, at: fmt + 2) }),
            ("data chunk claims 4 GB", .either, { put(UInt32(0xFFFF_FFF0), into: &$0, at: data - 4) }),
            ("data chunk claims 2 GB", .either, { put(UInt32(0x7FFF_FFFF), into: &$0, at: data - 4) }),
            ("data chunk size 0", .either, { put(UInt32(0), into: &$0, at: data - 4) }),
            ("RIFF size 4 GB", .either, { put(UInt32.max, into: &$0, at: 4) }),
            ("RIFF size 0", .either, { put(UInt32(0), into: &$0, at: 4) }),
            ("fmt chunk claims 4 GB", .either, { put(UInt32.max, into: &$0, at: fmt - 4) }),
            ("bits per sample 0", .either, { put(UInt16(0), into: &$0, at: fmt + 14) }),
            ("bits per sample 7", .either, { put(UInt16(7), into: &$0, at: fmt + 14) }),
            ("bits per sample 65535", .either, { put(UInt16.max, into: &$0, at: fmt + 14) }),
            ("block align 0", .either, { put(UInt16(0), into: &$0, at: fmt + 12) }),
            ("byte rate 0", .either, { put(UInt32(0), into: &$0, at: fmt + 8) }),
            ("format tag unknown", .either, { put(UInt16(0x1234), into: &$0, at: fmt) }),
            ("format tag IEEE float on 16-bit data", .either, { put(UInt16(3), into: &$0, at: fmt) }),
            ("format tag extensible without extension", .either, { put(UInt16(0xFFFE), into: &$0, at: fmt) }),
        ]
        return try patches.enumerated().map { k, patch in
            var bytes = original
            patch.2(&bytes)
            let out = dir.appendingPathComponent("patch\(k).wav").path
            try Data(bytes).write(to: URL(fileURLWithPath: out))
            return Case(name: "WAV \(patch.0)", path: out, expectation: patch.1)
        }
    }

    // MARK: - Sample values

    /// Files whose header is fine but whose samples are pathological. All must give a report.
    public static func sampleValueCases(in dir: URL) throws -> [Case] {
        let rate = 8000.0, n = 8000
        let float = TestAudioWriter.formats.first { $0.name == "WAV float" }!
        let pcm16 = TestAudioWriter.formats[0]
        func square(_ f: Double) -> [Float] { (0..<n).map { sin(2 * .pi * f * Double($0) / rate) >= 0 ? 1 : -1 } }
        var rng = SeededRandom(seed: 99)
        let cases: [(String, [[Float]], TestAudioWriter.Format, Expectation)] = [
            ("all NaN", [[Float](repeating: .nan, count: n)], float, .report),
            ("all +Inf and -Inf", [(0..<n).map { $0 % 2 == 0 ? .infinity : -.infinity }], float, .report),
            ("NaN in one channel", [[Float](repeating: .nan, count: n), speechLike().channels[1]], float, .report),
            ("every 7th sample NaN", [speechLike().channels[0].enumerated().map { $0.offset % 7 == 0 ? .nan : $0.element }], float, .report),
            ("denormals", [(0..<n).map { Float.leastNonzeroMagnitude * Float($0 % 50) }], float, .report),
            ("largest finite floats", [(0..<n).map { $0 % 2 == 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }], float, .report),
            ("floats far above full scale", [speechLike().channels[0].map { $0 * 1e30 }], float, .report),
            ("DC at full scale", [[Float](repeating: 1, count: n), [Float](repeating: -1, count: n)], pcm16, .report),
            ("DC at half scale", [[Float](repeating: 0.5, count: n)], pcm16, .report),
            ("full-scale square 100 Hz", [square(100), square(100)], pcm16, .report),
            ("full-scale square 1 kHz", [square(1000)], pcm16, .report),
            ("full-scale white noise", [(0..<n).map { _ in Float.random(in: -1...1, using: &rng) }], pcm16, .report),
            ("digital silence", [[Float](repeating: 0, count: n), [Float](repeating: 0, count: n)], pcm16, .report),
            ("one impulse", [(0..<n).map { $0 == n / 2 ? 1 : 0 }], pcm16, .report),
            ("1 sample", [[0.5]], pcm16, .refusal),
            ("1 sample, stereo", [[0.5], [-0.5]], pcm16, .refusal),
            ("319 samples (one short of a frame)", [Array(speechLike().channels[0].prefix(319))], pcm16, .refusal),
            ("320 samples (one frame)", [Array(speechLike().channels[0].prefix(320))], pcm16, .report),
        ]
        var out = try cases.enumerated().map { k, c in
            let path = dir.appendingPathComponent("samples\(k).wav").path
            try TestAudioWriter.write(AudioBuffer(sampleRateHz: rate, channels: c.1), to: path, format: c.2)
            return Case(name: c.0, path: path, expectation: c.3)
        }
        for rateHz in [4000.0, 384_000.0] {
            let path = dir.appendingPathComponent("rate\(Int(rateHz)).wav").path
            let x = Synth.sine(frequencyHz: 200, durationSeconds: 0.3, sampleRateHz: rateHz)
            try TestAudioWriter.write(AudioBuffer(sampleRateHz: rateHz, channels: [x, x]), to: path, format: pcm16)
            out.append(Case(name: "sample rate \(Int(rateHz)) Hz", path: path, expectation: .report))
        }
        return out
    }

    // MARK: - Not audio, special files

    /// Text, images, executables' and archives' magic numbers, random bytes, and lone container
    /// signatures, under audio extensions. All must be refused.
    public static func notAudio(in dir: URL) throws -> [Case] {
        var rng = SeededRandom(seed: 5)
        let random = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + [0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0] + Array(random.prefix(200))
        let contents: [(String, String, [UInt8])] = [
            ("text", "wav", Array("RIFF is a container format. This file is plain text, not audio.\n".utf8)),
            ("text", "mp3", Array(String(repeating: "hello world\n", count: 100).utf8)),
            ("PNG image", "wav", png),
            ("PNG image", "flac", png),
            ("JPEG image", "mp3", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + Array(random.prefix(500))),
            ("ELF executable header", "wav", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(random.prefix(300))),
            ("ZIP archive", "ogg", [0x50, 0x4B, 0x03, 0x04] + Array(random.prefix(300))),
            ("PDF", "au", Array("%PDF-1.7\n".utf8) + Array(random.prefix(300))),
            ("random bytes", "wav", random),
            ("random bytes", "mp3", random),
            ("zeros", "wav", [UInt8](repeating: 0, count: 4096)),
            ("0xFF bytes", "mp3", [UInt8](repeating: 0xFF, count: 4096)),
            ("RIFF/WAVE signature only", "wav", Array("RIFF".utf8) + [36, 0, 0, 0] + Array("WAVE".utf8)),
            ("fLaC signature only", "flac", Array("fLaC".utf8)),
            ("OggS signature and junk", "ogg", Array("OggS".utf8) + Array(random.prefix(200))),
            ("ID3 tag only", "mp3", Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 10] + [UInt8](repeating: 0, count: 10)),
            ("FORM/AIFF signature only", "aiff", Array("FORM".utf8) + [0, 0, 0, 4] + Array("AIFF".utf8)),
            ("MP4 ftyp box", "m4a", [0, 0, 0, 0x20] + Array("ftypM4A ".utf8) + [UInt8](repeating: 0, count: 100)),
            ("WebM EBML header", "webm", [0x1A, 0x45, 0xDF, 0xA3] + [UInt8](repeating: 0, count: 100)),
            ("one byte", "wav", [0x52]),
        ]
        return try contents.enumerated().map { k, c in
            let path = dir.appendingPathComponent("notaudio\(k).\(c.1)").path
            try Data(c.2).write(to: URL(fileURLWithPath: path))
            return Case(name: "\(c.0) named .\(c.1)", path: path, expectation: .refusal)
        }
    }

    /// A FIFO, a symbolic-link loop, a dangling link, a directory and an empty file, all named
    /// like audio. All must be refused without blocking.
    public static func specialFiles(in dir: URL) throws -> [Case] {
        let fm = FileManager.default
        func p(_ name: String) -> String { dir.appendingPathComponent(name).path }
        guard mkfifo(p("fifo.wav"), 0o644) == 0 else { throw TestAudioWriter.WriteError(description: "mkfifo failed") }
        try fm.createSymbolicLink(atPath: p("loop-a.wav"), withDestinationPath: p("loop-b.wav"))
        try fm.createSymbolicLink(atPath: p("loop-b.wav"), withDestinationPath: p("loop-a.wav"))
        try fm.createSymbolicLink(atPath: p("dangling.wav"), withDestinationPath: p("nowhere.wav"))
        try fm.createDirectory(atPath: p("folder.wav"), withIntermediateDirectories: false)
        _ = fm.createFile(atPath: p("empty.wav"), contents: Data())
        return [("FIFO", "fifo.wav"), ("symbolic link loop", "loop-a.wav"), ("dangling symbolic link", "dangling.wav"),
                ("directory", "folder.wav"), ("empty file", "empty.wav"), ("missing file", "missing.wav")]
            .map { Case(name: $0.0, path: p($0.1), expectation: .refusal) }
    }
}
