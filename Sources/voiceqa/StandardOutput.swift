import ArgumentParser
import Foundation
import Glibc

/// Standard output written with `write(2)`, unbuffered and serialised across threads, so a line is
/// on its way when `write` returns and a failed write (a closed pipe, a full disk) is an error the
/// caller sees instead of a silent loss or a SIGPIPE.
enum StandardOutput {
    struct WriteError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "standard output: write failed: \(String(cString: strerror(code)))" }
    }

    private static let lock = NSLock()

    /// Ignore SIGPIPE once at start-up: a reader that goes away becomes `EPIPE` from `write`.
    static func ignoreBrokenPipeSignal() { signal(SIGPIPE, SIG_IGN) }

    /// Writes all of `text` (plus a newline when `newline`), or throws the first error.
    static func write(_ text: String, newline: Bool = true) throws {
        var bytes = Array(text.utf8)
        if newline { bytes.append(0x0A) }
        lock.lock(); defer { lock.unlock() }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(code: errno)
            }
            offset += n
        }
    }

    /// One line on stderr; errors writing it are ignored (there is nowhere left to say them).
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Writes `text` to standard output; a failed write is one stderr line and exit 1.
func writeOrFail(_ text: String, newline: Bool = true) throws {
    StandardOutput.ignoreBrokenPipeSignal()
    do { try StandardOutput.write(text, newline: newline) } catch {
        StandardOutput.error("voiceqa: \(error)")
        throw ExitCode(ExitCodes.someFilesFailed)
    }
}
