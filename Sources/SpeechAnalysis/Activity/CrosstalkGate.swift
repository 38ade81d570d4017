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

    /// Per frame of `channel`: true where its speech evidence is leakage of `other`.
    func leakage(of channel: SpeechActivityDetector.Evidence, from other: SpeechActivityDetector.Evidence) -> [Bool] {
        let n = min(channel.raw.count, other.raw.count), bands = AnalysisBands.count
        var result = [Bool](repeating: false, count: channel.raw.count)
        let activeCodes = Int((2 * bandActiveDB).rounded())
        channel.contours.bandLevelCodes.withUnsafeBufferPointer { a in
            other.contours.bandLevelCodes.withUnsafeBufferPointer { b in
                channel.floorCodes.withUnsafeBufferPointer { fa in
                    other.floorCodes.withUnsafeBufferPointer { fb in
                        for i in 0..<n where channel.raw[i] && other.score[i] > bandActiveDB {
                            var count = 0
                            var sum: Float = 0, sumSquares: Float = 0
                            for k in (i * bands)..<((i + 1) * bands) {
                                guard Int(a[k]) - Int(fa[k]) >= activeCodes, Int(b[k]) - Int(fb[k]) >= activeCodes else { continue }
                                let d = 0.5 * (Float(a[k]) - Float(b[k]))
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
