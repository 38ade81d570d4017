import DSP
import Testing

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
