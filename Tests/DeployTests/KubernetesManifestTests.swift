import Foundation
import Testing
import TestSupport

/// deploy/kubernetes cannot run here (no cluster, no container engine). The manifests are checked
/// offline: against the Kubernetes schemas with `kubernetes-validate --strict` (PyPI; `make test`
/// installs it into .build/kubernetes-validate), plus what schemas miss — the Job is Indexed, its
/// shard count matches `completions` and the merge's, the database is on the pod's own disk — and the
/// pod's own script is run here for each index with the paths moved into a temporary folder, so the
/// index Kubernetes sets reaches `--shard auto` and the shards cover the batch exactly once.
@Suite(.enabled(if: !Deploy.servicesDeliberatelyAbsent, "VOICEQA_NO_SERVICES=1"))
struct KubernetesManifestTests {
    static let folder = Deploy.repositoryRoot.appendingPathComponent("deploy/kubernetes")
    static let files = ["audit-job.yaml", "merge-job.yaml"].map { folder.appendingPathComponent($0).path }
    static let venv = Deploy.repositoryRoot.appendingPathComponent(".build/kubernetes-validate/bin")

    /// The documents of a YAML file as JSON objects (parsed by PyYAML, which the validator brings).
    func documents(_ path: String) throws -> [[String: Any]] {
        let script = "import json,sys,yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))"
        let out = try Deploy.run(Self.venv.appendingPathComponent("python").path, ["-c", script, path])
        #expect(out.exitCode == 0, "\(out.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
    }

    @Test func manifestsPassTheSchemasStrictly() throws {
        let validator = Self.venv.appendingPathComponent("kubernetes-validate").path
        try #require(FileManager.default.isExecutableFile(atPath: validator), "\(validator) missing: make test-deps installs it")
        let out = try Deploy.run(validator, ["--strict"] + Self.files)
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.components(separatedBy: "passed").count - 1 == 4, "\(out.stdout)")   // ConfigMap, PVC, 2 Jobs
    }

    @Test func indexedJobAndMergeAgree() throws {
        let audit = try documents(Self.files[0]), merge = try documents(Self.files[1])
        let job = try #require(audit.first { $0["kind"] as? String == "Job" })
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")          // the schema accepts any string here
        let completions = try #require(spec["completions"] as? Int)
        let container = try #require(((spec["template"] as? [String: Any])?["spec"] as? [String: Any]).flatMap { ($0["containers"] as? [[String: Any]])?.first })
        let env = (container["env"] as? [[String: Any]]) ?? []
        #expect(env.first { $0["name"] as? String == "VOICEQA_SHARD_COUNT" }?["value"] as? String == String(completions))
        let script = ((container["args"] as? [String]) ?? []).joined()
        #expect(script.contains("--shard auto") && script.contains("--db /scratch/"))
        let volumes = ((spec["template"] as? [String: Any])?["spec"] as? [String: Any])?["volumes"] as? [[String: Any]] ?? []
        #expect(volumes.first { $0["name"] as? String == "scratch" }?["emptyDir"] != nil, "the database must be on the pod's own disk")
        let mergeJob = try #require(merge.first)
        let mergeContainer = try #require((((mergeJob["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]).flatMap { ($0["containers"] as? [[String: Any]])?.first })
        let mergeEnv = (mergeContainer["env"] as? [[String: Any]]) ?? []
        #expect(mergeEnv.first { $0["name"] as? String == "VOICEQA_SHARD_COUNT" }?["value"] as? String == String(completions))
    }

    /// The pod script, as Kubernetes would start it for each index, then the merge script.
    @Test func podScriptsRunPerIndexAndMerge() throws {
        let audit = try documents(Self.files[0]), merge = try documents(Self.files[1])
        let job = try #require(audit.first { $0["kind"] as? String == "Job" })
        let spec = try #require(job["spec"] as? [String: Any])
        let completions = try #require(spec["completions"] as? Int)
        func script(_ job: [String: Any]) -> String {
            let container = (((job["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
                .flatMap { ($0["containers"] as? [[String: Any]])?.first } ?? [:]
            return ((container["args"] as? [String]) ?? []).joined()
        }
        let binary = try #require(CLIRunner.binaryURL).path
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let recordings = work.appendingPathComponent("recordings"), config = work.appendingPathComponent("config")
        let results = work.appendingPathComponent("results")
        let paths = try Deploy.writeBatch(count: 8, in: recordings)
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let csv = "path,agent,team,date,language,agent_channel\n"
            + paths.map { "\(recordings.path)/\($0),\($0.split(separator: "/")[1]),\($0.split(separator: "/")[0]),2026-11-30,en,0" }.joined(separator: "\n") + "\n"
        try csv.write(to: config.appendingPathComponent("calls.csv"), atomically: true, encoding: .utf8)
        func local(_ s: String, scratch: URL) -> String {
            s.replacingOccurrences(of: "/config/", with: config.path + "/").replacingOccurrences(of: "/results/", with: results.path + "/")
             .replacingOccurrences(of: "/scratch/", with: scratch.path + "/")
        }
        // A shim named voiceqa on PATH, as in the image.
        let bin = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("voiceqa").path, withDestinationPath: binary)
        let path = bin.path + ":" + (Deploy.environment["PATH"] ?? "/usr/bin:/bin")
        var shardEnv: [String: String] = ["PATH": path, "VOICEQA_SHARD_COUNT": String(completions)]
        shardEnv["SLURM_ARRAY_TASK_ID"] = nil
        for k in 0..<completions {
            let scratch = work.appendingPathComponent("scratch-\(k)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            var env = shardEnv; env["JOB_COMPLETION_INDEX"] = String(k)
            let out = try Deploy.run("/bin/sh", ["-c", local(script(job), scratch: scratch)], environment: env)
            #expect(out.exitCode == 0, "index \(k): \(out.stderr)")
            #expect(out.stdout.contains("shard \(k)/\(completions)"), "\(out.stdout)")
        }
        let mergeOut = try Deploy.run("/bin/sh", ["-c", local(script(try #require(merge.first)), scratch: work)], environment: shardEnv)
        #expect(mergeOut.exitCode == 0, "\(mergeOut.stderr)")
        let export = try Deploy.run(binary, ["audit", "export", "--db", results.appendingPathComponent("audit.sqlite").path, "--format", "jsonl"])
        #expect(export.stdout.split(separator: "\n").count == paths.count, "\(export.stdout)")
    }
}
