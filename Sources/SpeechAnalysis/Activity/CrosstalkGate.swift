/// Leakage of the other party into a channel (line echo, acoustic or electrical crosstalk),
/// found frame by frame by comparing the two channels' band levels.
///
/// Leakage is the other channel's signal scaled (and, for echo, slightly smeared), so where it
/// is what lifts this channel above its floor, this channel's band levels follow the other's at
/// a constant offset: the level difference is well below zero and nearly the same in every
/// band. Genuine overlapping speech comes from another voice, so its difference varies from
/// band to band by roughly the spectral contrast of speech (≈ 10 dB). A frame of this channel is
/// leakage when, over the bands active in both channels, the mean difference is below
/// −`marginDB` and the spread across bands is under `spreadDB`, or the mean is below
/// −`dominanceDB` whatever the spread (this channel is then far too weak in every shared band
/// to be heard over the other party; echo return loss of lines is ≥ 15–20 dB, ITU-T G.168).
/// This is a simplification of the two-channel energy-ratio crosstalk detectors used for
/// meeting and telephone recordings (e.g. Wrigley, Brown, Wan & Renals 2005, IEEE Trans. Speech
/// Audio Process. 13(1), which also uses cross-channel level differences).
struct CrosstalkGate {
    var marginDB: Float
    /// A band counts as active when it stands this far above its floor, dB.
    var bandActiveDB: Float
    var spreadDB: Float = 4
    var dominanceDB: Float = 15
    var minimumSharedBands = 3
    /// Longest echo delay searched, frames (300 ms at a 10 ms hop: line and acoustic echo paths
    /// of telephone calls are mostly under that; ITU-T G.168 tests echo cancellers to 64–128 ms).
    var maximumLagFrames = 30

    /// The delay (in frames) at which `channel`'s level contour best follows `other`'s: the lag
    /// of the largest Pearson correlation of the two `levelDB` contours over 0…`maximumLagFrames`.
    /// Leakage is a delayed, scaled copy, so it correlates at the echo delay; two independent
    /// talkers taking turns correlate negatively at every lag.
    func echoLagFrames(of channel: ChannelContours, from other: ChannelContours) -> Int {
        let n = min(channel.frameCount, other.frameCount)
        guard n > 4 * maximumLagFrames else { return 0 }
        var best = 0, bestCorrelation = -Double.infinity
        channel.levelDB.withUnsafeBufferPointer { a in
            other.levelDB.withUnsafeBufferPointer { b in
                for lag in 0...maximumLagFrames {
                    var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
                    let count = n - lag
                    for i in lag..<n {
                        let x = Double(max(a[i], -100)), y = Double(max(b[i - lag], -100))
                        sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y
                    }
                    let c = Double(count)
                    let cov = sab / c - sa / c * sb / c
                    let va = saa / c - sa / c * sa / c, vb = sbb / c - sb / c * sb / c
                    let r = va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
                    if r > bestCorrelation { bestCorrelation = r; best = lag }
                }
            }
        }
        return best
    }

    /// Per frame of `channel`: true where its speech evidence is leakage of `other`, compared
    /// at no delay and at the call's echo delay (±1 frame).
    func leakage(of channel: SpeechActivityDetector.Evidence, from other: SpeechActivityDetector.Evidence) -> [Bool] {
        let echoLag = echoLagFrames(of: channel.contours, from: other.contours)
        var result = leakage(of: channel, from: other, lagFrames: 0)
        for lag in Set([echoLag - 1, echoLag, echoLag + 1]) where lag > 0 {
            let delayed = leakage(of: channel, from: other, lagFrames: lag)
            for i in result.indices where delayed[i] { result[i] = true }
        }
        return result
    }

    /// Leakage test of frame i of `channel` against frame i − `lagFrames` of `other`.
    func leakage(of channel: SpeechActivityDetector.Evidence, from other: SpeechActivityDetector.Evidence,
                 lagFrames: Int) -> [Bool] {
        let n = min(channel.raw.count, other.raw.count + lagFrames), bands = AnalysisBands.count
        var result = [Bool](repeating: false, count: channel.raw.count)
        let activeCodes = Int((2 * bandActiveDB).rounded())
        channel.contours.bandLevelCodes.withUnsafeBufferPointer { a in
            other.contours.bandLevelCodes.withUnsafeBufferPointer { b in
                channel.floorCodes.withUnsafeBufferPointer { fa in
                    other.floorCodes.withUnsafeBufferPointer { fb in
                        for i in lagFrames..<max(lagFrames, n) where channel.raw[i] && other.score[i - lagFrames] > bandActiveDB {
                            var count = 0
                            var sum: Float = 0, sumSquares: Float = 0
                            let shift = lagFrames * bands
                            for k in (i * bands)..<((i + 1) * bands) {
                                guard Int(a[k]) - Int(fa[k]) >= activeCodes, Int(b[k - shift]) - Int(fb[k - shift]) >= activeCodes else { continue }
                                let d = 0.5 * (Float(a[k]) - Float(b[k - shift]))
                                sum += d
                                sumSquares += d * d
                                count += 1
                            }
                            guard count >= minimumSharedBands else { continue }
                            let mean = sum / Float(count)
                            let spread = max(0, sumSquares / Float(count) - mean * mean).squareRoot()
                            result[i] = mean < -dominanceDB || (mean < -marginDB && spread < spreadDB)
                        }
                    }
                }
            }
        }
        return result
    }
}
