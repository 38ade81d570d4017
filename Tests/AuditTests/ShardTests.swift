import Foundation
import Testing
@testable import Audit

struct ShardTests {
    /// The shard is SHA-256's first 8 bytes (big-endian) mod N: checked against digests computed
    /// independently (`printf %s PATH | sha256sum`).
    @Test func shardFromKnownDigests() {
        let emptyFirst8: UInt64 = 0xe3b0c44298fc1c14          // sha256("") = e3b0c442 98fc1c14…
        let abcFirst8: UInt64 = 0xba7816bf8f01cfea            // sha256("abc"), FIPS 180-4 example: ba7816bf 8f01cfea…
        #expect(Shard.of(path: "", count: 1 << 20) == Int(emptyFirst8 % (1 << 20)))
        #expect(Shard.of(path: "abc", count: 1000) == Int(abcFirst8 % 1000))
    }

    @Test func nfcAndSeparatorsDoNotChangeTheShard() {
        let composed = "calls/caf\u{E9}.wav", decomposed = "calls/cafe\u{301}.wav"
        #expect(Shard.of(path: composed, count: 97) == Shard.of(path: decomposed, count: 97))
    }

    @Test func shardsCoverEveryPathExactlyOnce() throws {
        let paths = (0..<1000).map { "team\($0 % 7)/agent\($0 % 31)/call-\($0).wav" }
        for n in [1, 2, 3, 8] {
            let shards = try (0..<n).map { try Shard(index: $0, count: n) }
            for p in paths { #expect(shards.filter { $0.contains(path: p) }.count == 1) }
            // Roughly even: no shard more than 25 % off the mean for 1000 paths.
            let sizes = shards.map { s in paths.filter { s.contains(path: $0) }.count }
            #expect(sizes.allSatisfy { abs(Double($0) - 1000.0 / Double(n)) <= 0.25 * 1000.0 / Double(n) }, "\(sizes)")
        }
    }

    @Test func parse() throws {
        #expect(try Shard.parse("2/8") == Shard(index: 2, count: 8))
        #expect(throws: ShardError.self) { try Shard.parse("8/8") }
        #expect(throws: ShardError.self) { try Shard.parse("-1/4") }
        #expect(throws: ShardError.self) { try Shard.parse("1of4") }
    }

    @Test func slurmArrays() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_MAX": "13", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try Shard.fromScheduler(environment: env) == Shard(index: 2, count: 4))
        var stepped = env; stepped["SLURM_ARRAY_TASK_STEP"] = "2"; stepped["SLURM_ARRAY_TASK_MAX"] = "16"
        #expect(throws: ShardError.self) { try Shard.fromScheduler(environment: stepped) }
        var list = env; list["SLURM_ARRAY_TASK_MAX"] = "20"                    // --array=10,11,12,20
        #expect(throws: ShardError.self) { try Shard.fromScheduler(environment: list) }
    }

    @Test func kubernetesIndexedJobs() throws {
        #expect(try Shard.fromScheduler(environment: ["JOB_COMPLETION_INDEX": "3", "VOICEQA_SHARD_COUNT": "5"]) == Shard(index: 3, count: 5))
        #expect(try Shard.fromScheduler(environment: ["JOB_COMPLETION_INDEX": "3"], kubernetesCount: 4) == Shard(index: 3, count: 4))
        #expect(throws: ShardError.self) { try Shard.fromScheduler(environment: ["JOB_COMPLETION_INDEX": "3"]) }
        do { _ = try Shard.fromScheduler(environment: [:]); Issue.record("auto outside a scheduler") }
        catch { #expect("\(error)".contains("not started by a scheduler")) }
    }
}
