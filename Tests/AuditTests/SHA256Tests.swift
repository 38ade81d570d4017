import Foundation
import Testing
@testable import Audit

/// SHA-256 against the test vectors of FIPS 180-4's examples (NIST CSRC "SHA256.pdf", "SHA2
/// additional examples") and the streaming contract: any split of the input gives the same digest.
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func standardVectors(message: String, digest: String) {
        #expect(SHA256.hex(message) == digest)
    }

    @Test func oneMillionAsStreamedInOddChunks() {
        var h = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 997)   // a prime: blocks never line up with chunks
        var left = 1_000_000
        while left > 0 { let n = min(left, chunk.count); h.update(chunk[0..<n]); left -= n }
        #expect(SHA256.hexString(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func splitsAgreeAndFileMatches() throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = SHA256.hex(bytes)
        for split in [0, 1, 55, 56, 63, 64, 65, 119, 120, 4999] {
            var h = SHA256(); h.update(bytes[0..<split]); h.update(bytes[split...])
            #expect(SHA256.hexString(h.finalize()) == whole, "split at \(split)")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voiceqa-sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes).write(to: url)
        #expect(try SHA256.hex(ofFileAt: url.path) == whole)
        #expect(throws: AuditError.self) { try SHA256.hex(ofFileAt: url.path + ".missing") }
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
