import Checksum
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The project's one SHA-256 (target `Checksum`), under the name Audit's files and clients have always used.
public typealias SHA256 = Checksum.SHA256

extension SHA256 {
    /// The digest of a file's bytes, read in 1 MiB blocks into one buffer (a 500 MB file is never held at once).
    public static func hex(ofFileAt path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AuditError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var h = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError.cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            buffer.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hexString(h.finalize())
    }
}
