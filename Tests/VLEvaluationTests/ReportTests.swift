// Run records and report aggregation on synthetic run.json files: mean ± std over seeds,
// base-to-novel HM of averages, transfer tables, Markdown, CSV and a well-formed SVG curve.

import Foundation
import Testing
import VLData
@testable import VLEvaluation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A scratch folder removed afterwards.
private final class Scratch {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vleval-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: url) }
}

private func metrics(_ top1: Double) -> ClassificationMetrics {
    ClassificationMetrics(count: 100, top1: top1, top5: nil, meanPerClassAccuracy: top1 - 1, macroF1: top1 - 2)
}

private let environment = RunEnvironment(
    toolchain: "Swift 6.3", operatingSystem: "Linux", architecture: "x86_64", cores: 2, threads: 2, gitCommit: nil)

private func record(
    _ method: String, _ dataset: String, shots: Int?, seed: UInt64, _ evaluations: [String: Double]
) -> RunRecord {
    RunRecord(
        method: method, options: .object(["contextLength": .number(16)]), dataset: dataset, shots: shots,
        seed: seed, model: ModelIdentity(name: "ViT-B/16"), environment: environment,
        finishedAt: Date(timeIntervalSince1970: 1_700_000_000),
        evaluations: evaluations.mapValues(metrics))
}

/// Writes `records` as run directories under `root` and loads them back through the files.
private func runs(_ records: [RunRecord], under root: URL) throws -> [LoadedRun] {
    for (index, record) in records.enumerated() {
        try RunDirectory(root.appendingPathComponent("run\(index)/seed\(record.seed)")).write(record)
    }
    return try LoadedRun.load(from: [root])
}

@Suite("run records and reports")
struct ReportTests {
    @Test("a run record round-trips through run.json; metrics.json and predictions are written")
    func recordRoundTrip() throws {
        let scratch = Scratch()
        let directory = RunDirectory(scratch.url.appendingPathComponent("a"))
        let original = record("coop", "EuroSAT", shots: 16, seed: 1, ["test": 80.5])
        #expect(!directory.isComplete)
        try directory.write(original)
        #expect(try directory.read() == original && directory.isComplete)
        let metricsText = try String(contentsOf: directory.metricsURL, encoding: .utf8)
        #expect(metricsText.contains("\"top1\" : 80.5"))
        try directory.writePredictions([PredictionRow(evaluation: "test", path: "a,b.jpg", label: 1, prediction: 1)])
        #expect(try String(contentsOf: directory.predictionsURL, encoding: .utf8)
            == "evaluation,path,label,prediction,correct\ntest,\"a,b.jpg\",1,1,1\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        #expect(leftovers == ["metrics.json", "predictions.csv", "run.json"])
    }

    @Test("options of any Encodable type are kept as JSON")
    func jsonValue() throws {
        struct Options: Codable {
            var contextLength = 16
            var initialWords: String? = "a photo of a"
            var flags = [true, false]
        }
        let value = try JSONValue(encoding: Options())
        #expect(value == .object([
            "contextLength": .number(16), "initialWords": .string("a photo of a"),
            "flags": .array([.bool(true), .bool(false)]),
        ]))
        let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }

    @Test("few-shot tables: mean and population std over seeds, averages over datasets")
    func fewShot() throws {
        let scratch = Scratch()
        var records: [RunRecord] = []
        for (seed, value) in zip(1...3, [70.0, 72.0, 74.0]) {
            records.append(record("coop", "EuroSAT", shots: 1, seed: UInt64(seed), ["test": value]))
            records.append(record("coop", "EuroSAT", shots: 16, seed: UInt64(seed), ["test": value + 10]))
            records.append(record("coop", "DescribableTextures", shots: 16, seed: UInt64(seed), ["test": value - 20]))
        }
        records.append(record("zeroshot", "EuroSAT", shots: nil, seed: 1, ["test": 48]))
        let report = try Report(runs: runs(records, under: scratch.url))
        #expect(report.fewShot.map(\.dataset) == ["DescribableTextures", "EuroSAT", "Average"])
        let euroSAT = report.fewShot[1]
        #expect(euroSAT.shots == [0, 1, 16])
        #expect(euroSAT.rows.map(\.method) == ["coop", "zeroshot"])
        let oneShot = try #require(euroSAT.rows[0].cells[1])
        #expect(oneShot.mean == 72 && oneShot.count == 3)
        #expect(abs(oneShot.standardDeviation! - (8.0 / 3).squareRoot()) < 1e-12)
        #expect(euroSAT.rows[1].cells == [Summary(mean: 48, standardDeviation: nil, count: 1), nil, nil])
        let average = report.fewShot[2]
        #expect(average.datasetCount == 2 && average.rows.map(\.method) == ["coop"])
        #expect(average.rows[0].cells[1] == nil)  // only EuroSAT has 1-shot runs
        #expect(average.rows[0].cells[2] == Summary(mean: 67, standardDeviation: nil, count: 2))

        let markdown = report.markdown()
        #expect(markdown.contains("## Few-shot: EuroSAT"))
        #expect(markdown.contains("| Method | zero-shot | 1 shot | 16 shots |"))
        #expect(markdown.contains("| coop | – | 72.00 ± 1.63 | 82.00 ± 1.63 |"))
        #expect(markdown.contains("## Few-shot: average over 2 datasets"))
        let csv = try #require(report.csvDocuments().first { $0.kind == "few-shot" }).text
        #expect(csv.hasPrefix(
            "dataset,method,zero_shot_mean,zero_shot_std,shots_1_mean,shots_1_std,shots_16_mean,shots_16_std\n"))
        #expect(csv.contains("EuroSAT,coop,,,72.0000,1.6330,82.0000,1.6330\n"))
        #expect(csv.contains("Average,coop,,,,,67.0000,\n") && !csv.contains("Average,zeroshot"))
    }

    @Test("base-to-novel merges base and novel runs; the average HM uses averaged accuracies")
    func baseToNovel() throws {
        let scratch = Scratch()
        let records = [
            record("cocoop", "EuroSAT", shots: 16, seed: 1, ["base": 90]),
            record("cocoop", "EuroSAT", shots: 16, seed: 1, ["novel": 10]),
            record("cocoop", "EuroSAT", shots: 16, seed: 2, ["base": 90, "novel": 10]),
            record("cocoop", "OxfordPets", shots: 16, seed: 1, ["base": 70, "novel": 50]),
        ]
        let report = try Report(runs: runs(records, under: scratch.url))
        let table = try #require(report.baseToNovel)
        #expect(table.rows.map(\.dataset) == ["OxfordPets", "EuroSAT", "Average"])
        let euroSAT = try #require(table.rows[1].cells[0])
        #expect(euroSAT.base.count == 2 && euroSAT.base.mean == 90 && euroSAT.harmonicMean == 18)
        let average = try #require(table.rows[2].cells[0])
        #expect(average.base.mean == 80 && average.novel.mean == 30)
        #expect(abs(average.harmonicMean - 2 * 80 * 30 / 110.0) < 1e-12)
        let markdown = report.markdown()
        #expect(markdown.contains("### Average\n\n| Method | Base | Novel | HM |"))
        #expect(markdown.contains("| cocoop | 80.00 | 30.00 | 43.64 |"))
        #expect(markdown.range(of: "### Average")!.lowerBound < markdown.range(of: "### OxfordPets")!.lowerBound)
        let csv = try #require(report.csvDocuments().first { $0.kind == "base-to-novel" }).text
        #expect(csv.contains("EuroSAT,cocoop,90.0000,0.0000,10.0000,0.0000,18.0000\n"))
        #expect(csv.contains("OxfordPets,cocoop,70.0000,,50.0000,,58.3333\n"))
    }

    @Test("base-to-novel methods keep the order their runs were given, not the alphabet's")
    func baseToNovelOrder() throws {
        let scratch = Scratch()
        let records = [
            record("zeroshot", "EuroSAT", shots: 16, seed: 1, ["base": 50, "novel": 40]),
            record("coop", "EuroSAT", shots: 16, seed: 1, ["base": 60, "novel": 30]),
        ]
        let report = try Report(runs: runs(records, under: scratch.url))
        #expect(try #require(report.baseToNovel).methods == ["zeroshot", "coop"])
        let markdown = report.markdown()
        #expect(markdown.range(of: "| zeroshot |")!.lowerBound < markdown.range(of: "| coop |")!.lowerBound)
    }

    @Test("cross-dataset evaluations form a transfer table with the average over targets")
    func transfer() throws {
        let scratch = Scratch()
        let records = [
            record("coop", "ImageNet", shots: 16, seed: 1, ["test": 71, "ImageNetV2": 64, "ImageNetA": 50]),
            record("coop", "ImageNet", shots: 16, seed: 2, ["test": 73, "ImageNetV2": 66, "ImageNetA": 52]),
        ]
        let report = try Report(runs: runs(records, under: scratch.url))
        let table = try #require(report.transfer.first)
        #expect(table.targets == ["ImageNetV2", "ImageNetA"] && table.shots == 16)
        #expect(table.rows[0].source?.mean == 72 && table.rows[0].average == 58)
        #expect(report.markdown().contains("| coop | 72.00 ± 1.00 | 65.00 ± 1.00 | 51.00 ± 1.00 | 58.00 |"))
    }

    @Test("the same evaluation in two runs is an error naming both; a folder without runs too")
    func duplicates() throws {
        let scratch = Scratch()
        let records = [record("coop", "EuroSAT", shots: 4, seed: 1, ["test": 1]),
                       record("coop", "EuroSAT", shots: 4, seed: 1, ["test": 2])]
        #expect(throws: ReportError.self) { try Report(runs: runs(records, under: scratch.url)) }
        let empty = scratch.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: ReportError.self) { try LoadedRun.load(from: [empty]) }
        try Data("{}".utf8).write(to: empty.appendingPathComponent("run.json"))
        #expect(throws: ReportError.self) { try LoadedRun.load(from: [empty]) }
    }

    @Test("the few-shot curve is well-formed SVG with a line per method and a legend")
    func svg() throws {
        let scratch = Scratch()
        var records: [RunRecord] = []
        for seed in 1...2 {
            for (shots, value) in [(1, 60.0), (2, 64.0), (4, 70.0), (8, 75.0), (16, 80.0)] {
                let seed = UInt64(seed)
                records.append(record("coop", "EuroSAT", shots: shots, seed: seed, ["test": value + Double(seed)]))
                records.append(record("linear <probe> & co", "EuroSAT", shots: shots, seed: seed, ["test": value - 20]))
            }
        }
        records.append(record("zeroshot", "EuroSAT", shots: nil, seed: 1, ["test": 48]))
        let curve = FewShotCurve(try Report(runs: runs(records, under: scratch.url)))
        let svg = curve.svg()
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "SVG must parse as XML: \(String(describing: parser.parserError))")
        #expect(counter.counts["svg"] == 1 && counter.counts["polyline"] == 2)
        #expect(counter.counts["circle", default: 0] == 10 + 2)  // 5 points × 2 methods + 2 legend dots
        #expect(svg.contains("linear &lt;probe&gt; &amp; co") && svg.contains("stroke-dasharray"))
        #expect(svg.contains(">16</text>") && svg.contains("shots per class (log scale)"))
        #expect(curve.yTicks(for: curve.tables[0]) == [40, 50, 60, 70, 80, 90])
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
