import ArgumentParser
import Audit
import Foundation

/// `voiceqa audit merge OUT IN...`: combines shard databases (docs/scale.md).
struct AuditMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine audit databases (shards) into one: recordings by path and analyses by key, each once; rerunning changes nothing.")

    @Argument(help: "The database to merge into (created when missing).")
    var output: String

    @Argument(help: "The databases to merge from (same schema version).")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one input database") }
        let out = URL(fileURLWithPath: output).standardizedFileURL.path
        if inputs.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL.path == out }) {
            throw ValidationError("the output \(output) is also an input")
        }
    }

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        try reportingFailures {
            let store: SQLiteAuditStore
            do { store = try SQLiteAuditStore(path: output, create: true) } catch let e as AuditError { throw AuditFailure(e.description) }
            var total = MergeCounts()
            for input in inputs {
                let added = try store.merge(from: input)
                total.recordings += added.recordings; total.analyses += added.analyses; total.failures += added.failures
            }
            try StandardOutput.write("merge: \(inputs.count) database(s) into \(output): \(total.analyses) new analyses, "
                                     + "\(total.recordings) recordings added or updated, \(total.failures) failures")
        }
    }
}
