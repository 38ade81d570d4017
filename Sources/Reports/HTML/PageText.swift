import Foundation
import SpeechAnalysis

/// The page's words in one language: a table of sentence templates keyed by message kind
/// (`title.<guideline>`, `target.<guideline>`, `evidence.<kind>`, `reason.<kind>`, `ui.…`).
///
/// Templates name their numbers: `{name:d}` prints the value with d decimals, `{name:+d}` with a sign,
/// `{name:%d}` a ratio as a percentage, `{name}` a string argument. The output is plain text:
/// escape it before it goes into a page.
public struct PageText: Sendable {
    public let language: SpeechLanguage
    let table: [String: String]

    public init(_ language: SpeechLanguage) {
        self.language = language
        table = PageText.tables[language] ?? PageText.en
    }

    static let tables: [SpeechLanguage: [String: String]] = [.en: PageText.en, .zh: PageText.zh, .ja: PageText.ja]

    /// Whether the table has `key` (the page falls back to other text when a rubric brings an unknown id).
    func has(_ key: String) -> Bool { table[key] != nil }

    /// The template `key` with its placeholders filled. A missing key is a bug the table test catches;
    /// the page then shows the English text rather than nothing.
    public func callAsFunction(_ key: String, _ values: [String: Double] = [:], _ strings: [String: String] = [:]) -> String {
        let template = table[key] ?? PageText.en[key] ?? key
        return Self.fill(template, values, strings)
    }

    public static func fill(_ template: String, _ values: [String: Double], _ strings: [String: String]) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let spec = rest[rest.index(after: open)..<close]
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            let name = parts.first ?? ""
            if parts.count == 1, let s = strings[name] {
                out += s
            } else if let v = values[name] {
                out += number(v, format: parts.count > 1 ? parts[1] : "1")
            } else {
                out += "–"
            }
            rest = rest[rest.index(after: close)...]
            if parts.count > 1, rest.first == " ", bindsToNumber(rest.dropFirst()) {
                out += numberUnitSpace
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }

    /// Between a number and its unit: a no-break space, so a line never breaks between them.
    public static let numberUnitSpace = "\u{00A0}"

    /// CJK ideographs, kana and their punctuation and full-width forms.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        (0x3000...0x9FFF).contains(scalar.value) || (0xFF00...0xFFEF).contains(scalar.value)
    }

    /// Latin unit symbols a number keeps on its line ("0.00 %" must not break before the "%").
    static let unitSymbols: Set<Substring> = ["%", "dB", "dBov", "dBFS", "LUFS", "LU", "s", "ms", "st", "Hz", "kHz", "×"]

    /// Whether the text after a number's space is a unit or CJK text, so the space becomes a no-break
    /// space: a unit must stay with its number, and a CJK line may break anywhere after it anyway.
    static func bindsToNumber(_ next: Substring) -> Bool {
        guard let first = next.unicodeScalars.first else { return false }
        if next.hasPrefix("{unit}") { return true }
        if isCJK(first) { return true }
        let word = next.prefix { ($0.isASCII && $0.isLetter) || $0 == "%" || $0 == "×" }
        return unitSymbols.contains(word)
    }

    /// `v` formatted by a template's format: "2" (decimals), "+1" (signed), "%0" (ratio as percent).
    static func number(_ v: Double, format: String) -> String {
        var f = Substring(format)
        var scale = 1.0, signed = false
        if f.hasPrefix("%") { scale = 100; f = f.dropFirst() }
        if f.hasPrefix("+") { signed = true; f = f.dropFirst() }
        return fixed(v * scale, decimals: Int(f) ?? 1, signed: signed)
    }

    /// Fixed-point text without locale, "-0" printed as "0".
    static func fixed(_ v: Double, decimals: Int, signed: Bool = false) -> String {
        var s = String(format: "%.\(max(0, min(6, decimals)))f", v)
        if s.hasPrefix("-"), Double(s) == 0 { s.removeFirst() }
        if signed && !s.hasPrefix("-") && Double(s) != 0 { s = "+" + s }
        if s.hasPrefix("-") { s = "−" + s.dropFirst() }        // a real minus sign
        return s
    }

    /// m:ss, or h:mm:ss from one hour on (whole seconds, rounded down, so a mark never reads later than it is).
    public static func clock(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.isFinite ? seconds.rounded(.down) : 0))
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    /// Every key the page may look up, for the completeness test.
    public static var requiredKeys: [String] {
        var keys = Array(PageText.en.keys)
        keys += GuidelineIDs.all.flatMap { ["title.\($0)", "target.\($0)"] }
        keys += GuidelineIDs.notMeasurableItems.flatMap { ["title.\($0)", "reason.item.\($0)"] }
        return Array(Set(keys)).sorted()
    }
}

extension PageText {
    /// The raw template of `key` in this language (nil when missing): for the table tests.
    public func template(_ key: String) -> String? { table[key] }
    /// Every key of this language's table.
    public var keys: [String] { Array(table.keys) }
}
