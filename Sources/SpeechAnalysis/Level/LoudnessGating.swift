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

    /// Mean squares of windows of `width` sub-blocks, one per `step` sub-blocks.
    /// `energies[k]` is the sum of squares of sub-block k (`samplesPerBlock` samples each).
    static func windowMeanSquares(_ energies: [Double], samplesPerBlock: Int, width: Int, step: Int) -> [Double] {
        guard energies.count >= width else { return [] }
        var out: [Double] = []
        out.reserveCapacity((energies.count - width) / step + 1)
        let scale = 1 / Double(width * samplesPerBlock)
        var start = 0
        while start + width <= energies.count {
            var s = 0.0
            for k in start..<(start + width) { s += energies[k] }
            out.append(s * scale)
            start += step
        }
        return out
    }

    /// Integrated loudness in LUFS; nil when no gating block passes the absolute gate.
    static func integratedLUFS(energies: [Double], samplesPerBlock: Int) -> Double? {
        let blocks = windowMeanSquares(energies, samplesPerBlock: samplesPerBlock, width: blocksPerGate, step: 1)
        let absoluteGate = meanSquare(loudnessLUFS: absoluteGateLUFS)
        let passed = blocks.filter { $0 >= absoluteGate }                      // eq. (5)
        guard !passed.isEmpty else { return nil }
        let relativeGate = passed.reduce(0, +) / Double(passed.count) * pow(10, relativeGateLU / 10)  // eq. (6)
        let gated = passed.filter { $0 >= relativeGate }
        return loudnessLUFS(meanSquare: gated.reduce(0, +) / Double(gated.count))                     // eq. (7)
    }

    /// Loudness range in LU; nil when fewer than two short-term windows pass the gates.
    static func loudnessRangeLU(energies: [Double], samplesPerBlock: Int) -> Double? {
        let windows = windowMeanSquares(energies, samplesPerBlock: samplesPerBlock, width: blocksPerShortTerm, step: 1)
        let absoluteGate = meanSquare(loudnessLUFS: absoluteGateLUFS)
        let passed = windows.filter { $0 >= absoluteGate }
        guard passed.count >= 2 else { return nil }
        let relativeGate = passed.reduce(0, +) / Double(passed.count) * pow(10, rangeRelativeGateLU / 10)
        let gated = passed.filter { $0 >= relativeGate }.map { loudnessLUFS(meanSquare: $0) }.sorted()
        guard gated.count >= 2 else { return nil }
        func nearestRank(_ p: Double) -> Double { gated[Int((Double(gated.count - 1) * p / 100 + 0.5).rounded(.down))] }
        return nearestRank(rangeHighPercentile) - nearestRank(rangeLowPercentile)
    }

    /// Short-term loudness once per second: value i is the loudness of the 3 s window centred on
    /// second i's centre ([i−1, i+2) s, clipped to the recording); nil where that window is below
    /// the −70 LUFS absolute gate (silence).
    static func shortTermSeriesLUFS(energies: [Double], samplesPerBlock: Int, blocksPerSecond: Int) -> [Double?] {
        let seconds = (energies.count + blocksPerSecond - 1) / blocksPerSecond
        let absoluteGate = meanSquare(loudnessLUFS: absoluteGateLUFS)
        return (0..<seconds).map { i -> Double? in
            let lo = max(0, (i - 1) * blocksPerSecond), hi = min(energies.count, (i + 2) * blocksPerSecond)
            guard hi > lo else { return nil }
            var s = 0.0
            for k in lo..<hi { s += energies[k] }
            let ms = s / Double((hi - lo) * samplesPerBlock)
            return ms >= absoluteGate ? loudnessLUFS(meanSquare: ms) : nil
        }
    }
}
