import CSndFile
import Foundation

/// A small seed corpus: 0.3 s of a two-tone signal with a pause, in every container and
/// encoding libsndfile writes that VoiceQA reads, mono and stereo, 8 and 16 kHz. Seeds are
/// kept small (a few kB) so libFuzzer mutates the headers, not megabytes of samples.
enum FuzzSeeds {
    static let formats: [(name: String, format: Int32)] = [
        ("wav-pcm16", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)),
        ("wav-float", Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)),
        ("wav-ulaw", Int32(SF_FORMAT_WAV | SF_FORMAT_ULAW)),
        ("wav-alaw", Int32(SF_FORMAT_WAV | SF_FORMAT_ALAW)),
        ("wav-gsm", Int32(SF_FORMAT_WAV | SF_FORMAT_GSM610)),
        ("wav-ima", Int32(SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM)),
        ("wav-msadpcm", Int32(SF_FORMAT_WAV | SF_FORMAT_MS_ADPCM)),
        ("wavex-pcm24", Int32(SF_FORMAT_WAVEX | SF_FORMAT_PCM_24)),
        ("flac", Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)),
        ("ogg-vorbis", Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)),
        ("ogg-opus", Int32(SF_FORMAT_OGG | SF_FORMAT_OPUS)),
        ("mp3", Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)),
        ("aiff", Int32(SF_FORMAT_AIFF | SF_FORMAT_PCM_16)),
        ("caf-ulaw", Int32(SF_FORMAT_CAF | SF_FORMAT_ULAW)),
        ("au", Int32(SF_FORMAT_AU | SF_FORMAT_PCM_16)),
        ("rf64", Int32(SF_FORMAT_RF64 | SF_FORMAT_PCM_16)),
        ("w64", Int32(SF_FORMAT_W64 | SF_FORMAT_PCM_16)),
    ]

    static func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written = 0
        for (name, format) in formats {
            for (rate, channels) in [(8000, 2), (16000, 1)] {
                var info = SF_INFO(frames: 0, samplerate: Int32(rate), channels: Int32(channels), format: format,
                                   sections: 0, seekable: 0)
                guard sf_format_check(&info) != 0 else { continue }
                let path = "\(directory)/\(name)-\(rate)-\(channels)ch"
                guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else { continue }
                let frames = Int(0.3 * Double(rate))
                var samples = [Float](repeating: 0, count: frames * channels)
                for i in 0..<frames where i < frames * 2 / 3 {
                    for c in 0..<channels {
                        let f = c == 0 ? 220.0 : 330.0
                        samples[i * channels + c] = Float(0.4 * sin(2 * .pi * f * Double(i) / Double(rate)))
                    }
                }
                _ = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
                sf_close(handle)
                written += 1
            }
        }
        print("wrote \(written) seeds to \(directory)")
    }
}
