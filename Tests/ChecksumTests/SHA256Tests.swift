import Checksum
import Testing

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

    @Test func splitsAgree() {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = SHA256.hex(bytes)
        for split in [0, 1, 55, 56, 63, 64, 65, 119, 120, 4999] {
            var h = SHA256(); h.update(bytes[0..<split]); h.update(bytes[split...])
            #expect(SHA256.hexString(h.finalize()) == whole, "split at \(split)")
        }
    }

    /// `digest` is the streamed digest's bytes (the coaching page's CSP hash takes them base64-encoded).
    @Test func digestBytesAreTheHexDigest() {
        #expect(SHA256.hexString(SHA256.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.digest([UInt8]()).count == 32)
    }
}

/// The x86 SHA-extension blocks (CSHA256Blocks) against the Swift rounds, which the vectors above
/// pin: random bytes of every length around the block edges and up to a megabyte, in odd chunks.
struct SHA256ExtensionTests {
    @Test func extensionsAndSwiftRoundsAgree() {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<1_100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var lengths = Array(0...200) + [1000, 4095, 4096, 4097, 65_536 + 17, 1_048_576, 1_100_000]
        lengths += (0..<5).map { _ in Int.random(in: 0...1_100_000, using: &rng) }
        for n in lengths {
            var fast = SHA256(), portable = SHA256(portable: true)
            var offset = 0
            while offset < n {
                let step = min(n - offset, 1 + (offset * 7919) % 300_007)
                fast.update(bytes[offset..<(offset + step)]); portable.update(bytes[offset..<(offset + step)])
                offset += step
            }
            #expect(fast.finalize() == portable.finalize(), "\(n) bytes")
        }
    }

    @Test func portableRoundsMeetTheVectors() {
        var h = SHA256(portable: true)
        h.update(Array("abc".utf8))
        #expect(SHA256.hexString(h.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
