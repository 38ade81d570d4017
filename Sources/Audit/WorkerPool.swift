import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes that each analyse one file (`voiceqa audit worker …`, a hidden subcommand of
/// the same binary). A crash inside a C library kills only its child: the parent sees the signal
/// and records the file as failed. Each child's stdout (the result) and stderr (library notes)
/// are captured separately, so nothing a library prints reaches the terminal. One thread drives
/// every child through `poll(2)`; children stay in the parent's process group, so stopping the
/// group stops them too.
public final class WorkerPool {
    public struct Finished: Sendable {
        public var job: Int
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// Exit status when the child exited, nil when a signal ended it.
        public var exitStatus: Int32?
        public var signal: Int32?
        public var timedOut: Bool
        public var wallSeconds: Double
        /// The child's peak resident memory, MB, and its CPU time (user + system), seconds (from `wait4`).
        public var peakResidentMB: Double
        public var cpuSeconds: Double
    }

    final class Child {
        let pid: pid_t
        let job: Int
        var outFD: Int32
        var errFD: Int32
        var out: [UInt8] = []
        var err: [UInt8] = []
        let started: ContinuousClock.Instant = .now
        var timedOut = false
        init(pid: pid_t, job: Int, outFD: Int32, errFD: Int32) { self.pid = pid; self.job = job; self.outFD = outFD; self.errFD = errFD }
    }

    public let executable: String
    public let timeLimitSeconds: Double?
    private var children: [Child] = []
    public var runningCount: Int { children.count }

    /// The running binary (`/proc/self/exe` on Linux), so workers are the same build as the parent.
    public static func currentExecutable() -> String {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return CommandLine.arguments[0]
    }

    public init(executable: String = WorkerPool.currentExecutable(), timeLimitSeconds: Double?) {
        self.executable = executable
        self.timeLimitSeconds = timeLimitSeconds
    }

    deinit {
        for c in children { kill(c.pid, SIGKILL); var s: Int32 = 0; waitpid(c.pid, &s, 0); close(c.outFD); close(c.errFD) }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable arguments…` for `job`, stdin from /dev/null.
    public func start(job: Int, arguments: [String]) throws {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        // Spawning happens on one thread only, so setting close-on-exec after pipe() leaves no window.
        guard pipe(&outPipe) == 0 else { throw SpawnError(description: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw SpawnError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArgv = argv + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, &cArgv, environ)
        close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SpawnError(description: "cannot start a worker (\(executable)): \(String(cString: strerror(rc)))")
        }
        _ = fcntl(outPipe[0], F_SETFL, fcntl(outPipe[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(errPipe[0], F_SETFL, fcntl(errPipe[0], F_GETFL) | O_NONBLOCK)
        children.append(Child(pid: pid, job: job, outFD: outPipe[0], errFD: errPipe[0]))
    }

    /// Waits up to `timeoutMilliseconds` for output, reads what is there and returns the children
    /// that have ended (both pipes closed, then reaped). Kills a child over the time limit.
    public func poll(timeoutMilliseconds: Int32) -> [Finished] {
        guard !children.isEmpty else { return [] }
        var fds: [pollfd] = []
        for c in children {
            if c.outFD >= 0 { fds.append(pollfd(fd: c.outFD, events: Int16(POLLIN), revents: 0)) }
            if c.errFD >= 0 { fds.append(pollfd(fd: c.errFD, events: Int16(POLLIN), revents: 0)) }
        }
        if !fds.isEmpty { _ = Glibc.poll(&fds, nfds_t(fds.count), timeoutMilliseconds) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for c in children {
            drain(&c.outFD, into: &c.out, buffer: &buffer)
            drain(&c.errFD, into: &c.err, buffer: &buffer)
            if let limit = timeLimitSeconds, !c.timedOut, c.started.duration(to: .now) > .milliseconds(Int64(limit * 1000)) {
                kill(c.pid, SIGKILL)
                c.timedOut = true
            }
        }
        var finished: [Finished] = []
        children.removeAll { c in
            guard c.outFD < 0 && c.errFD < 0 else { return false }
            var status: Int32 = 0
            var usage = rusage()
            while wait4(c.pid, &status, 0, &usage) < 0 && errno == EINTR {}
            let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f      // WIFSIGNALED
            finished.append(Finished(job: c.job, stdout: c.out, stderr: c.err,
                                     exitStatus: signalled ? nil : (status >> 8) & 0xff,
                                     signal: signalled ? status & 0x7f : nil, timedOut: c.timedOut,
                                     wallSeconds: Self.seconds(c.started.duration(to: .now)),
                                     peakResidentMB: Double(usage.ru_maxrss) / 1024, cpuSeconds: Self.cpuSeconds(usage)))
            return true
        }
        return finished
    }

    private func drain(_ fd: inout Int32, into sink: inout [UInt8], buffer: inout [UInt8]) {
        guard fd >= 0 else { return }
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { sink.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            close(fd); fd = -1        // end of file (or an error: the child's side is gone)
            return
        }
    }

    public static func cpuSeconds(_ u: rusage) -> Double {
        Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    /// CPU time of the calling thread so far, seconds.
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// "SIGKILL" for 9, and so on.
    public static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
                                      SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
                                      SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ"]
        return names[s] ?? "signal \(s)"
    }
}
