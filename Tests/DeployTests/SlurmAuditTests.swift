import Foundation
import Testing
import TestSupport

/// The deploy/slurm scripts on a real one-node Slurm cluster (started by Tests/Services/with-services.sh):
/// a 3-task job array over a generated batch of 30 calls plus the dependent merge job give the same
/// database, call for call, as one process over the same batch.
@Suite(.enabled(if: !Deploy.servicesDeliberatelyAbsent, "VOICEQA_NO_SERVICES=1"), .serialized)
struct SlurmAuditTests {
    @Test func arrayOfThreeShardsThenMergeEqualsOneProcess() throws {
        let conf = try #require(Deploy.environment["SLURM_CONF"], "SLURM_CONF is not set: run the tests through Tests/Services/with-services.sh (make test does)")
        #expect(FileManager.default.fileExists(atPath: conf))
        let binary = try #require(CLIRunner.binaryURL).path
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let calls = work.appendingPathComponent("calls")
        let paths = try Deploy.writeBatch(count: 30, in: calls)

        // One process, the reference.
        let single = work.appendingPathComponent("single.sqlite").path
        let reference = try Deploy.run(binary, ["audit", "run", calls.path, "--db", single, "--jobs", "2", "--language", "en"])
        #expect(reference.exitCode == 0, "\(reference.stderr)")

        // The same batch as a Slurm array of 3 shards and the merge job (SUBMIT_WAIT: sbatch --wait on the merge).
        let results = work.appendingPathComponent("results")
        let submit = Deploy.repositoryRoot.appendingPathComponent("deploy/slurm/submit.sh").path
        let slurm = try Deploy.run("/bin/bash", [submit, "3", calls.path, results.path, "--language", "en"],
                                   environment: ["VOICEQA": binary, "SUBMIT_WAIT": "1"], timeoutSeconds: 600)
        #expect(slurm.exitCode == 0, "\(slurm.stdout)\n\(slurm.stderr)")
        for k in 0..<3 {
            #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent("shard-\(k).sqlite").path), "shard \(k)")
        }
        // Each shard took a part, and the parts are the batch.
        var shardPaths: [Set<String>] = []
        for k in 0..<3 {
            let rows = try exportRows(binary, results.appendingPathComponent("shard-\(k).sqlite").path)
            shardPaths.append(Set(rows.keys))
        }
        #expect(shardPaths.allSatisfy { !$0.isEmpty }, "\(shardPaths.map(\.count))")
        #expect(shardPaths.map(\.count).reduce(0, +) == paths.count)
        #expect(shardPaths.reduce(Set<String>()) { $0.union($1) } == Set(paths))

        let merged = try exportRows(binary, results.appendingPathComponent("audit.sqlite").path)
        let expected = try exportRows(binary, single)
        #expect(merged.count == paths.count)
        #expect(merged == expected)                     // same paths, keys and scores

        // Merging again changes nothing (idempotent).
        let again = try Deploy.run(binary, ["audit", "merge", results.appendingPathComponent("audit.sqlite").path]
                                   + (0..<3).map { results.appendingPathComponent("shard-\($0).sqlite").path })
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(try exportRows(binary, results.appendingPathComponent("audit.sqlite").path) == expected)
    }

    /// path → "key score" of every analysed recording, from `audit export` (CSV of the calls table).
    func exportRows(_ binary: String, _ db: String) throws -> [String: String] {
        let out = try Deploy.run(binary, ["audit", "export", "--db", db, "--format", "jsonl"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        var rows: [String: String] = [:]
        for line in out.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let path = try #require(object["path"] as? String)
            rows[path] = "\(object["key"] ?? "?") \(object["score"] ?? "none")"
        }
        return rows
    }
}
