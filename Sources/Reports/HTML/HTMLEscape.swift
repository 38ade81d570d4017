/// Escaping for HTML text and attribute values, and percent-encoding for URLs (RFC 3986).
/// Every string that comes from a file (its name, tags) or a rubric passes through here.
public enum HTMLEscape {
    /// `s` as HTML text content: `& < >` escaped (quotes too, so the same text is safe in an attribute).
    public static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline have no place in a page.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// `s` as a double-quoted attribute value (without the quotes).
    public static func attribute(_ s: String) -> String { text(s) }

    /// A relative path as a URL path: each segment percent-encoded as UTF-8 (RFC 3986 §2.1), keeping
    /// only the unreserved characters (§2.3) and the `/` separators. `通话 #1.wav` → `%E9%80%9A%E8%AF%9D%20%231.wav`.
    /// Attribute-escape the result before putting it in a page.
    public static func percentEncodedPath(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        // A first segment holding ":" would read as a scheme; "%3A" above already prevents that.
        return out
    }
}
