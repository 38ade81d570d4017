import Foundation
import Testing
@testable import Audit

/// Audit's file digest (`SHA256.hex(ofFileAt:)`, read(2) in 1 MiB blocks) equals the in-memory digest
/// of the same bytes; an unreadable file is an `AuditError`. (The FIPS 180-4 vectors: ChecksumTests.)
struct SHA256FileTests {
    @Test func fileMatchesBytes() throws {
        var rng = SystemRandomNumberGenerator()
        for count in [0, 5000, (1 << 20) + 17] {   // empty, one read, more than one 1 MiB read
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("voiceqa-sha-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(bytes).write(to: url)
            #expect(try SHA256.hex(ofFileAt: url.path) == SHA256.hex(bytes), "\(count) bytes")
        }
        #expect(throws: AuditError.self) { try SHA256.hex(ofFileAt: "/nonexistent/voiceqa-sha.missing") }
    }
}

struct LZ4BlockTests {
    @Test func roundTripsTextRandomAndEdgeSizes() throws {
        var rng = SystemRandomNumberGenerator()
        let text = Array((0..<2000).map { "{\"hz\":[\(Double($0 % 37) * 3.25),0,0,\($0)],\"k\":\"v\"}" }.joined().utf8)
        let random = (0..<20000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let runs = [UInt8](repeating: 7, count: 70000)
        for input in [text, random, runs, [], [1], Array("abcdabcdabcdabcd".utf8)] {
            let packed = LZ4Block.compress(input)
            #expect(try LZ4Block.decompress(packed, originalCount: input.count) == input)
        }
        #expect(LZ4Block.compress(text).count * 4 < text.count)     // repetitive JSON shrinks well
        #expect(throws: LZ4Block.CorruptData.self) { try LZ4Block.decompress(LZ4Block.compress(text).dropLast(3).map { $0 }, originalCount: text.count) }
    }

    /// A block written by the reference implementation (the `lz4` 1.9 command, `-BD`, block taken
    /// from its frame) decodes here: the format is LZ4's, not a lookalike.
    @Test func decodesReferenceBlock() throws {
        let block: [UInt8] = [0x3F, 0x61, 0x62, 0x63, 0x03, 0x00, 0x08, 0x10, 0x21, 0x01, 0x00, 0xFF, 0x06, 0x20, 0x74, 0x68, 0x65,
                              0x20, 0x71, 0x75, 0x69, 0x63, 0x6B, 0x20, 0x62, 0x72, 0x6F, 0x77, 0x6E, 0x20, 0x66, 0x6F, 0x78, 0x2C,
                              0x15, 0x00, 0x12, 0x50, 0x20, 0x66, 0x6F, 0x78, 0x2E]
        let expected = Array("abcabcabcabcabcabcabcabcabcabc!!!!! the quick brown fox, the quick brown fox, the quick brown fox.".utf8)
        #expect(try LZ4Block.decompress(block, originalCount: expected.count) == expected)
    }
}
