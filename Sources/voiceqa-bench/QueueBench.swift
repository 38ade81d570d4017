import CSndFile
import Foundation
import Glibc
import PostgresClient

/// The shared-queue benchmark (`make bench-scale`, or `voiceqa-bench --queue` with VOICEQA_TEST_PG
/// naming a PostgreSQL server): the audit benchmark's generated 5-minute stereo 8 kHz calls
/// (`BENCH_QUEUE_CALLS`, default 60) enqueued in a fresh database, then drained by 1, 2 and 4
/// `voiceqa audit work` processes at once. Prints files per second, × realtime, and the store's
/// share of the workers' wall time (claims, look-ups, writes and commits; target ≤ 5 % at 2 workers).
func queueBenchmark() throws {
    let environment = ProcessInfo.processInfo.environment
    guard let server = environment["VOICEQA_TEST_PG"] else {
        print("queue benchmark skipped: VOICEQA_TEST_PG is not set (run it through Tests/Services/with-services.sh: make bench-scale)")
        return
    }
    let count = Int(environment["BENCH_QUEUE_CALLS"] ?? "60") ?? 60
    let callSeconds = 300.0
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let voiceqa = binDir.appendingPathComponent("voiceqa").path
    guard FileManager.default.isExecutableFile(atPath: voiceqa) else {
        print("queue benchmark skipped: \(voiceqa) is missing (swift build -c release --product voiceqa)")
        return
    }
    let base = URL(fileURLWithPath: environment["BENCH_DIR"] ?? "bench-out")
    let calls = try generateCalls(count: count, seconds: callSeconds, in: base.appendingPathComponent("queue-calls"))
    let admin = try PostgresConnection(url: server)
    print("")
    print(String(format: "Queue benchmark: %d generated calls of %.0f min (stereo 8 kHz PCM16), enqueued in PostgreSQL, drained by N `audit work` processes", count, callSeconds / 60))
    print("workers  wall s  files/s  × realtime  store % of worker time")
    var rates: [Int: Double] = [:]
    for workers in [1, 2, 4] {
        let name = "voiceqa_bench_\(workers)"
        try admin.execute(script: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")      // one statement per call:
        try admin.execute(script: "CREATE DATABASE \(name)")                           // neither runs in a transaction
        let url = server.replacingOccurrences(of: #"/[^/?]+(\?|$)"#, with: "/\(name)$1", options: .regularExpression)
        guard run(voiceqa, ["audit", "enqueue", "--db", url, calls.path]).status == 0 else { print("enqueue failed"); return }
        let started = Date()
        let processes = (0..<workers).map { _ in start(voiceqa, ["audit", "work", "--db", url, "--no-series", "--timing"]) }
        var workerWall = 0.0, store = 0.0
        for (process, pipe) in processes {
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // "timing: wall W s, store S s"
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("timing:") }) {
                let numbers = line.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
                if numbers.count == 2 { workerWall += numbers[0]; store += numbers[1] }
            }
        }
        let wall = Date().timeIntervalSince(started)
        rates[workers] = Double(count) / wall
        print(String(format: "%7d %7.1f %8.2f %11.0f %10.2f", workers, wall, Double(count) / wall, Double(count) * callSeconds / wall,
                     workerWall > 0 ? 100 * store / workerWall : .nan))
        try admin.execute(script: "DROP DATABASE \(name) WITH (FORCE)")
    }
    if let one = rates[1], let two = rates[2], let four = rates[4] {
        print(String(format: "speed-up over 1 worker: 2 workers %.2f×, 4 workers %.2f× (this machine has %d cores)", two / one, four / one,
                     ProcessInfo.processInfo.activeProcessorCount))
    }
}

private func start(_ executable: String, _ arguments: [String]) -> (Process, Pipe) {
    let process = Process(), pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try? process.run()
    return (process, pipe)
}

private func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
    let (process, pipe) = start(executable, arguments)
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}
