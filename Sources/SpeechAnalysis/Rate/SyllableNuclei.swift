import DSP
import Foundation

/// Syllable nuclei of one channel: peaks of a vowel-weighted loudness envelope inside speech.
///
/// Method, after de Jong & Wempe (2009), "Praat script to detect syllable nuclei and measure
/// speech rate automatically", Behavior Research Methods 41(2):385–390: a nucleus is a peak of
/// the envelope above (99th percentile − 25 dB), separated from the previous nucleus by a dip of
/// at least `minimumDipDB`. Improvements:
/// - The envelope is not the broadband intensity but the sub-band spectral correlation of
///   Wang & Narayanan (2007), "Robust speaking rate estimation using broad phonetic class
///   recognition", IEEE TASLP 15(8):2190–2201, §II-B: per frame, the mean pairwise product of
///   the `topBandCount` strongest band energies, here of the mel bands covering 454–1579 Hz
///   (the F1/low-F2 region where vowels carry their energy). Fricatives and bursts, which are
///   strong in only one or two high bands, and nasals/laterals, weak above 500 Hz, dip deeply;
///   vowels, strong in several bands at once, peak. The band choice also makes the envelope
///   the same at 8 kHz telephone rate and at wideband rates.
/// - The envelope (as a level, dB) is smoothed with a Gaussian (`smoothingSeconds`) before
///   peak picking, and peaks closer than `minimumNucleusSpacingSeconds` merge into the larger.
/// - Deviation: no separate voicing check (de Jong & Wempe require Praat's pitch to be voiced);
///   the vowel-band envelope stands in for it.
///
/// The envelope is computed per frame by the front end from the quantised 0.5 dB mel band
/// levels, one table look-up per band and one log per frame, and kept to 0.5 dB like them
/// (`ChannelContours.vowelEnvelopeCodes`).
public enum SyllableNuclei {
    /// Mel bands of `AnalysisBands` used for the envelope: 454–1579 Hz (bands 2…9).
    static let bands = 2..<10
    /// Strongest bands correlated per frame (Wang & Narayanan 2007 select the top M = 4 or 5).
    static let topBandCount = 4

    /// Times (seconds, frame centres) of the nuclei inside `speech`, ascending. Memory: no
    /// array per frame; the smoothed envelope is computed where it is read.
    public static func detect(_ contours: ChannelContours, speech: [Segment],
                              settings: RateSettings = .standard) -> [Double] {
        let n = contours.frameCount
        guard n > 2, !speech.isEmpty else { return [] }
        let timeBase = contours.timeBase
        let hop = timeBase.hopSeconds
        let inside = FrameRuns.runs(of: speech, timeBase: timeBase, frameCount: n)
        let envelope = SmoothedEnvelope(contours, sigmaFrames: settings.smoothingSeconds / hop)

        // Threshold relative to the 99th percentile of the envelope in speech (0.1 dB histogram).
        var histogram = DecibelHistogram()
        for r in inside { for i in r { histogram.add(envelope[i]) } }
        guard let p99 = histogram.percentile(99) else { return [] }
        let threshold = p99 - Float(settings.thresholdBelowPercentile99DB)
        let dip = Float(settings.minimumDipDB)
        let minSpacing = max(1, Int((settings.minimumNucleusSpacingSeconds / hop).rounded()))

        // Peak picking with the dip criterion: a local maximum becomes a new nucleus when the
        // envelope fell at least `dip` below both it and the previous nucleus in between;
        // otherwise the larger of the two stands for the syllable.
        var nuclei: [Int] = [], levels: [Float] = []
        var runningMin = Float.infinity  // lowest envelope since the last nucleus
        var speechFrames = RunCursor(inside)
        var previous = envelope[0], v = envelope[1]
        for i in 1..<(n - 1) {
            let next = envelope[i + 1]
            defer { previous = v; v = next }
            if v < runningMin { runningMin = v }
            guard v >= previous, v > next, v > threshold, speechFrames.contains(i) else { continue }
            if let lastLevel = levels.last {
                if lastLevel - runningMin >= dip, v - runningMin >= dip, i - nuclei[nuclei.count - 1] >= minSpacing {
                    nuclei.append(i); levels.append(v)
                    runningMin = v
                } else if v > lastLevel {
                    nuclei[nuclei.count - 1] = i; levels[levels.count - 1] = v
                    runningMin = v
                }
            } else {
                nuclei.append(i); levels.append(v)
                runningMin = v
            }
        }
        return nuclei.map { timeBase.seconds(ofFrame: $0) }
    }

    /// Band-correlation envelope of one frame in dB: half the dB of the mean pairwise product of
    /// the top bands' powers, i.e. their geometric-mean level (Wang & Narayanan 2007, eq. (2)).
    /// Computed by the front end for every frame (`ChannelContours.vowelEnvelopeCodes`).
    @inline(__always) static func envelopeDB(bandCodes codes: UnsafePointer<UInt8>, powerOfCode table: UnsafePointer<Float>) -> Float {
        var top = (Float(0), Float(0), Float(0), Float(0))
        for b in bands {
            let p = table[Int(codes[b])]
            // Insert p into the descending top-4.
            if p > top.3 {
                if p > top.0 { top = (p, top.0, top.1, top.2) }
                else if p > top.1 { top = (top.0, p, top.1, top.2) }
                else if p > top.2 { top = (top.0, top.1, p, top.2) }
                else { top.3 = p }
            }
        }
        let sum = top.0 + top.1 + top.2 + top.3
        let sumSquares = top.0 * top.0 + top.1 * top.1 + top.2 * top.2 + top.3 * top.3
        let pairCount = Float(topBandCount * (topBandCount - 1))
        let meanProduct = (sum * sum - sumSquares) / pairCount
        return 0.5 * Decibels.fastFromPower(max(meanProduct, 1e-30))
    }

    /// The vowel-band envelope (dB), Gaussian-smoothed (kernel truncated at ±3σ, edges
    /// renormalised), read frame by frame from the contours' codes.
    struct SmoothedEnvelope {
        let codes: [UInt8]
        let kernel: [Float]
        let radius: Int
        let dBOfCode: [Float]

        init(_ contours: ChannelContours, sigmaFrames: Double) {
            codes = contours.vowelEnvelopeCodes
            radius = max(1, Int((3 * sigmaFrames).rounded(.up)))
            kernel = (-radius...radius).map { Float(exp(-0.5 * Double($0 * $0) / (sigmaFrames * sigmaFrames))) }
            dBOfCode = (0..<256).map { ChannelContours.dB(forCode: UInt8($0)) }
        }

        subscript(i: Int) -> Float {
            let lo = max(0, i - radius), hi = min(codes.count - 1, i + radius)
            var s: Float = 0, w: Float = 0
            for j in lo...hi { let kj = kernel[j - i + radius]; s += kj * dBOfCode[Int(codes[j])]; w += kj }
            return s / w
        }
    }
}
