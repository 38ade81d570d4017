import Foundation

/// A static share of a batch: shard `index` of `count` takes the inputs whose path hashes to it.
/// The hash is the first 8 bytes, big-endian, of SHA-256 (FIPS 180-4) of the UTF-8 bytes of the
/// path in Unicode NFC with '/' separators — the path relative to the PATH argument it was found
/// under, or the manifest's `path` column — modulo `count`. It depends on nothing but the path, so
/// N processes on N machines, started in any order, cover the batch exactly once (Swift's
/// `Hasher` is seeded per process and would not).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError.invalid("the shard count must be at least 1, not \(count)") }
        guard (0..<count).contains(index) else {
            throw ShardError.invalid("the shard index must be in 0…\(count - 1), not \(index)")
        }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Parses `K/N`, e.g. `2/8`.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError.invalid("--shard takes K/N (e.g. 0/4) or auto, not '\(text)'")
        }
        return try Shard(index: k, count: n)
    }

    /// The shard the scheduler that started this process assigned:
    /// - Slurm job arrays: K = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, N = SLURM_ARRAY_TASK_COUNT;
    ///   an array with a step or a list (ids not contiguous) is refused, since K would not cover 0…N−1.
    /// - Kubernetes Indexed Jobs: K = JOB_COMPLETION_INDEX, N = `kubernetesCount` (the option) or
    ///   VOICEQA_SHARD_COUNT (the Job sets it to its `completions`).
    public static func fromScheduler(environment: [String: String], kubernetesCount: Int? = nil) throws -> Shard {
        if let id = environment["SLURM_ARRAY_TASK_ID"] {
            guard let k = Int(id), let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap({ Int($0) }),
                  let maximum = environment["SLURM_ARRAY_TASK_MAX"].flatMap({ Int($0) }),
                  let n = environment["SLURM_ARRAY_TASK_COUNT"].flatMap({ Int($0) }) else {
                throw ShardError.invalid("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN, _MAX or _COUNT is missing or not a number")
            }
            if let step = environment["SLURM_ARRAY_TASK_STEP"].flatMap({ Int($0) }), step != 1 {
                throw ShardError.invalid("--shard auto: the Slurm array has step \(step); submit a contiguous array (sbatch --array=0-\(n - 1))")
            }
            guard maximum - minimum + 1 == n else {
                throw ShardError.invalid("--shard auto: the Slurm array is not contiguous (\(n) tasks between \(minimum) and \(maximum)); submit --array=0-\(n - 1)")
            }
            return try Shard(index: k - minimum, count: n)
        }
        if let index = environment["JOB_COMPLETION_INDEX"] {
            guard let k = Int(index) else { throw ShardError.invalid("--shard auto: JOB_COMPLETION_INDEX is not a number: '\(index)'") }
            guard let n = kubernetesCount ?? environment["VOICEQA_SHARD_COUNT"].flatMap({ Int($0) }) else {
                throw ShardError.invalid("--shard auto: in a Kubernetes Indexed Job set VOICEQA_SHARD_COUNT (or --shard-count) to the Job's completions")
            }
            return try Shard(index: k, count: n)
        }
        throw ShardError.invalid("--shard auto: not started by a scheduler (no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); use --shard K/N")
    }

    /// The shard a relative path belongs to (see the type's comment).
    public static func of(path: String, count: Int) -> Int {
        let normalized = path.precomposedStringWithCanonicalMapping.replacingOccurrences(of: "\\", with: "/")
        var hash = SHA256()
        hash.update(Array(normalized.utf8))
        let digest = hash.finalize()
        let first8 = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(first8 % UInt64(count))
    }

    public func contains(path: String) -> Bool { Self.of(path: path, count: count) == index }
}

public enum ShardError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String { if case let .invalid(s) = self { return s }; return "" }
}
