import Foundation

/// Paths between a page and the files it links (a recording, another page).
public enum RelativePath {
    /// `file` relative to the folder `folder` (both made absolute against the current folder, `.`
    /// and `..` resolved), with `/` separators; the file name itself is always kept.
    public static func of(_ file: String, from folder: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func parts(_ p: String) -> [String] {
            let absolute = p.hasPrefix("/") ? p : cwd + "/" + p
            var out: [String] = []
            for c in absolute.split(separator: "/") {
                if c == "." || c.isEmpty { continue }
                if c == ".." { if !out.isEmpty { out.removeLast() }; continue }
                out.append(String(c))
            }
            return out
        }
        let from = parts(folder), to = parts(file)
        var common = 0
        while common < from.count && common < to.count - 1 && from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }
}
