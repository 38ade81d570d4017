import CSndFile
import Foundation
import Glibc

/// The audit benchmark (`make bench`, or `voiceqa-bench --audit`): 200 generated 5-minute stereo
/// 8 kHz calls (each with its own seed, so 200 different files) through `voiceqa audit run` with 1
/// and 2 jobs into a fresh database each time. Prints files per second, × realtime, the speed-up,
/// the parent's time in the store, in hashing files and the workers' start-up and hand-over as
/// shares of the wall time, and peak memory with 2 jobs. `voiceqa` must be built in release
/// beside this binary. `BENCH_AUDIT_CALLS` changes the number of calls.
func auditBenchmark() throws {
    let environment = ProcessInfo.processInfo.environment
    let count = Int(environment["BENCH_AUDIT_CALLS"] ?? "200") ?? 200
    let callSeconds = 300.0
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let voiceqa = binDir.appendingPathComponent("voiceqa").path
    guard FileManager.default.isExecutableFile(atPath: voiceqa) else {
        print("audit benchmark skipped: \(voiceqa) is missing (swift build -c release --product voiceqa)")
        return
    }
    let base = URL(fileURLWithPath: environment["BENCH_DIR"] ?? "bench-out")
    let calls = base.appendingPathComponent("audit-calls")
    try FileManager.default.createDirectory(at: calls, withIntermediateDirectories: true)
    let spec = BenchFile(name: "stereo 8 kHz PCM16 WAV", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16),
                         sampleRateHz: 8000, channelCount: 2, durationSeconds: callSeconds)
    for i in 0..<count {
        let path = calls.appendingPathComponent(String(format: "call%03d.wav", i)).path
        if !FileManager.default.fileExists(atPath: path) { try generate(spec, to: path, seed: 1000 + UInt64(i)) }
    }
    print("")
    print(String(format: "Audit benchmark: %d generated calls of %.0f min (stereo 8 kHz PCM16), voiceqa audit run into a fresh database", count, callSeconds / 60))
    print("jobs  wall s   CPU s  files/s  × realtime  store %  hashing %  worker start-up %  parent MB  worker MB")
    var filesPerSecond: [Int: Double] = [:]
    for jobs in [1, 2] {
        let db = base.appendingPathComponent("audit-bench-\(jobs).sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: voiceqa)
        process.arguments = ["audit", "run", calls.path, "--db", db, "--jobs", String(jobs), "--no-series", "--timing"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let cpuBefore = childrenCPUSeconds()
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let cpu = childrenCPUSeconds() - cpuBefore          // the run and its workers (waited-for descendants)
        guard process.terminationStatus == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("timing:") }) else {
            print("audit run with \(jobs) job(s) failed:\n\(output)")
            return
        }
        // "timing: wall W s, store S s, hashing H s, worker analysis A s, worker start-up and hand-over O s, parent peak P MB, worker peak Q MB"
        let numbers = line.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
        guard numbers.count == 7 else { print("unexpected timing line: \(line)"); return }
        let (wall, store, hashing, overhead, parentMB, workerMB) = (numbers[0], numbers[1], numbers[2], numbers[4], numbers[5], numbers[6])
        filesPerSecond[jobs] = Double(count) / wall
        print(String(format: "%4d %7.1f %7.1f %8.2f %11.0f %8.2f %10.2f %18.2f %10.1f %10.1f", jobs, wall, cpu, Double(count) / wall,
                     Double(count) * callSeconds / wall, 100 * store / wall, 100 * hashing / wall,
                     100 * overhead / (Double(jobs) * wall), parentMB, workerMB))
    }
    if let one = filesPerSecond[1], let two = filesPerSecond[2] {
        print(String(format: "2 jobs / 1 job: %.2f× (target ≥ 1.8×); peak memory with 2 jobs: parent + 2 workers (see the MB columns)", two / one))
    }
    print("store = the parent's time in database calls; hashing = SHA-256 of each file's bytes for its key (parent);")
    print("worker start-up = each worker's wall time beyond its own decode and analysis, over the workers' total time;")
    print("CPU s = user + system time of the run and its workers (the machine may be shared: compare CPU with wall)")
}

/// User + system CPU time of this process's waited-for descendants so far, seconds.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
