import DSP

/// Morae from syllable nuclei and their timing, for Japanese.
///
/// Japanese is mora-timed: morae tend towards equal duration (Port, Dalby & O'Dell 1987,
/// "Evidence for mora timing in Japanese", JASA 81(5):1574–1585; Han 1962). A heavy syllable —
/// a long vowel or vowel sequence (a long nucleus), a vowel followed by a moraic nasal (nasal
/// murmur after the nucleus) or by a geminate (a long closure) — therefore takes about one more
/// mora of time to the next nucleus than a light one. The same holds where two short morae
/// merge into one envelope peak (/a.i/, devoiced /ki/, /shi/).
///
/// Estimate: within each inter-pause unit, every interval Δ from one nucleus to the next adds
/// ⌊Δ / d⌋ morae beyond the nucleus itself, where d is the speaker's median nucleus-to-nucleus
/// interval in the channel: an interval at least as long as the typical one holds a second
/// mora. On the fixtures' read Japanese this adds about one mora per two nuclei, but the number
/// comes from the timing of each recording, not from a fixed factor. The cue is duration only: it does not tell a long vowel from a
/// moraic nasal or a geminate, it counts the time they take. Because d is the speaker's own
/// median, the estimate follows tempo (a slower speaker has a longer d). Fewer than 3 intervals
/// give no d, and then no extra morae.
///
/// An interval adds at most `maximumExtraMoraeCount` (2): what lies between two nuclei is the
/// rest of the first syllable — a Japanese syllable holds at most two morae, trimoraic ones being
/// rare and avoided (Kubozono 1999, "Mora and syllable", in Tsujimura (ed.), The Handbook of
/// Japanese Linguistics, Blackwell, 31–61) — and at most one mora whose vowel gave no nucleus of
/// its own (a devoiced high vowel; devoicing of two morae in a row tends to be blocked: Tsuchida
/// 1997, "Phonetics and phonology of Japanese vowel devoicing", PhD thesis, Cornell; Vance 2008,
/// The Sounds of Japanese, CUP). A longer interval holds silence that is no mora: a short pause
/// inside the unit, or one the speech detector bridged (docs/accuracy.md: on devcall3_ja_03 an
/// interval of 0.57 s across a 0.41 s pause counted 4 morae).
public enum MoraEstimate {
    /// Most morae one nucleus-to-nucleus interval adds beyond its first nucleus (see above).
    static let maximumExtraMoraeCount = 2

    /// Morae in the units, given the nucleus times (ascending) and the units (ascending).
    /// Returns one mora count per unit.
    public static func moraCounts(nuclei: [Double], units: [Segment]) -> [Int] {
        var intervals: [Double] = []
        var perUnit: [[Double]] = []
        var k = 0  // nuclei and units ascend: one pass
        for u in units {
            while k < nuclei.count, nuclei[k] < u.start { k += 1 }
            var inUnit: [Double] = []
            while k < nuclei.count, nuclei[k] < u.end { inUnit.append(nuclei[k]); k += 1 }
            perUnit.append(inUnit)
            for (a, b) in zip(inUnit, inUnit.dropFirst()) { intervals.append(b - a) }
        }
        guard intervals.count >= 3, let d = Statistics.median(intervals), d > 0 else {
            return perUnit.map(\.count)
        }
        return perUnit.map { times in
            var morae = times.count
            for (a, b) in zip(times, times.dropFirst()) { morae += min(maximumExtraMoraeCount, Int(((b - a) / d).rounded(.down))) }
            return morae
        }
    }
}
