import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

struct FrontEndTests {
    /// The fast band-level code agrees with the exact 10·log10 code: identical except within
    /// 0.01 code (0.005 dB) of a rounding boundary, where it may differ by one 0.5 dB step.
    @Test func fastPowerCodeMatchesExactCode() {
        var differing = 0
        for k in 0..<20_000 {
            let dB = -130 + Double(k) * 0.00713
            let p = Float(pow(10, dB / 10))
            let fast = Int(ChannelContours.code(forPower: p)), exact = Int(ChannelContours.code(forDB: Float(dB)))
            #expect(abs(fast - exact) <= 1)
            if fast != exact {
                differing += 1
                let x = (dB + 127.5) * 2
                #expect(abs(x - x.rounded(.down) - 0.5) < 0.02, "differs away from a boundary at \(dB) dB")
            }
        }
        #expect(differing < 200)
    }

    /// A full-scale sine in the analysis band reads −3.01 dB; doubling the amplitude adds 6.02 dB.
    @Test(arguments: [8000.0, 16000.0, 44100.0])
    func sineLevelIsItsRMS(sampleRateHz: Double) {
        for (amplitude, expectedDB) in [(1.0, -3.0103), (0.5, -9.0309), (0.01, -43.0103)] {
            let fe = ChannelFrontEnd(sampleRateHz: sampleRateHz)
            fe.consume(Synth.sine(frequencyHz: 1000, durationSeconds: 0.5, sampleRateHz: sampleRateHz, amplitude: amplitude))
            let c = fe.finish()
            for i in 0..<c.frameCount {
                // 0.05 dB: Hann leakage of a 1 kHz tone stays inside the 250–3800 Hz band.
                #expect(abs(Double(c.levelDB[i]) - expectedDB) < 0.05)
            }
        }
    }

    /// Feeding the same samples in blocks of any size gives the same contours.
    @Test func blockSizeDoesNotMatter() {
        let x = Synth.whiteNoise(durationSeconds: 1, sampleRateHz: 8000, rms: 0.1, seed: 3)
        let whole = ChannelFrontEnd(sampleRateHz: 8000, retainBandLevels: true)
        whole.consume(x)
        let a = whole.finish()
        let pieces = ChannelFrontEnd(sampleRateHz: 8000, retainBandLevels: true)
        var i = 0, step = 1
        while i < x.count { let n = min(step, x.count - i); pieces.consume(Array(x[i..<(i + n)])); i += n; step = step * 3 % 997 + 1 }
        let b = pieces.finish()
        #expect(a.levelDB == b.levelDB)
        #expect(a.bandLevelCodes == b.bandLevelCodes && a.bandLevelCodes.count == 16 * a.frameCount)
        #expect((0..<a.frameCount).map { a.tones.bin(frame: $0) } == (0..<b.frameCount).map { b.tones.bin(frame: $0) })
    }
}
