import CSHA256Blocks

/// SHA-256 (FIPS 180-4, section 6.2), streamed: `update` any number of times, then `finalize`.
/// The one implementation in the project: batch audits key analyses by it (the file's bytes, the
/// settings, the rubric; `Audit`), the coaching page hashes its inline script for the
/// Content-Security-Policy (`Reports`). Checked against the standard's test vectors in ChecksumTests.
///
/// The blocks are compressed with the x86 SHA extensions where the CPU has them (CSHA256Blocks,
/// about 1.5–2 GB/s against about 210 MB/s here for the Swift rounds below): an audit hashes every
/// file before it decides to analyse it, and at 210 MB/s that took 15 % of the CPU of analysing.
public struct SHA256: Sendable {
    /// True when this CPU's SHA extensions compress the blocks.
    public static let usesSHAExtensions = voiceqa_sha256_has_sha_ni() != 0
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)  // §5.3.3
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var bufferedCount = 0
    private var totalByteCount: UInt64 = 0

    private var portable = false

    public init() {}

    /// `portable`: always the Swift rounds (the tests compare the two ways).
    public init(portable: Bool) { self.portable = portable }

    /// §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
    /// (one table, in CSHA256Blocks, for both ways of compressing).
    private static let k = Array(UnsafeBufferPointer(start: voiceqa_sha256_round_constants(), count: 64))

    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var handled = false
        bytes.withContiguousStorageIfAvailable { raw in
            update(UnsafeRawBufferPointer(raw)); handled = true
        }
        if !handled { let copy = Array(bytes); copy.withUnsafeBytes { update($0) } }
    }

    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        guard var p = raw.baseAddress, raw.count > 0 else { return }
        var remaining = raw.count
        totalByteCount &+= UInt64(remaining)
        if bufferedCount > 0 {
            let take = min(64 - bufferedCount, remaining)
            buffer.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: bufferedCount).copyMemory(from: p, byteCount: take) }
            bufferedCount += take; p += take; remaining -= take
            if bufferedCount == 64 {
                let block = buffer
                block.withUnsafeBytes { compress($0.baseAddress!, blockCount: 1) }
                bufferedCount = 0
            }
        }
        if remaining >= 64 {
            let blocks = remaining / 64
            compress(p, blockCount: blocks)
            p += 64 * blocks; remaining -= 64 * blocks
        }
        if remaining > 0 {
            buffer.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: p, byteCount: remaining) }
            bufferedCount = remaining
        }
    }

    /// The digest (32 bytes). Padding as in §5.1.1: a 1 bit, zeros, the length in bits (64-bit big-endian).
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalByteCount &* 8
        var padding: [UInt8] = [0x80]
        let afterOne = (bufferedCount + 1) % 64
        padding += [UInt8](repeating: 0, count: afterOne <= 56 ? 56 - afterOne : 120 - afterOne)
        for shift in stride(from: 56, through: 0, by: -8) { padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        let saved = totalByteCount
        update(padding)
        totalByteCount = saved
        precondition(bufferedCount == 0)
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        return words.flatMap { w in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: w >> UInt32($0)) } }
    }

    /// `blockCount` 64-byte blocks (§6.2.2). One call for many blocks, rotations written out and
    /// no calls inside the rounds: the tests run unoptimised builds, which hash every test file.
    private mutating func compress(_ data: UnsafeRawPointer, blockCount: Int) {
        if Self.usesSHAExtensions && !portable {
            withUnsafeMutableBytes(of: &state) { words in
                voiceqa_sha256_blocks_sha_ni(words.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                             data.assumingMemoryBound(to: UInt8.self), blockCount)
            }
            return
        }
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        Self.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                let bytes = data.assumingMemoryBound(to: UInt8.self)
                for blockIndex in 0..<blockCount {
                    let b = bytes + 64 * blockIndex
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: UnsafeRawPointer(b).loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let x = w[t - 15], y = w[t - 2]
                        let s0 = (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3)      // σ0, (4.6)
                        let s1 = (y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10)    // σ1, (4.7)
                        w[t] = s1 &+ w[t - 7] &+ s0 &+ w[t - 16]
                    }
                    var a = h0, b2 = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    for t in 0..<64 {
                        let bigSigma1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)        // Σ1, (4.5)
                        let t1 = h &+ bigSigma1 &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]                      // Ch, (4.2)
                        let bigSigma0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)       // Σ0, (4.4)
                        let t2 = bigSigma0 &+ ((a & b2) ^ (a & c) ^ (b2 & c))                                  // Maj, (4.3)
                        h = g; g = f; f = e; e = d &+ t1; d = c; c = b2; b2 = a; a = t1 &+ t2
                    }
                    h0 &+= a; h1 &+= b2; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }

    /// Lower-case hex of `bytes`' digest.
    public static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var h = SHA256(); h.update(bytes); return hexString(h.finalize())
    }
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// The digest (32 bytes) of `bytes`.
    public static func digest<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var h = SHA256(); h.update(bytes); return h.finalize()
    }

    public static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(digest.count * 2)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
