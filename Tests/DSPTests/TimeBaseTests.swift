import DSP
import Testing
import TestSupport

@Test func frameTimeIsWindowCentre() {
    let tb = TimeBase(sampleRateHz: 8000, hopSamples: 80, windowSamples: 320)
    #expect(abs(tb.seconds(ofFrame: 0) - 0.02) < 1e-12)
    #expect(abs(tb.seconds(ofFrame: 10) - 0.12) < 1e-12)
    #expect(tb.frame(nearest: 0.12) == 10)
    #expect(tb.frameCount(sampleCount: 8000) == 97)   // (8000 − 320) / 80 + 1
}

@Test func goodFFTSizesAreSmooth() {
    #expect(RealFFT.goodSize(atLeast: 481) == 486)   // 2·3⁵
    #expect(RealFFT.goodSize(atLeast: 512) == 512)
}

@Test func fastSizesPreferPowersOfTwo() {
    #expect(RealFFT.fastSize(atLeast: 481) == 512)
    #expect(RealFFT.fastSize(atLeast: 1324) == 1350)   // 2048 would be 52 % larger
}

@Test(arguments: [1, 7, 8, 9, 63, 230, 1025])
func vectorMaximumMatchesScalar(count: Int) {
    var rng = SeededRandom(seed: UInt64(count))
    for _ in 0..<20 {
        let x = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
        let scalarMax = x.max()!, scalarIndex = x.firstIndex(of: scalarMax)!
        x.withUnsafeBufferPointer {
            #expect(VectorMath.maximum($0.baseAddress!, count: count) == scalarMax)
            #expect(VectorMath.indexOfMaximum($0.baseAddress!, count: count) == scalarIndex)
        }
    }
}
