import DSP
import Foundation
import Testing
import TestSupport

/// The telephone conversion the pitch tests rely on does what it says.
@Suite struct PitchTelephoneSupportTests {
    static func gainDB(_ frequencyHz: Double) -> Double {
        let x = Synth.sine(frequencyHz: frequencyHz, durationSeconds: 1, sampleRateHz: 8_000)
        let y = Telephone.bandPass(x, sampleRateHz: 8_000)
        let middle = { (v: [Float]) in Array(v[2000..<6000]) }  // away from the edge transients
        return 20 * log10(Synth.rms(middle(y)) / Synth.rms(middle(x)))
    }

    @Test func bandPassShape() {
        // Zero-phase (forward + backward) 4th-order Butterworth edges: −6.02 dB at each edge,
        // ≈ 0 dB mid-band, |H|² of 4th order: 24 dB/octave per pass → −48 dB/octave far out.
        #expect(abs(Self.gainDB(1_000)) < 0.1)
        #expect(abs(Self.gainDB(300) + 6.02) < 0.3)
        #expect(abs(Self.gainDB(3_400) + 6.02) < 0.3)
        #expect(Self.gainDB(100) < -35)  // a 100 Hz fundamental is gone
    }

    @Test func resamplerKeepsInBandSinesAndRemovesAliases() {
        let x = Synth.sine(frequencyHz: 1_000, durationSeconds: 1, sampleRateHz: 22_050)
        let y = Telephone.resample(x, fromHz: 22_050, toHz: 8_000)
        #expect(abs(y.count - 8_000) <= 1)
        let expected = Synth.sine(frequencyHz: 1_000, durationSeconds: 1, sampleRateHz: 8_000)
        var maxError: Float = 0
        for i in 500..<7_500 { maxError = max(maxError, abs(y[i] - expected[i])) }
        #expect(maxError < 0.005)  // Kaiser β = 8 pass band ripple ≪ 1 %
        let alias = Telephone.resample(Synth.sine(frequencyHz: 6_000, durationSeconds: 1, sampleRateHz: 22_050),
                                       fromHz: 22_050, toHz: 8_000)
        #expect(Synth.rms(Array(alias[500..<7_500])) < 0.5 * 0.7071 * 0.001)  // stop band ≥ 60 dB down
    }

    @Test func muLawFollowsG711() {
        #expect(Telephone.muLawEncode(0) == 0xFF)   // G.711: zero encodes as 0xFF (positive zero)
        #expect(Telephone.muLawDecode(0xFF) == 0)
        #expect(Telephone.muLawDecode(0x80) == Float(32124) / 32768)  // largest positive code
        #expect(Telephone.muLawDecode(0x00) == -Float(32124) / 32768)
        // Round trip: error below half a segment step (≤ 2^(exponent+3) of 32768).
        for i in 0..<2000 {
            let x = Float(i - 1000) / 1000 * 0.9
            let y = Telephone.muLawDecode(Telephone.muLawEncode(x))
            #expect(abs(y - x) <= max(2.0 / 32768, abs(x) / 16 + 1e-4))  // ~3 % relative for 4-bit mantissas
        }
    }
}
