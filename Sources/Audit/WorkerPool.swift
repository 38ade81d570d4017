import CallAnalysis
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes that analyse files (`voiceqa audit worker`, a hidden subcommand of the same
/// binary), each one file at a time and many files in its life: starting a process costs about
/// 25 ms of CPU (loading the binary and its libraries), 8 % of a 5-minute call's analysis, so a
/// worker is kept and handed the next file (`submit`) until it has done `filesPerWorker`.
///
/// A crash inside a C library kills only its child: the parent sees the signal, records the file
/// the child was analysing as failed and starts a new child for the next file. Each child's
/// results and its stderr (library notes) are captured separately, so nothing a library prints
/// reaches the terminal; what a child prints on stderr while it analyses a file is handed over
/// with that file's result. One thread drives every child through `poll(2)`; children stay in the
/// parent's process group, so stopping the group stops them too.
///
/// The conversation (`WorkerProtocol`): the parent writes one request line (JSON) on the child's
/// stdin, a socket; the child answers with one frame on its stdout, a pipe — a header line
/// `voiceqa-worker-result STATUS BYTES` and `BYTES` of payload — and then reads the next line.
public final class WorkerPool {
    public struct Finished: Sendable {
        public var job: Int
        /// The payload of the child's answer (empty when the child died before answering).
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// The answer's status (0: a result, 1: a reason), or the child's exit status when it
        /// exited without answering; nil when a signal ended it.
        public var exitStatus: Int32?
        public var signal: Int32?
        public var timedOut: Bool
        /// From handing the file over to the answer.
        public var wallSeconds: Double
    }

    final class Child {
        let pid: pid_t
        var requestFD: Int32
        var outFD: Int32
        var errFD: Int32
        var out: [UInt8] = []
        var err: [UInt8] = []
        var job: Int?
        var jobStarted: ContinuousClock.Instant = .now
        var filesDone = 0
        var timedOut = false
        init(pid: pid_t, requestFD: Int32, outFD: Int32, errFD: Int32) {
            self.pid = pid; self.requestFD = requestFD; self.outFD = outFD; self.errFD = errFD
        }
    }

    public let executable: String
    /// The child's command line after the executable (`audit worker --serve …`).
    public let arguments: [String]
    public let timeLimitSeconds: Double?
    /// A child is replaced after this many files, so whatever a library leaks stays bounded.
    public let filesPerWorker: Int
    private var children: [Child] = []
    /// Files handed over and not yet answered.
    public var runningCount: Int { children.filter { $0.job != nil }.count }
    /// Every child's CPU time (user + system) and the largest peak resident memory of any child,
    /// MB, counted as each child ends (`wait4`); complete after `shutDown`.
    public private(set) var childCPUSeconds = 0.0
    public private(set) var childPeakResidentMB = 0.0
    public private(set) var childrenStarted = 0

    /// The running binary (`/proc/self/exe` on Linux), so workers are the same build as the parent.
    public static func currentExecutable() -> String {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return CommandLine.arguments[0]
    }

    public init(executable: String = WorkerPool.currentExecutable(), arguments: [String], timeLimitSeconds: Double?,
                filesPerWorker: Int = 256) {
        self.executable = executable
        self.arguments = arguments
        self.timeLimitSeconds = timeLimitSeconds
        self.filesPerWorker = max(1, filesPerWorker)
    }

    deinit {
        for c in children { kill(c.pid, SIGKILL) }
        for c in children { reap(c) }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Hands `request` (one line, no newline in it) to an idle child, starting one when none is
    /// idle. The caller keeps at most as many files running as it wants children.
    public func submit(job: Int, request: String) throws {
        var line = Array(request.utf8); line.append(0x0A)
        for attempt in 0..<2 {
            let child: Child
            if let idle = children.first(where: { $0.job == nil && $0.requestFD >= 0 }) { child = idle } else { child = try spawn() }
            if Self.writeAll(child.requestFD, line) {
                child.job = job
                child.jobStarted = .now
                child.timedOut = false
                return
            }
            // The child is gone (it died while idle): let poll reap it, and try a new one once.
            close(child.requestFD); child.requestFD = -1
            if attempt == 1 { throw SpawnError(description: "cannot hand a file to a worker: \(String(cString: strerror(errno)))") }
        }
    }

    private func spawn() throws -> Child {
        var requestPair: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func fail(_ what: String) -> SpawnError {
            let reason = String(cString: strerror(errno))
            for fd in requestPair + outPipe + errPipe where fd >= 0 { close(fd) }
            return SpawnError(description: "cannot start a worker: \(what): \(reason)")
        }
        // Spawning happens on one thread only, so setting close-on-exec after creation leaves no window.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &requestPair) == 0 else { throw fail("socketpair") }
        guard pipe(&outPipe) == 0 else { throw fail("pipe") }
        guard pipe(&errPipe) == 0 else { throw fail("pipe") }
        for fd in requestPair + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, requestPair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArgv = argv + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, &cArgv, environ)
        close(requestPair[1]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(requestPair[0]); close(outPipe[0]); close(errPipe[0])
            throw SpawnError(description: "cannot start a worker (\(executable)): \(String(cString: strerror(rc)))")
        }
        _ = fcntl(outPipe[0], F_SETFL, fcntl(outPipe[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(errPipe[0], F_SETFL, fcntl(errPipe[0], F_GETFL) | O_NONBLOCK)
        let child = Child(pid: pid, requestFD: requestPair[0], outFD: outPipe[0], errFD: errPipe[0])
        children.append(child)
        childrenStarted += 1
        return child
    }

    /// Writes all of `bytes` to a socket, without SIGPIPE; false when the other side is gone.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }

    /// Waits up to `timeoutMilliseconds` for output, reads what is there and returns the files
    /// answered, and those whose child died or was stopped over the time limit.
    public func poll(timeoutMilliseconds: Int32) -> [Finished] {
        guard !children.isEmpty else { return [] }
        var fds: [pollfd] = []
        for c in children {
            if c.outFD >= 0 { fds.append(pollfd(fd: c.outFD, events: Int16(POLLIN), revents: 0)) }
            if c.errFD >= 0 { fds.append(pollfd(fd: c.errFD, events: Int16(POLLIN), revents: 0)) }
        }
        if !fds.isEmpty { _ = Glibc.poll(&fds, nfds_t(fds.count), timeoutMilliseconds) }
        var finished: [Finished] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for c in children {
            drain(&c.outFD, into: &c.out, buffer: &buffer)
            drain(&c.errFD, into: &c.err, buffer: &buffer)
            while let job = c.job, let (status, payload) = WorkerProtocol.takeFrame(&c.out) {
                // Whatever the child printed on stderr before it answered is in the pipe by now.
                drain(&c.errFD, into: &c.err, buffer: &buffer)
                finished.append(Finished(job: job, stdout: payload, stderr: c.err, exitStatus: status, signal: nil,
                                         timedOut: false, wallSeconds: Self.seconds(c.jobStarted.duration(to: .now))))
                c.err.removeAll(keepingCapacity: true)
                c.job = nil
                c.filesDone += 1
                if c.filesDone >= filesPerWorker, c.requestFD >= 0 { close(c.requestFD); c.requestFD = -1 }   // it ends at EOF
            }
            if c.job != nil, let limit = timeLimitSeconds, !c.timedOut,
               c.jobStarted.duration(to: .now) > .milliseconds(Int64(limit * 1000)) {
                kill(c.pid, SIGKILL)
                c.timedOut = true
            }
        }
        // A child has ended when its pipes are closed, or when wait4 says so (a process it started
        // may still hold the pipes open).
        children.removeAll { c in
            let atEOF = c.outFD < 0 && c.errFD < 0
            var status: Int32 = 0
            var usage = rusage()
            var r: pid_t
            repeat { r = wait4(c.pid, &status, atEOF ? 0 : WNOHANG, &usage) } while r < 0 && errno == EINTR
            guard r == c.pid else { return false }
            drain(&c.outFD, into: &c.out, buffer: &buffer)
            drain(&c.errFD, into: &c.err, buffer: &buffer)
            var answer: (status: Int32, payload: [UInt8])? = nil
            if c.job != nil, !c.timedOut { answer = WorkerProtocol.takeFrame(&c.out) }
            for fd in [c.requestFD, c.outFD, c.errFD] where fd >= 0 { close(fd) }
            c.requestFD = -1; c.outFD = -1; c.errFD = -1
            account(usage)
            if let job = c.job {
                let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f      // WIFSIGNALED
                finished.append(Finished(job: job, stdout: answer?.payload ?? [], stderr: c.err,
                                         exitStatus: answer?.status ?? (signalled ? nil : (status >> 8) & 0xff),
                                         signal: answer == nil && signalled ? status & 0x7f : nil,
                                         timedOut: c.timedOut, wallSeconds: Self.seconds(c.jobStarted.duration(to: .now))))
            }
            return true
        }
        return finished
    }

    /// Ends every idle child (EOF on its requests) and waits for them; busy children are stopped.
    public func shutDown() {
        for c in children {
            if c.job != nil { kill(c.pid, SIGKILL) }
            reap(c)
        }
        children.removeAll()
    }

    /// Closes the child's side and waits for it.
    private func reap(_ c: Child) {
        for fd in [c.requestFD, c.outFD, c.errFD] where fd >= 0 { close(fd) }
        c.requestFD = -1; c.outFD = -1; c.errFD = -1
        var status: Int32 = 0
        var usage = rusage()
        while wait4(c.pid, &status, 0, &usage) < 0 && errno == EINTR {}
        account(usage)
    }

    /// Counts an ended child's CPU time and memory.
    private func account(_ usage: rusage) {
        childCPUSeconds += Self.cpuSeconds(usage)
        childPeakResidentMB = max(childPeakResidentMB, Double(usage.ru_maxrss) / 1024)
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

/// The worker's side of the conversation, and the frame both sides read.
public enum WorkerProtocol {
    /// One file to analyse, as one JSON line on the worker's stdin.
    public struct Request: Codable, Sendable {
        public var file: String
        public var options: AnalysisOptions
        public init(file: String, options: AnalysisOptions) { self.file = file; self.options = options }

        public func line() -> String {
            let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)   // JSON strings escape newlines
        }
    }

    static let headerPrefix = Array("voiceqa-worker-result ".utf8)

    /// The frame for one answer: status 0 with digest line + report, or status 1 with a reason.
    public static func frame(status: Int32, payload: [UInt8]) -> [UInt8] {
        Array("voiceqa-worker-result \(status) \(payload.count)\n".utf8) + payload
    }

    /// Removes one complete frame from the front of `buffer`; nil while it is incomplete. Bytes that
    /// are not a frame header (nothing else should be on the channel) become a status-1 answer.
    static func takeFrame(_ buffer: inout [UInt8]) -> (status: Int32, payload: [UInt8])? {
        guard let newline = buffer.firstIndex(of: 0x0A) else { return nil }
        let header = buffer[..<newline]
        let fields = String(decoding: header.dropFirst(headerPrefix.count), as: UTF8.self).split(separator: " ")
        guard header.starts(with: headerPrefix), fields.count == 2, let status = Int32(fields[0]), let count = Int(fields[1]), count >= 0 else {
            let junk = Array(buffer[...newline]); buffer.removeSubrange(...newline)
            return (1, Array("internal error: the worker wrote something that is not an answer: ".utf8) + junk.prefix(200))
        }
        guard buffer.count - (newline + 1) >= count else { return nil }
        let payload = Array(buffer[(newline + 1)..<(newline + 1 + count)])
        buffer.removeSubrange(...(newline + count))
        return (status, payload)
    }
}
