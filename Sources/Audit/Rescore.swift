import Foundation
import Reports
import Rubric

/// `voiceqa audit rescore`: judges stored analyses against another rubric from their stored
/// measures (the rubric never reads samples), adding score and verdict rows under the rubric's
/// hash. Nothing is decoded; analyses already judged under that rubric are left as they are.
public enum Rescore {
    public struct Outcome: Sendable, Equatable {
        public var judgedCount = 0
        public var failedKeys: [String] = []
    }

    public static func run(store: AuditStore, rubric: Rubric) throws -> Outcome {
        let sha = AnalysisKey.rubricSHA256(rubric)
        let entry = RubricEntry(sha256: sha, version: rubric.rubricVersion, canonicalJSON: AnalysisKey.canonicalRubric(rubric), addedAt: AuditTime.now())
        try store.addRubric(entry)
        var outcome = Outcome()
        let decoder = JSONDecoder()
        try store.forEachAnalysis(notJudgedUnder: sha) { key, json in
            guard let report = try? decoder.decode(AnalysisReport.self, from: json) else { outcome.failedKeys.append(key); return }
            let evaluation = RubricEvaluator.evaluate(RubricInput(report: report), rubric: rubric)
            try store.commitJudgement(key: key, rubric: entry, score: evaluation.score, verdicts: AnalysisDigest.verdicts(evaluation.guidelines))
            outcome.judgedCount += 1
        }
        return outcome
    }
}
