import CSndFile
import DSP
import Foundation

/// What the header of a recording says.
public struct AudioFileInfo: Sendable, Equatable {
    public var path: String
    /// Container and encoding as libsndfile names them, e.g. "WAV (Microsoft) / U-Law".
    public var formatName: String
    public var sampleRateHz: Int
    public var channelCount: Int
    /// Frames (samples per channel) the header declares; may be padded (ADPCM) or approximate (MP3);
    /// 0 when the header does not say (a truncated Ogg stream: libsndfile reports SF_COUNT_MAX).
    public var declaredFrameCount: Int
    public var declaredDurationSeconds: Double { Double(declaredFrameCount) / Double(sampleRateHz) }
}

/// Streams a recording through libsndfile in fixed blocks, deinterleaved into per-channel
/// buffers that are reused for every block: memory does not grow with file length.
///
/// One reader per task (libsndfile handles are not shared between threads).
public final class AudioFileReader {
    public let info: AudioFileInfo
    public let blockFrames: Int
    private var handle: OpaquePointer?
    private var interleaved: [Float]
    /// One buffer per channel, `blockFrames` long; valid up to the count `readBlock` returns.
    public private(set) var channelBlocks: [[Float]]
    public private(set) var framesRead = 0
    /// Whether the file's samples are integers (PCM, G.711, ADPCM, GSM): libsndfile scales them
    /// into −1…1 and none is NaN, infinite, beyond `sampleLimit` or below `flushBelow` (the
    /// smallest non-zero one is 2^−31), so `readBlock` only deinterleaves them.
    let integerSamples: Bool

    public init(path: String, blockFrames: Int = 4096) throws {
        try Self.checkPath(path)
        var sfInfo = SF_INFO()
        guard let h = sf_open(path, Int32(SFM_READ), &sfInfo) else {
            let message = String(cString: sf_strerror(nil))
            throw Self.classifyOpenFailure(path: path, message: message)
        }
        let rate = Int(sfInfo.samplerate), channels = Int(sfInfo.channels)
        guard (4000...384_000).contains(rate) else {
            sf_close(h); throw AudioIOError.invalidSampleRate(path: path, sampleRateHz: rate)
        }
        guard (1...64).contains(channels) else {
            sf_close(h); throw AudioIOError.invalidChannelCount(path: path, channelCount: channels)
        }
        handle = h
        info = AudioFileInfo(path: path, formatName: Self.formatName(sfInfo.format), sampleRateHz: rate,
                             channelCount: channels, declaredFrameCount: Self.declaredFrames(sfInfo.frames))
        self.blockFrames = blockFrames
        integerSamples = Self.integerSubtypes.contains(sfInfo.format & Int32(SF_FORMAT_SUBMASK))
        interleaved = [Float](repeating: 0, count: blockFrames * channels)
        channelBlocks = [[Float]](repeating: [Float](repeating: 0, count: blockFrames), count: channels)
    }

    deinit { if let handle { sf_close(handle) } }

    /// Reads the next block into `channelBlocks`; returns the number of frames read (0 at the end).
    /// Non-finite samples (NaN, ±Inf in float files) are replaced by 0 and counted.
    public private(set) var nonFiniteSampleCount = 0
    /// Float samples beyond ±`sampleLimit`, clamped to it and counted.
    public private(set) var clampedSampleCount = 0

    /// Largest sample magnitude passed on: +60 dBFS. Float files may exceed full scale (1.0) a
    /// little; values far beyond it are broken data, and would overflow Float sums of squares and
    /// power spectra downstream (found by the bad-input corpus: 3.4e38 samples gave +Inf levels).
    public static let sampleLimit: Float = 1000
    /// Magnitudes below this (−600 dBFS, far under any converter's noise) become 0, so IIR filter
    /// states never go denormal (denormal arithmetic is ~100× slower on x86).
    public static let flushBelow: Float = 1e-30

    /// `v` as the analysis receives it: NaN/±Inf → 0, clamped to ±`sampleLimit`, tiny values → 0.
    @inline(__always)
    public static func sanitized(_ v: Float) -> Float {
        let m = abs(v)
        if m <= sampleLimit { return m < flushBelow ? 0 : v }
        return v.isNaN || v.isInfinite ? 0 : (v > 0 ? sampleLimit : -sampleLimit)
    }

    public func readBlock() throws -> Int {
        guard let handle else { return 0 }
        let channels = info.channelCount
        let got = interleaved.withUnsafeMutableBufferPointer { buffer in
            Int(sf_readf_float(handle, buffer.baseAddress, sf_count_t(blockFrames)))
        }
        if got <= 0 {
            let code = sf_error(handle)
            if code != 0 && framesRead == 0 {
                throw AudioIOError.readFailed(path: info.path, reason: String(cString: sf_strerror(handle)))
            }
            return 0
        }
        if integerSamples {
            interleaved.withUnsafeBufferPointer { source in
                for c in 0..<channels {
                    channelBlocks[c].withUnsafeMutableBufferPointer { destination in
                        var j = c
                        for i in 0..<got {
                            destination[i] = source[j]
                            j += channels
                        }
                    }
                }
            }
            framesRead += got
            return got
        }
        var bad = 0, clamped = 0
        let limit = Self.sampleLimit, tiny = Self.flushBelow
        interleaved.withUnsafeBufferPointer { source in
            for c in 0..<channels {
                channelBlocks[c].withUnsafeMutableBufferPointer { destination in
                    var j = c
                    for i in 0..<got {
                        let v = source[j]
                        let m = abs(v)
                        if m <= limit {
                            destination[i] = m < tiny ? 0 : v
                        } else if v.isFinite {
                            destination[i] = v > 0 ? limit : -limit; clamped += 1
                        } else {
                            destination[i] = 0; bad += 1
                        }
                        j += channels
                    }
                }
            }
        }
        nonFiniteSampleCount += bad
        clampedSampleCount += clamped
        framesRead += got
        return got
    }

    /// Subtypes whose samples are integers of at most 32 bits.
    static let integerSubtypes: Set<Int32> = Set([
        SF_FORMAT_PCM_S8, SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_32, SF_FORMAT_PCM_U8,
        SF_FORMAT_ULAW, SF_FORMAT_ALAW, SF_FORMAT_IMA_ADPCM, SF_FORMAT_MS_ADPCM, SF_FORMAT_GSM610,
    ].map { Int32($0) })

    /// Decodes the whole file into memory (tests and short clips).
    public static func readAll(path: String) throws -> AudioBuffer {
        let reader = try AudioFileReader(path: path)
        var channels = [[Float]](repeating: [], count: reader.info.channelCount)
        while true {
            let n = try reader.readBlock()
            if n == 0 { break }
            for c in 0..<channels.count { channels[c].append(contentsOf: reader.channelBlocks[c][0..<n]) }
        }
        guard !channels[0].isEmpty else { throw AudioIOError.noAudio(path: path) }
        return AudioBuffer(sampleRateHz: Double(reader.info.sampleRateHz), channels: channels)
    }

    /// libsndfile's frame count, with "unknown" (negative, or SF_COUNT_MAX for an Ogg stream whose
    /// last page is missing) as 0, so a cut recording is decoded, not refused as absurdly long.
    static func declaredFrames(_ frames: sf_count_t) -> Int {
        frames < 0 || frames == sf_count_t.max ? 0 : Int(frames)
    }

    // MARK: - Errors before libsndfile sees the file

    static func checkPath(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == EACCES { throw AudioIOError.permissionDenied(path: path) }
            if errno == ELOOP { throw AudioIOError.cannotOpen(path: path, reason: "symbolic link loop") }
            throw AudioIOError.fileNotFound(path: path)
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: throw AudioIOError.isDirectory(path: path)
        case S_IFREG: break
        case S_IFIFO: throw AudioIOError.notSpecialFile(path: path, kind: "FIFO (named pipe)")
        case S_IFCHR, S_IFBLK: throw AudioIOError.notSpecialFile(path: path, kind: "device")
        case S_IFSOCK: throw AudioIOError.notSpecialFile(path: path, kind: "socket")
        default: throw AudioIOError.notSpecialFile(path: path, kind: "special file")
        }
        guard access(path, R_OK) == 0 else { throw AudioIOError.permissionDenied(path: path) }
        if st.st_size == 0 { throw AudioIOError.emptyFile(path: path) }
    }

    static func classifyOpenFailure(path: String, message: String) -> AudioIOError {
        // Sniff containers libsndfile does not read, to suggest a conversion.
        if let fh = FileHandle(forReadingAtPath: path) {
            defer { try? fh.close() }
            let head = (try? fh.read(upToCount: 16)) ?? Data()
            let bytes = [UInt8](head)
            if bytes.count >= 8, bytes[4...7] == [0x66, 0x74, 0x79, 0x70] {   // "ftyp": MP4/M4A/3GP
                return .unsupportedContainer(path: path, container: "MP4/M4A (AAC)")
            }
            if bytes.count >= 4, bytes[0...3] == [0x1A, 0x45, 0xDF, 0xA3] {   // EBML: WebM/Matroska
                return .unsupportedContainer(path: path, container: "WebM/Matroska")
            }
        }
        // libsndfile's MPEG reader says "not a regular file (possibly a pipe?)" for a too-short or
        // garbled MP3; checkPath has already shown the file is regular, so say what is meant.
        if message.contains("possibly a pipe") {
            return .cannotOpen(path: path, reason: "not recognised as audio (too short or malformed)")
        }
        return .cannotOpen(path: path, reason: message)
    }

    static func formatName(_ format: Int32) -> String {
        var major = SF_FORMAT_INFO(), sub = SF_FORMAT_INFO()
        major.format = format & Int32(SF_FORMAT_TYPEMASK)
        sub.format = format & Int32(SF_FORMAT_SUBMASK)
        let size = Int32(MemoryLayout<SF_FORMAT_INFO>.size)
        sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &major, size)
        sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &sub, size)
        let majorName = major.name.map { String(cString: $0) } ?? "unknown"
        let subName = sub.name.map { String(cString: $0) } ?? "unknown"
        return "\(majorName) / \(subName)"
    }
}
