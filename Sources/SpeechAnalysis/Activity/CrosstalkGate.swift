import DSP

/// Leakage of the other party into a channel (line echo, acoustic or electrical crosstalk),
/// found frame by frame by comparing the two channels' band levels.
///
/// Leakage is the other channel's signal scaled (and, for echo, slightly smeared), so where it
/// is what lifts this channel above its floor, this channel's band levels follow the other's at
/// a constant offset: the level difference is well below zero and nearly the same in every
/// band. Genuine overlapping speech comes from another voice, so its difference varies from
/// band to band by roughly the spectral contrast of speech (≈ 10 dB). A frame of this channel is
/// leakage when, over the bands active in both channels, the mean difference is below
/// −`marginDB` and the spread across bands is under `spreadDB`.
///
/// A frame whose mean is below −`dominanceDB` (echo return loss of lines is ≥ 15–20 dB, ITU-T
/// G.168) with a larger spread is this channel's own sound, alone or mixed with leakage: a quiet
/// backchannel under the other party's speech, or a breath mixed with echo. Level alone cannot tell
/// them apart (issue 17: a backchannel 20 dB under the agent's speech sits ~20 dB under the
/// customer's). What does is whether the channel's own sound would have passed the level gates
/// (the absolute floor and the dynamic range under its loudest speech) that the frame passed on
/// its whole level: its own sound is taken as the power outside the shared bands buried
/// ≥ `dominanceDB` under the other party, where leakage is all a listener could hear (the
/// glimpsing account of listening to one talker over another: Cooke 2006, J. Acoust. Soc. Am.
/// 119(3)). A breath 40 dB under the agent's speech, lifted over the dynamic-range gate only by
/// the echo filling its low bands, is leakage; a backchannel, which clears the gates by itself,
/// is not. Where fewer than `minimumSharedBands` bands are active in both channels (the echo of a
/// weak syllable edge or of a narrow-band stretch — a nasal, a low vowel — stands over this
/// channel's floor in only 1–2 bands), the own-sound test is made as above, and a copy in those
/// bands is only a `Verdict.weakCopy`: leakage where the hysteresis holds the frame on in a
/// stretch that leakage started and no sound of the channel's own has yet carried over the
/// onset threshold (`SpeechActivityStream`). On calls with customer echo at −25 dB such frames, a perfect
/// copy in their 1–2 bands (mean −25 dB, spread 0–1 dB at the echo delay), passed undecided and,
/// joined by hangover and bridging, made 0.10–0.15 s agent "backchannels" (issue 17,
/// docs/accuracy.md).
/// This is a simplification of the two-channel energy-ratio crosstalk detectors used for
/// meeting and telephone recordings (e.g. Wrigley, Brown, Wan & Renals 2005, IEEE Trans. Speech
/// Audio Process. 13(1), which also uses cross-channel level differences).
struct CrosstalkGate {
    var marginDB: Float
    /// A band counts as active when it stands this far above its floor, dB.
    var bandActiveDB: Float
    var spreadDB: Float = 4
    /// The other party speaks when its score is over this, dB (the detector's onset threshold).
    var otherSpeechDB: Float = 12
    var dominanceDB: Float = 15
    var minimumSharedBands = 3
    /// Longest echo delay searched, frames (300 ms at a 10 ms hop: line and acoustic echo paths
    /// of telephone calls are mostly under that; ITU-T G.168 tests echo cancellers to 64–128 ms).
    static let maximumLagFrames = 30

    /// What the gate finds of a frame.
    enum Verdict: UInt8 {
        /// No finding: the frame stays as the level gates left it.
        case none = 0
        /// A scaled copy of the other party over only the 1–2 bands the two share (mean difference
        /// below −`marginDB`, spread under `spreadDB`), or no band of its own over its floor while
        /// the other party speaks (score over `otherSpeechDB`): too little to tell leakage from a
        /// chance match, so such a frame is leakage only where the hysteresis holds it on in a
        /// stretch with leakage and no onset of this channel's own (the stream's rule).
        case weakCopy = 1
        /// The other party's leakage.
        case leakage = 2
    }

    /// Per frame `range` (absolute indices) of `channel`: the `Verdict` raw value, the strongest
    /// over the lags compared (no delay and the call's echo delay `echoLagFrames` ± 1 frame).
    func verdicts(of channel: SpeechActivityDetector.WindowEvidence, codes channelCodes: UnsafeBufferPointer<UInt8>,
                  from other: SpeechActivityDetector.WindowEvidence, codes otherCodes: UnsafeBufferPointer<UInt8>,
                  frames range: Range<Int>, echoLagFrames echoLag: Int) -> [UInt8] {
        var result = [UInt8](repeating: Verdict.none.rawValue, count: range.count)
        var lags: Set<Int> = [0]
        for lag in [echoLag - 1, echoLag, echoLag + 1] where lag > 0 { lags.insert(lag) }
        for lag in lags {
            mark(&result, channel, channelCodes, other, otherCodes, range: range, lagFrames: lag)
        }
        return result
    }

    /// Leakage test of frame i of `channel` against frame i − `lagFrames` of `other`.
    private func mark(_ result: inout [UInt8], _ channel: SpeechActivityDetector.WindowEvidence, _ a: UnsafeBufferPointer<UInt8>,
                      _ other: SpeechActivityDetector.WindowEvidence, _ b: UnsafeBufferPointer<UInt8>,
                      range: Range<Int>, lagFrames: Int) {
        let bands = AnalysisBands.count
        let activeCodes = Int((2 * bandActiveDB).rounded())
        let leak = Verdict.leakage.rawValue, weak = Verdict.weakCopy.rawValue
        // Frames i with i − lag inside the other's window and i inside this window's range.
        let first = max(range.lowerBound, lagFrames, other.start + lagFrames)
        let end = min(range.upperBound, other.start + other.count + lagFrames)
        guard first < end else { return }
        let buriedCodes = Int((2 * dominanceDB).rounded())
        channel.floorCodes.withUnsafeBufferPointer { fa in
            other.floorCodes.withUnsafeBufferPointer { fb in
                channel.levelHeadroomDB.withUnsafeBufferPointer { headroom in
                    ChannelContours.powerOfCode.withUnsafeBufferPointer { power in
                        for i in first..<end {
                            let ia = i - channel.start, ib = i - lagFrames - other.start
                            guard channel.raw[ia] && other.score[ib] > bandActiveDB else { continue }
                            var count = 0, ownActive = 0
                            var sum: Float = 0, sumSquares: Float = 0
                            for band in 0..<bands {
                                let ka = ia * bands + band, kb = ib * bands + band
                                guard Int(a[ka]) - Int(fa[ka]) >= activeCodes else { continue }
                                ownActive += 1
                                guard Int(b[kb]) - Int(fb[kb]) >= activeCodes else { continue }
                                let d = 0.5 * (Float(a[ka]) - Float(b[kb]))
                                sum += d
                                sumSquares += d * d
                                count += 1
                            }
                            let k = i - range.lowerBound
                            // Too little for a finding of its own (`Verdict.weakCopy`), and only while the
                            // other party speaks by the onset standard, as any echo of it does: a channel
                            // merely over its continue threshold (noise the floor only partly follows)
                            // matches this one's 1–2 bands by chance.
                            let otherSpeaks = other.score[ib] > otherSpeechDB
                            if ownActive == 0 && otherSpeaks { result[k] = max(result[k], weak) }
                            guard count > 0 else { continue }
                            let mean = sum / Float(count)
                            let spread = max(0, sumSquares / Float(count) - mean * mean).squareRoot()
                            if mean < -marginDB && spread < spreadDB {
                                // A scaled copy of the other party; over fewer than `minimumSharedBands`
                                // bands possibly a chance match (`Verdict.weakCopy`).
                                if count >= minimumSharedBands { result[k] = leak } else if otherSpeaks { result[k] = max(result[k], weak) }
                            }
                            if result[k] == leak { continue }
                            if mean < -dominanceDB {
                                // Far under the other party but not a scaled copy of it: this channel's
                                // own sound, alone or mixed with leakage. Its own sound is the power
                                // outside the shared bands buried ≥ `dominanceDB` under the other party
                                // (in those, leakage is all a listener could hear). The frame passed the
                                // level gates on its whole level; it is leakage if its own sound alone
                                // would not have passed them, i.e. own / total ≤ 10^(−headroom / 10).
                                var own: Float = 0, total: Float = 0
                                for band in 0..<bands {
                                    let ka = ia * bands + band, kb = ib * bands + band
                                    let p = power[Int(a[ka])]
                                    total += p
                                    let shared = Int(a[ka]) - Int(fa[ka]) >= activeCodes && Int(b[kb]) - Int(fb[kb]) >= activeCodes
                                    if !shared || Int(b[kb]) - Int(a[ka]) < buriedCodes { own += p }
                                }
                                if !(own > 0) || Decibels.fromPower(own / total) <= -headroom[ia] { result[k] = leak }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The delay (in frames) at which one channel's level contour best follows the other's: the
/// lag of the largest Pearson correlation of the two `levelDB` contours over
/// 0…`maximumLagFrames`, accumulated frame by frame as the file streams. Leakage is a delayed,
/// scaled copy, so it correlates at the echo delay; two independent talkers taking turns
/// correlate negatively at every lag.
struct EchoLagEstimator {
    let maximumLagFrames: Int
    /// Per lag: Σx, Σy, Σx², Σy², Σxy over frames i ≥ lag (x = this channel at i, y = the other at i − lag).
    private var sums: [Double]
    private(set) var frameCount = 0

    init(maximumLagFrames: Int) {
        self.maximumLagFrames = maximumLagFrames
        sums = [Double](repeating: 0, count: 5 * (maximumLagFrames + 1))
    }

    /// Adds frame `frameIndex`: `x` is this channel's level there; `y[-lag]` the other's level
    /// at frame `frameIndex` − lag, valid for lag ≤ min(frameIndex, maximumLagFrames).
    mutating func add(frameIndex: Int, x level: Float, y: UnsafePointer<Float>) {
        let x = Double(max(level, -100))
        sums.withUnsafeMutableBufferPointer { s in
            for lag in 0...min(frameIndex, maximumLagFrames) {
                let v = Double(max(y[-lag], -100))
                let k = 5 * lag
                s[k] += x; s[k + 1] += v; s[k + 2] += x * x; s[k + 3] += v * v; s[k + 4] += x * v
            }
        }
        frameCount = frameIndex + 1
    }

    /// The lag of the largest correlation so far; 0 with up to 4·`maximumLagFrames` frames.
    var lagFrames: Int {
        let n = frameCount
        guard n > 4 * maximumLagFrames else { return 0 }
        var best = 0, bestCorrelation = -Double.infinity
        for lag in 0...maximumLagFrames {
            let k = 5 * lag, c = Double(n - lag)
            let sa = sums[k], sb = sums[k + 1], saa = sums[k + 2], sbb = sums[k + 3], sab = sums[k + 4]
            let cov = sab / c - sa / c * sb / c
            let va = saa / c - sa / c * sa / c, vb = sbb / c - sb / c * sb / c
            let r = va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
            if r > bestCorrelation { bestCorrelation = r; best = lag }
        }
        return best
    }
}
