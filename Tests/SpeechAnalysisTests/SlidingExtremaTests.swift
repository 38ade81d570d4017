import Testing
import TestSupport
@testable import SpeechAnalysis

/// The noise floor's sliding minimum (van Herk / Gil–Werman) against the definition, a minimum
/// over the clamped window, on random data of many lengths around and below the window's.
struct SlidingExtremaTests {
    /// `BandNoiseFloor.slidingMinimum` of unpadded values: pads them with +∞ as the noise floor does.
    static func slidingMinimum(_ x: [Int32], halfWindow h: Int, prefix: inout [Int32], suffix: inout [Int32],
                               into out: inout [Int32]) {
        let padded = [Int32](repeating: .max, count: h) + x + [Int32](repeating: .max, count: h)
        BandNoiseFloor.slidingMinimum(padded: padded, count: x.count, halfWindow: h, prefix: &prefix, suffix: &suffix, into: &out)
    }

    @Test(arguments: [0, 1, 2, 7, 150, 301, 302, 1000, 4321])
    func slidingMinimumIsTheWindowMinimum(count: Int) {
        var random = SeededRandom(seed: UInt64(count + 1))
        let x = (0..<count).map { _ in Int32(random.next() % 2000) - 1000 }
        for h in [0, 1, 3, 150] {
            var prefix = [Int32](repeating: 0, count: count + 2 * h), suffix = prefix
            var out = [Int32](repeating: 0, count: count)
            Self.slidingMinimum(x, halfWindow: h, prefix: &prefix, suffix: &suffix, into: &out)
            for i in 0..<count {
                #expect(out[i] == x[max(0, i - h)...min(count - 1, i + h)].min()!, "n \(count) h \(h) i \(i)")
            }
        }
    }
}
