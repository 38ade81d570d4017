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
    let calls = try generateCalls(count: count, seconds: callSeconds, in: base.appendingPathComponent("audit-calls"))
    print("")
    print(String(format: "Audit benchmark: %d generated calls of %.0f min (stereo 8 kHz PCM16), voiceqa audit run into a fresh database", count, callSeconds / 60))
    var filesPerSecond: [Int: Double] = [:]
    var wallLines: [String] = [], cpuLines: [String] = []
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
        let cpuAll = childrenCPUSeconds() - cpuBefore          // the run and its workers (waited-for descendants)
        func numbers(_ prefix: String) -> [Double] {
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return [] }
            return line.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
        }
        // timing: wall, store, hashing, worker analysis, worker start-up and hand-over, parent MB, worker MB
        // cpu: parent, store, hashing, workers, worker analysis
        let t = numbers("timing:"), c = numbers("cpu:")
        guard process.terminationStatus == 0, t.count == 7, c.count == 5 else {
            print("audit run with \(jobs) job(s) failed:\n\(output)")
            return
        }
        let wall = t[0], audio = Double(count) * callSeconds
        filesPerSecond[jobs] = Double(count) / wall
        wallLines.append(String(format: "%4d %7.1f %8.2f %11.0f %8.2f %10.2f %18.2f %10.1f %10.1f", jobs, wall, Double(count) / wall, audio / wall,
                                100 * t[1] / wall, 100 * t[2] / wall, 100 * t[4] / (Double(jobs) * wall), t[5], t[6]))
        let startUpCPU = c[3] - c[4]
        cpuLines.append(String(format: "%4d %7.1f %14.0f %8.2f %10.2f %18.2f %12.1f", jobs, cpuAll, audio / cpuAll,
                               100 * c[1] / cpuAll, 100 * c[2] / cpuAll, 100 * startUpCPU / cpuAll, c[0]))
    }
    print("By wall time (the machine may be shared: see the CPU table)")
    print("jobs  wall s  files/s  × realtime  store %  hashing %  worker start-up %  parent MB  worker MB")
    wallLines.forEach { print($0) }
    print("By CPU time (user + system of the run and its workers)")
    print("jobs   CPU s  × realtime/CPU  store %  hashing %  worker start-up %  parent CPU s")
    cpuLines.forEach { print($0) }
    if let one = filesPerSecond[1], let two = filesPerSecond[2] {
        print(String(format: "2 jobs / 1 job: %.2f× files per second (target ≥ 1.8×); peak memory with 2 jobs: the parent + 2 workers", two / one))
    }
    print("store = the parent's database calls; hashing = SHA-256 of each file for its key (a thread of the parent, beside the workers);")
    print("worker start-up = the workers' time beyond their own decode and analysis (process start, output)")
}

/// User + system CPU time of this process's waited-for descendants so far, seconds.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// `count` generated stereo 8 kHz PCM16 calls of `seconds` each in `folder` (each with its own seed;
/// files already there are kept), for the audit and queue benchmarks.
func generateCalls(count: Int, seconds: Double, in folder: URL) throws -> URL {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let spec = BenchFile(name: "stereo 8 kHz PCM16 WAV", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16),
                         sampleRateHz: 8000, channelCount: 2, durationSeconds: seconds)
    for i in 0..<count {
        let path = folder.appendingPathComponent(String(format: "call%03d.wav", i)).path
        if !FileManager.default.fileExists(atPath: path) { try generate(spec, to: path, seed: 1000 + UInt64(i)) }
    }
    return folder
}
