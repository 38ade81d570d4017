import CSndFile
import DSP
import Foundation

/// Writes test recordings with libsndfile in any format it can write, so decoding tests need
/// no committed files.
public enum TestAudioWriter {
    public struct Format: Sendable, CustomStringConvertible {
        public var name: String
        public var fileExtension: String
        public var sfFormat: Int32
        public var monoOnly: Bool = false
        public var description: String { name }
    }

    public static let formats: [Format] = [
        Format(name: "WAV PCM16", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)),
        Format(name: "WAV PCM24", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24)),
        Format(name: "WAV PCM32", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_32)),
        Format(name: "WAV float", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)),
        Format(name: "WAV mu-law", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_ULAW)),
        Format(name: "WAV A-law", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_ALAW)),
        Format(name: "WAV GSM 6.10", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_GSM610), monoOnly: true),
        Format(name: "WAV IMA ADPCM", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM)),
        Format(name: "WAV MS ADPCM", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_MS_ADPCM)),
        Format(name: "FLAC", fileExtension: "flac", sfFormat: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)),
        Format(name: "Ogg Vorbis", fileExtension: "ogg", sfFormat: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)),
        Format(name: "Ogg Opus", fileExtension: "opus", sfFormat: Int32(SF_FORMAT_OGG | SF_FORMAT_OPUS)),
        Format(name: "MP3", fileExtension: "mp3", sfFormat: Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)),
        Format(name: "AIFF PCM16", fileExtension: "aiff", sfFormat: Int32(SF_FORMAT_AIFF | SF_FORMAT_PCM_16)),
        Format(name: "CAF mu-law", fileExtension: "caf", sfFormat: Int32(SF_FORMAT_CAF | SF_FORMAT_ULAW)),
        Format(name: "AU PCM16", fileExtension: "au", sfFormat: Int32(SF_FORMAT_AU | SF_FORMAT_PCM_16)),
        Format(name: "RF64 PCM16", fileExtension: "rf64", sfFormat: Int32(SF_FORMAT_RF64 | SF_FORMAT_PCM_16)),
        Format(name: "W64 PCM16", fileExtension: "w64", sfFormat: Int32(SF_FORMAT_W64 | SF_FORMAT_PCM_16)),
    ]

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether this libsndfile can write `format` at this rate and channel count.
    public static func canWrite(_ format: Format, sampleRateHz: Int, channelCount: Int) -> Bool {
        var info = SF_INFO(frames: 0, samplerate: Int32(sampleRateHz), channels: Int32(channelCount),
                           format: format.sfFormat, sections: 0, seekable: 0)
        return sf_format_check(&info) != 0
    }

    /// Writes `buffer` to `path` in `format`.
    public static func write(_ buffer: AudioBuffer, to path: String, format: Format) throws {
        var info = SF_INFO(frames: 0, samplerate: Int32(buffer.sampleRateHz), channels: Int32(buffer.channelCount),
                           format: format.sfFormat, sections: 0, seekable: 0)
        guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw WriteError(description: "cannot write \(format.name): \(String(cString: sf_strerror(nil)))")
        }
        defer { sf_close(handle) }
        let channels = buffer.channelCount, frames = buffer.frameCount
        var interleaved = [Float](repeating: 0, count: frames * channels)
        for c in 0..<channels { for i in 0..<frames { interleaved[i * channels + c] = buffer.channels[c][i] } }
        let written = interleaved.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
        guard written == frames else {
            throw WriteError(description: "wrote \(written) of \(frames) frames as \(format.name)")
        }
    }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voiceqa-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
