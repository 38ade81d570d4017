import AudioIO
import DSP
import Foundation
import Testing
import TestSupport

/// Every container/codec libsndfile writes here is decoded back with the right rate, channel
/// count, length and content. Content is checked by the level of a 1 kHz-ish test tone: lossy
/// codecs keep a tone's level within a dB, lossless ones exactly.
struct DecodeFormatsTests {
    static let formats = TestAudioWriter.formats

    @Test(arguments: formats)
    func decodesStereoEightKilohertz(format: TestAudioWriter.Format) throws {
        let rate = 8000
        let channels = format.monoOnly ? 1 : 2
        try roundTrip(format: format, sampleRateHz: rate, channelCount: channels)
    }

    @Test(arguments: [16000, 22050, 44100, 48000])
    func decodesOtherRates(sampleRateHz: Int) throws {
        for format in Self.formats where ["WAV PCM16", "FLAC", "Ogg Vorbis", "MP3"].contains(format.name) {
            guard TestAudioWriter.canWrite(format, sampleRateHz: sampleRateHz, channelCount: 2) else { continue }
            try roundTrip(format: format, sampleRateHz: sampleRateHz, channelCount: 2)
        }
    }

    @Test(arguments: [1, 3, 4, 6, 8])
    func decodesManyChannels(channelCount: Int) throws {
        let format = Self.formats[0]
        try roundTrip(format: format, sampleRateHz: 16000, channelCount: channelCount)
    }

    func roundTrip(format: TestAudioWriter.Format, sampleRateHz: Int, channelCount: Int) throws {
        guard TestAudioWriter.canWrite(format, sampleRateHz: sampleRateHz, channelCount: channelCount) else {
            Issue.record("libsndfile cannot write \(format.name) at \(sampleRateHz) Hz × \(channelCount)")
            return
        }
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seconds = 1.5
        // Channel c carries a tone at (500 + 250c) Hz with amplitude 0.3/(c+1): distinguishable channels.
        let tones = (0..<channelCount).map { c in
            Synth.sine(frequencyHz: 500 + 250 * Double(c), durationSeconds: seconds,
                       sampleRateHz: Double(sampleRateHz), amplitude: 0.3 / Double(c + 1))
        }
        let path = dir.appendingPathComponent("t.\(format.fileExtension)").path
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: Double(sampleRateHz), channels: tones), to: path, format: format)

        let decoded = try AudioFileReader.readAll(path: path)
        #expect(Int(decoded.sampleRateHz) == sampleRateHz)
        #expect(decoded.channelCount == channelCount)
        // Length: codecs pad to their block or frame size (ADPCM, MP3, Opus pre-skip); 0.1 s covers them.
        #expect(abs(decoded.durationSeconds - seconds) < 0.1, "\(format.name): \(decoded.durationSeconds) s")
        let lossy = ["Vorbis", "Opus", "MP3", "GSM", "ADPCM"].contains { format.name.contains($0) }
        let companded = ["mu-law", "A-law"].contains { format.name.contains($0) }
        for c in 0..<channelCount {
            // RMS of the middle second, away from codec start-up and padding.
            let mid = Array(decoded.channels[c][(sampleRateHz / 4)..<(sampleRateHz * 5 / 4)])
            let expected = 0.3 / Double(c + 1) / 2.squareRoot()
            let errorDB = 20 * log10(Synth.rms(mid) / expected)
            // PCM/FLAC: 0.01 dB (quantisation only); G.711's 8-bit companding: 0.3 dB;
            // lossy codecs at low rates: 1.5 dB on a steady tone.
            let toleranceDB = lossy ? 1.5 : companded ? 0.3 : 0.01
            #expect(abs(errorDB) < toleranceDB, "\(format.name) channel \(c): \(errorDB) dB")
        }
    }
}
