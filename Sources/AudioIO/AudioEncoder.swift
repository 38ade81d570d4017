import CSndFile
import Foundation

/// Encodes a recording for a web page's `<audio>` element: the analysed channels mixed to mono
/// (agent and customer equally loud), Ogg Opus at the file's own rate when Opus takes it
/// (8, 12, 16, 24 or 48 kHz), else Ogg Vorbis. libsndfile writes it; the encoded bytes are returned.
///
public enum AudioEncoder {
    public struct Encoded: Sendable {
        public var data: Data
        /// `audio/ogg` (Opus or Vorbis inside; browsers read the codec from the stream).
        public var mimeType: String
    }

    public enum EncoderError: Error, CustomStringConvertible, Sendable {
        case cannotWrite(path: String, reason: String)
        public var description: String {
            switch self {
            case let .cannotWrite(path, reason): "\(path): cannot encode the recording for the page: \(reason)"
            }
        }
    }

    /// Sample rates libsndfile's Opus encoder accepts (RFC 7845 §5.1: the encoder's native rates).
    static let opusRatesHz: Set<Int> = [8000, 12000, 16000, 24000, 48000]
    /// libsndfile compression level, 0 (best quality) … 1 (smallest). libsndfile maps it linearly onto
    /// Opus's bit rate (level 1: about 6 kbit/s); 0.975 gives about 12 kbit/s, where Opus codes
    /// narrowband speech cleanly: 51 kB for the 34.8 s demo call, about 89 kB per minute
    /// (118 kB per minute in a page, as base64). Level 0.9 would be 32 kbit/s for no audible gain on 8 kHz calls.
    public static let compressionLevel = 0.975

    /// - Parameters:
    ///   - channels: file channels to mix (e.g. the agent and customer pair); nil or empty: all channels.
    ///   - maxDurationSeconds: stop after this much audio (the analysis's limit).
    public static func encodeForBrowser(path: String, channels: [Int]? = nil, maxDurationSeconds: Double) throws -> Encoded {
        let reader = try AudioFileReader(path: path)
        let rate = reader.info.sampleRateHz
        let picked = (channels ?? []).filter { $0 < reader.info.channelCount }
        let mix = picked.isEmpty ? Array(0..<reader.info.channelCount) : picked
        let opus = opusRatesHz.contains(rate)
        let format = Int32(SF_FORMAT_OGG) | Int32(opus ? SF_FORMAT_OPUS : SF_FORMAT_VORBIS)
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("voiceqa-embed-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).ogg").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var info = SF_INFO()
        info.samplerate = Int32(rate)
        info.channels = 1
        info.format = format
        guard let out = sf_open(temporary, Int32(SFM_WRITE), &info) else {
            throw EncoderError.cannotWrite(path: path, reason: String(cString: sf_strerror(nil)))
        }
        var level = compressionLevel
        sf_command(out, Int32(SFC_SET_COMPRESSION_LEVEL), &level, Int32(MemoryLayout<Double>.size))
        var mono = [Float](repeating: 0, count: reader.blockFrames)
        let gain = Float(1) / Float(mix.count)
        let limit = Int(maxDurationSeconds * Double(rate))
        var written = 0
        do {
            while written < limit {
                let got = min(try reader.readBlock(), limit - written)
                if got == 0 { break }
                for i in 0..<got {
                    var sum: Float = 0
                    for c in mix { sum += reader.channelBlocks[c][i] }
                    mono[i] = max(-1, min(1, sum * gain))
                }
                let n = mono.withUnsafeBufferPointer { Int(sf_writef_float(out, $0.baseAddress, sf_count_t(got))) }
                guard n == got else { throw EncoderError.cannotWrite(path: path, reason: String(cString: sf_strerror(out))) }
                written += got
            }
        } catch {
            sf_close(out)
            throw error
        }
        guard sf_close(out) == 0 else { throw EncoderError.cannotWrite(path: path, reason: "closing the encoded stream failed") }
        let data = try Data(contentsOf: URL(fileURLWithPath: temporary))
        return Encoded(data: data, mimeType: "audio/ogg")
    }
}
