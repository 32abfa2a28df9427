// The demo's comparison table on synthetic run records: methods as rows in the order asked,
// values rounded once and shown identically in Markdown and CSV, and a well-formed grouped bar
// chart with three bars per method and the chance line.

import Foundation
import Testing
@testable import VLEvaluation

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("method comparison")
struct MethodComparisonTests {
    /// Base-to-novel records of three methods on one dataset, written and read back as run folders.
    static func report() throws -> Report {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vlcompare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let environment = RunEnvironment(
            toolchain: "Swift 6.3", operatingSystem: "Linux", architecture: "x86_64", cores: 2, threads: 2,
            gitCommit: nil)
        let results: [(String, Double, Double)] = [("zeroshot", 43.402, 41.667), ("coop", 48.958, 30.125), ("k&g", 47, 44)]
        for (method, base, novel) in results {
            let metrics = { (top1: Double) in
                ClassificationMetrics(count: 576, top1: top1, top5: nil, meanPerClassAccuracy: top1, macroF1: top1)
            }
            let record = RunRecord(
                method: method, options: .object([:]), dataset: "world:shapes", shots: 16, seed: 1,
                subsample: .base, model: ModelIdentity(name: "world-clip"), environment: environment,
                evaluations: ["base": metrics(base), "novel": metrics(novel)])
            try RunDirectory(root.appendingPathComponent(method)).write(record)
        }
        return try Report(runs: try LoadedRun.load(from: [root]))
    }

    static let methods = [("zeroshot", "Zero-shot CLIP"), ("coop", "CoOp"), ("k&g", "K<G>")]

    @Test("rows follow the given order; Markdown and CSV show the same rounded numbers")
    func tables() throws {
        let comparison = try MethodComparison(
            report: try Self.report(), dataset: "world:shapes", methods: Self.methods,
            chance: BaseNovelScore(base: 5.56, novel: 5.56))
        #expect(comparison.rows.map(\.method) == ["zeroshot", "coop", "k&g"])
        #expect(comparison.rows[0].cells == [43.4, 41.67, 42.52])
        let markdown = comparison.markdown().split(separator: "\n").map(String.init)
        #expect(markdown[0] == "| Method | Base | Novel | HM |")
        #expect(markdown[2] == "| Zero-shot CLIP | 43.40 | 41.67 | 42.52 |")
        #expect(markdown[3] == "| CoOp | 48.96 | 30.13 | 37.30 |")
        #expect(markdown.last == "| Chance | 5.56 | 5.56 | 5.56 |")
        let csv = comparison.csv().split(separator: "\n").map(String.init)
        #expect(csv == [
            "method,base,novel,hm", "zeroshot,43.40,41.67,42.52", "coop,48.96,30.13,37.30", "k&g,47.00,44.00,45.45",
            "chance,5.56,5.56,5.56",
        ])
    }

    @Test("a method without results is an error naming it")
    func missing() throws {
        #expect(throws: ComparisonError.missingResult(method: "maple", dataset: "world:shapes")) {
            try MethodComparison(
                report: try Self.report(), dataset: "world:shapes", methods: [("maple", "MaPLe")],
                chance: BaseNovelScore(base: 5, novel: 5))
        }
    }

    @Test("the chart is well-formed SVG: three labelled bars per method, a legend and the chance line")
    func chart() throws {
        let comparison = try MethodComparison(
            report: try Self.report(), dataset: "world:shapes", methods: Self.methods,
            chance: BaseNovelScore(base: 5.56, novel: 5.56))
        let svg = comparison.svg()
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "SVG must parse as XML: \(String(describing: parser.parserError))")
        // The background, 3 bars × 3 methods and 3 legend swatches.
        #expect(counter.counts["rect"] == 1 + 9 + 3)
        #expect(svg.contains(">K&lt;G&gt;</text>") && svg.contains(">49.0</text>") && svg.contains("chance 5.56%"))
        #expect(svg.contains("stroke-dasharray"))
        #expect(MethodComparison.axisTop([43.4, 5.56]) == 50 && MethodComparison.axisTop([0]) == 10)
        #expect(MethodComparison.axisTop([99.5]) == 100)
    }
}

/// Counts elements by name.
private final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        counts[name, default: 0] += 1
    }
}
