import CallAnalysis
import Foundation
import Reports
import Testing
import TestSupport

/// Every key the report prints is documented in docs/schema.md, and the JSON is valid.
struct SchemaDocumentationTests {
    static func documentedKeys() throws -> Set<String> {
        let doc = try String(contentsOf: Fixtures.root.deletingLastPathComponent()
            .appendingPathComponent("docs/schema.md"), encoding: .utf8)
        var keys = Set<String>()
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let key = line.dropFirst(3).prefix { $0 != "`" }
            keys.insert(String(key))
        }
        return keys
    }

    /// Key paths of a JSON value: objects add `.key`, arrays add `[]`.
    static func paths(_ value: Any, prefix: String = "") -> Set<String> {
        var result = Set<String>()
        if let object = value as? [String: Any] {
            for (k, v) in object {
                let p = prefix.isEmpty ? k : "\(prefix).\(k)"
                result.insert(p)
                // Keys that are names documented in a row's text: measure names, the rubric's threshold
                // names, and each evidence kind's value names.
                if k == "notMeasurable" || (prefix.hasPrefix("guidelines") && (k == "thresholds" || k == "values")) { continue }
                result.formUnion(paths(v, prefix: p))
            }
        } else if let array = value as? [Any] {
            for v in array { result.formUnion(paths(v, prefix: prefix + "[]")) }
        }
        return result
    }

    @Test(arguments: ["devcall2_en_00", "devcall_mixed_03"])
    func everyPrintedKeyIsDocumented(stem: String) throws {
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem))
        let json = try ReportRenderer.json(AnalysisReport(analysis))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let documented = try Self.documentedKeys()
        let undocumented = Self.paths(object).subtracting(documented).sorted()
        #expect(undocumented.isEmpty, "not in docs/schema.md: \(undocumented)")
    }

    @Test func monoSpeechFileIsDocumentedToo() throws {
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("speech", "en_ljspeech_LJ001_0001"))
        let object = try JSONSerialization.jsonObject(with: Data(try ReportRenderer.json(AnalysisReport(analysis)).utf8))
        let undocumented = Self.paths(object).subtracting(try Self.documentedKeys()).sorted()
        #expect(undocumented.isEmpty, "not in docs/schema.md: \(undocumented)")
    }
}
