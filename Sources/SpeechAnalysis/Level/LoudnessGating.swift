import Foundation

/// Gated loudness from K-weighted energies of consecutive 100 ms sub-blocks.
///
/// - Integrated loudness: ITU-R BS.1770-4, Annex 1 — 400 ms gating blocks with 75 % overlap
///   (one every 100 ms), block loudness l_j = −0.691 + 10·log10(z_j) (eq. 4), absolute gate
///   −70 LUFS, relative gate −10 LU below the loudness of the absolute-gated blocks (eqs. 5–7).
/// - Loudness range: EBU Tech 3342 (v3, 2016) — 3 s short-term windows every 100 ms (the ≥ 10 Hz
///   rate of v3), absolute gate −70 LUFS, relative gate −20 LU below the energy mean of the
///   absolute-gated windows, LRA = 95th − 10th percentile (nearest rank, as libebur128).
enum LoudnessGating {
    static let blocksPerGate = 4                 // 400 ms of 100 ms sub-blocks
    static let blocksPerShortTerm = 30           // 3 s
    static let absoluteGateLUFS = -70.0          // BS.1770-4 Annex 1; Tech 3342
    static let relativeGateLU = -10.0            // BS.1770-4 Annex 1
    static let rangeRelativeGateLU = -20.0       // Tech 3342
    static let rangeLowPercentile = 10.0, rangeHighPercentile = 95.0   // Tech 3342

    @inline(__always) static func loudnessLUFS(meanSquare: Double) -> Double {
        -0.691 + 10 * log10(meanSquare)          // BS.1770-4 eq. (4), one channel, G = 1
    }
    @inline(__always) static func meanSquare(loudnessLUFS: Double) -> Double { pow(10, (loudnessLUFS + 0.691) / 10) }

    /// Calls `body` with the mean square of each window of `width` sub-blocks, one per `step`
    /// sub-blocks (a running sum: no array of windows). `energies[k]` is the sum of squares of
    /// sub-block k (`samplesPerBlock` samples each).
    static func forEachWindow(_ energies: [Float], samplesPerBlock: Int, width: Int, step: Int = 1,
                              _ body: (Double) -> Void) {
        guard energies.count >= width else { return }
        let scale = 1 / Double(width * samplesPerBlock)
        var start = 0
        while start + width <= energies.count {
            var s = 0.0
            for k in start..<(start + width) { s += Double(energies[k]) }
            body(s * scale)
            start += step
        }
    }

    /// Integrated loudness in LUFS; nil when no gating block passes the absolute gate.
    static func integratedLUFS(energies: [Float], samplesPerBlock: Int) -> Double? {
        let absoluteGate = meanSquare(loudnessLUFS: absoluteGateLUFS)
        var passedSum = 0.0, passedCount = 0
        forEachWindow(energies, samplesPerBlock: samplesPerBlock, width: blocksPerGate) { z in
            if z >= absoluteGate { passedSum += z; passedCount += 1 }                          // eq. (5)
        }
        guard passedCount > 0 else { return nil }
        let relativeGate = passedSum / Double(passedCount) * pow(10, relativeGateLU / 10)     // eq. (6)
        var gatedSum = 0.0, gatedCount = 0
        forEachWindow(energies, samplesPerBlock: samplesPerBlock, width: blocksPerGate) { z in
            if z >= absoluteGate && z >= relativeGate { gatedSum += z; gatedCount += 1 }
        }
        return loudnessLUFS(meanSquare: gatedSum / Double(gatedCount))                           // eq. (7)
    }

    /// Loudness range in LU; nil when fewer than two short-term windows pass the gates.
    static func loudnessRangeLU(energies: [Float], samplesPerBlock: Int) -> Double? {
        let absoluteGate = meanSquare(loudnessLUFS: absoluteGateLUFS)
        var passedSum = 0.0, passedCount = 0
        forEachWindow(energies, samplesPerBlock: samplesPerBlock, width: blocksPerShortTerm) { z in
            if z >= absoluteGate { passedSum += z; passedCount += 1 }
        }
        guard passedCount >= 2 else { return nil }
        let relativeGate = passedSum / Double(passedCount) * pow(10, rangeRelativeGateLU / 10)
        var gated: [Double] = []
        forEachWindow(energies, samplesPerBlock: samplesPerBlock, width: blocksPerShortTerm) { z in
            if z >= absoluteGate && z >= relativeGate { gated.append(loudnessLUFS(meanSquare: z)) }
        }
        gated.sort()
        guard gated.count >= 2 else { return nil }
        func nearestRank(_ p: Double) -> Double { gated[Int((Double(gated.count - 1) * p / 100 + 0.5).rounded(.down))] }
        return nearestRank(rangeHighPercentile) - nearestRank(rangeLowPercentile)
    }

    /// Short-term loudness once per second: value i is the loudness of the 3 s window centred on
    /// second i's centre ([i−1, i+2) s, clipped to the recording); nil where that window is below
    /// the −70 LUFS absolute gate (silence).
    static func shortTermSeriesLUFS(energies: [Float], samplesPerBlock: Int, blocksPerSecond: Int) -> [Double?] {
        let seconds = (energies.count + blocksPerSecond - 1) / blocksPerSecond
        let absoluteGate = meanSquare(loudnessLUFS: absoluteGateLUFS)
        return (0..<seconds).map { i -> Double? in
            let lo = max(0, (i - 1) * blocksPerSecond), hi = min(energies.count, (i + 2) * blocksPerSecond)
            guard hi > lo else { return nil }
            var s = 0.0
            for k in lo..<hi { s += Double(energies[k]) }
            let ms = s / Double((hi - lo) * samplesPerBlock)
            return ms >= absoluteGate ? loudnessLUFS(meanSquare: ms) : nil
        }
    }
}
