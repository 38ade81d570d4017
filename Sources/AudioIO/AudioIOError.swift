/// Why a recording could not be read. Each description is one sentence naming the file.
public enum AudioIOError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case isDirectory(path: String)
    case permissionDenied(path: String)
    case emptyFile(path: String)
    case notSpecialFile(path: String, kind: String)
    /// libsndfile could not open it; `reason` is libsndfile's own message.
    case cannotOpen(path: String, reason: String)
    case unsupportedContainer(path: String, container: String)
    case invalidSampleRate(path: String, sampleRateHz: Int)
    case invalidChannelCount(path: String, channelCount: Int)
    case noAudio(path: String)
    case readFailed(path: String, reason: String)
    case tooLong(path: String, durationSeconds: Double, limitSeconds: Double)

    public var description: String {
        switch self {
        case let .fileNotFound(path): "\(path): no such file"
        case let .isDirectory(path): "\(path): is a directory, not an audio file"
        case let .permissionDenied(path): "\(path): permission denied"
        case let .emptyFile(path): "\(path): the file is empty (0 bytes)"
        case let .notSpecialFile(path, kind): "\(path): is a \(kind), not a regular audio file"
        case let .cannotOpen(path, reason): "\(path): cannot be decoded: \(reason)"
        case let .unsupportedContainer(path, container):
            "\(path): \(container) is not a format libsndfile reads; convert it first, e.g. `ffmpeg -i \(path) out.wav`"
        case let .invalidSampleRate(path, rate): "\(path): declared sample rate \(rate) Hz is not usable (need 4000…384000 Hz)"
        case let .invalidChannelCount(path, n): "\(path): declared channel count \(n) is not usable (need 1…64)"
        case let .noAudio(path): "\(path): contains no audio samples"
        case let .readFailed(path, reason): "\(path): decoding failed part-way: \(reason)"
        case let .tooLong(path, seconds, limit):
            "\(path): declares \(String(format: "%.0f", seconds)) s of audio, over the \(String(format: "%g", limit)) s limit (raise it with --max-duration)"
        }
    }
}
