/// LZ4 block format (lz4/lz4, doc/lz4_Block_format.md): the stored analysis JSON is compressed
/// with it (typically 4–6× smaller: the pitch track and series repeat digits). Written here so
/// the store needs no extra library; any LZ4 block decoder reads the output, given the
/// uncompressed size stored beside it (`analyses.json_bytes`).
public enum LZ4Block {
    static let minMatch = 4, lastLiterals = 5, matchSafeDistance = 12, hashBits = 14

    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2 + 16)
        let n = input.count
        var table = [Int32](repeating: -1, count: 1 << hashBits)
        var anchor = 0, i = 0
        input.withUnsafeBufferPointer { src in
            func read32(_ p: Int) -> UInt32 {
                UInt32(src[p]) | UInt32(src[p + 1]) << 8 | UInt32(src[p + 2]) << 16 | UInt32(src[p + 3]) << 24
            }
            let matchLimit = n - matchSafeDistance
            while i < matchLimit {
                let sequence = read32(i)
                let h = Int((sequence &* 2654435761) >> UInt32(32 - hashBits))
                let candidate = Int(table[h])
                table[h] = Int32(i)
                guard candidate >= 0, i - candidate <= 65535, read32(candidate) == sequence else { i += 1; continue }
                var matchEnd = i + minMatch, from = candidate + minMatch
                while matchEnd < n - lastLiterals && src[matchEnd] == src[from] { matchEnd += 1; from += 1 }
                emit(&out, src, literalsFrom: anchor, to: i, matchLength: matchEnd - i, offset: i - candidate)
                i = matchEnd; anchor = i
            }
            emit(&out, src, literalsFrom: anchor, to: n, matchLength: 0, offset: 0)
        }
        return out
    }

    private static func emit(_ out: inout [UInt8], _ src: UnsafeBufferPointer<UInt8>, literalsFrom start: Int, to end: Int,
                             matchLength: Int, offset: Int) {
        let literalCount = end - start
        let matchCode = matchLength == 0 ? 0 : matchLength - minMatch
        out.append(UInt8(min(literalCount, 15) << 4 | min(matchCode, 15)))
        if literalCount >= 15 { appendLength(&out, literalCount - 15) }
        out.append(contentsOf: src[start..<end])
        guard matchLength > 0 else { return }
        out.append(UInt8(offset & 0xff)); out.append(UInt8(offset >> 8))
        if matchCode >= 15 { appendLength(&out, matchCode - 15) }
    }

    private static func appendLength(_ out: inout [UInt8], _ value: Int) {
        var v = value
        while v >= 255 { out.append(255); v -= 255 }
        out.append(UInt8(v))
    }

    public struct CorruptData: Error, CustomStringConvertible {
        public var description: String { "compressed analysis is damaged (LZ4 block does not decode to its stored size)" }
    }

    public static func decompress(_ input: [UInt8], originalCount: Int) throws -> [UInt8] {
        var out = [UInt8](); out.reserveCapacity(originalCount)
        var p = 0
        func length(_ base: Int) throws -> Int {
            var v = base
            guard base == 15 else { return v }
            while true {
                guard p < input.count else { throw CorruptData() }
                let b = Int(input[p]); p += 1; v += b
                if b != 255 { return v }
            }
        }
        while p < input.count {
            let token = Int(input[p]); p += 1
            let literalCount = try length(token >> 4)
            guard p + literalCount <= input.count else { throw CorruptData() }
            out.append(contentsOf: input[p..<(p + literalCount)]); p += literalCount
            if p == input.count { break }
            guard p + 2 <= input.count else { throw CorruptData() }
            let offset = Int(input[p]) | Int(input[p + 1]) << 8; p += 2
            let matchLength = try length(token & 15) + minMatch
            guard offset > 0, offset <= out.count, out.count + matchLength <= originalCount else { throw CorruptData() }
            let from = out.count - offset
            for k in 0..<matchLength { out.append(out[from + k]) }   // may overlap: byte by byte
        }
        guard out.count == originalCount else { throw CorruptData() }
        return out
    }
}
