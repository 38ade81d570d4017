import Foundation
import SpeechAnalysis

/// Standard pitch-tracking error measures (Rabiner et al. 1976, "A comparative performance study of
/// several pitch detection algorithms", IEEE Trans. ASSP 24(5)): gross pitch error (> 20 % off) on
/// frames both call voiced, voicing decision error over all scored frames, median |error| in semitones.
struct PitchScores: CustomStringConvertible {
    var bothVoicedCount = 0
    var grossErrorCount = 0
    var scoredCount = 0
    var voicingErrorCount = 0
    var absoluteErrorsSemitones: [Double] = []

    /// `truthHz`: 0 = unvoiced, nil = not scored (boundary frames).
    mutating func add(estimateHz: Double, truthHz: Double?) {
        guard let truthHz else { return }
        scoredCount += 1
        if (estimateHz > 0) != (truthHz > 0) { voicingErrorCount += 1 }
        guard estimateHz > 0, truthHz > 0 else { return }
        bothVoicedCount += 1
        if abs(estimateHz / truthHz - 1) > 0.2 { grossErrorCount += 1 }
        absoluteErrorsSemitones.append(abs(12 * log2(estimateHz / truthHz)))
    }

    mutating func merge(_ o: PitchScores) {
        bothVoicedCount += o.bothVoicedCount; grossErrorCount += o.grossErrorCount
        scoredCount += o.scoredCount; voicingErrorCount += o.voicingErrorCount
        absoluteErrorsSemitones += o.absoluteErrorsSemitones
    }

    var grossErrorRatio: Double { bothVoicedCount == 0 ? 1 : Double(grossErrorCount) / Double(bothVoicedCount) }
    var voicingErrorRatio: Double { scoredCount == 0 ? 1 : Double(voicingErrorCount) / Double(scoredCount) }
    var medianErrorSemitones: Double {
        let s = absoluteErrorsSemitones.sorted()
        return s.isEmpty ? .infinity : s[s.count / 2]
    }

    var description: String {
        String(format: "GPE %.2f %% (%d/%d), VDE %.2f %% (%d/%d), median |err| %.3f st",
               100 * grossErrorRatio, grossErrorCount, bothVoicedCount,
               100 * voicingErrorRatio, voicingErrorCount, scoredCount, medianErrorSemitones)
    }
}
