import DSP
import Foundation

/// Coefficients of the ITU-R BS.1770-4 K-weighting filter (Annex 1, Tables 1 and 2), derived for
/// any sample rate: a high-frequency shelf (the head's acoustic effect) followed by the RLB
/// high-pass, each a second-order section with a0 = 1.
///
/// BS.1770 tabulates coefficients at 48 kHz only. Here both sections are re-derived from their
/// analog prototypes by the bilinear transform with frequency pre-warping, K = tan(π·f0/fs), using
/// the prototype parameters (f0, gain, Q and the shelf's mid-band exponent) that reproduce the
/// 48 kHz tables, as libebur128 1.2.6 does (`ebur128_init_filter`, J. Kastner; parameters from
/// Raiden's "ITU-R BS.1770-1 filter specifications (unofficial)"). As in the BS.1770 table and in
/// libebur128, the high-pass numerator is left as [1, −2, 1] (not divided by a0): at 48 kHz that is
/// the standard's own filter; at 8 kHz it keeps a 1 kHz tone at −0.69 dB + 0.71 dB ≈ its nominal
/// loudness (−22.98 LUFS for the −23 LUFS Tech 3341 tone), where dividing by a0 would read 0.26 LU low.
public struct KWeighting: Sendable, Equatable {
    /// Shelf section (state zero).
    public let shelf: Biquad
    /// RLB high-pass section (state zero).
    public let highPass: Biquad

    public init(sampleRateHz: Double) {
        precondition(sampleRateHz > 2 * 1681.974450955533, "K-weighting needs a rate above 3.4 kHz")
        // Shelf prototype (libebur128 / Raiden): f0, gain in dB, Q, mid-band exponent.
        let shelfF0Hz = 1681.974450955533, shelfGainDB = 3.999843853973347, shelfQ = 0.7071752369554196
        var k = tan(Double.pi * shelfF0Hz / sampleRateHz)                 // pre-warped bilinear constant
        let vh = pow(10, shelfGainDB / 20), vb = pow(vh, 0.4996667741545416)
        var a0 = 1 + k / shelfQ + k * k
        shelf = Biquad(b0: (vh + vb * k / shelfQ + k * k) / a0, b1: 2 * (k * k - vh) / a0,
                       b2: (vh - vb * k / shelfQ + k * k) / a0, a1: 2 * (k * k - 1) / a0,
                       a2: (1 - k / shelfQ + k * k) / a0)
        // RLB high-pass prototype: f0, Q.
        let highPassF0Hz = 38.13547087602444, highPassQ = 0.5003270373238773
        k = tan(Double.pi * highPassF0Hz / sampleRateHz)
        a0 = 1 + k / highPassQ + k * k
        highPass = Biquad(b0: 1, b1: -2, b2: 1, a1: 2 * (k * k - 1) / a0, a2: (1 - k / highPassQ + k * k) / a0)
    }
}
