// `vlprompt report` on run.json files written by hand: the files it writes and their content.

import Foundation
import Testing
@testable import vlprompt

@Suite("vlprompt report")
struct ReportCommandTests {
    /// Writes a run.json for `method` on EuroSAT with `shots` and `seed`.
    private func writeRun(_ root: URL, method: String, shots: Int, seed: Int, top1: Double) throws {
        let directory = root.appendingPathComponent("\(method)/\(shots)shots/seed\(seed)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let json = """
            {"version": 1, "method": "\(method)", "options": {}, "dataset": "EuroSAT", "shots": \(shots),
             "seed": \(seed), "subsample": "all", "model": {"name": "ViT-B/16"},
             "environment": {"toolchain": "Swift 6.3", "operatingSystem": "Linux", "architecture": "x86_64",
                             "cores": 2, "threads": 2},
             "evaluations": {"test": {"count": 8100, "top1": \(top1), "meanPerClassAccuracy": \(top1),
                                      "macroF1": \(top1)}}}
            """
        try Data(json.utf8).write(to: directory.appendingPathComponent("run.json"))
    }

    @Test("writes Markdown, CSV and SVG aggregated over seeds")
    func writesFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-report-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        for shots in [1, 2, 4] {
            for seed in 1...3 {
                try writeRun(root, method: "coop", shots: shots, seed: seed, top1: 50 + Double(shots * 5 + seed))
            }
        }
        let output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let command = try ReportCommand.parse([
            root.path, "--markdown", output.appendingPathComponent("r.md").path,
            "--csv", output.appendingPathComponent("r.csv").path,
            "--svg", output.appendingPathComponent("r.svg").path,
        ])
        try command.run()
        let markdown = try String(contentsOf: output.appendingPathComponent("r.md"), encoding: .utf8)
        #expect(markdown.contains("| coop | 57.00 ± 0.82 | 62.00 ± 0.82 | 72.00 ± 0.82 |"))
        let csv = try String(contentsOf: output.appendingPathComponent("r.csv"), encoding: .utf8)
        #expect(csv.contains("EuroSAT,coop,57.0000,0.8165,62.0000,0.8165,72.0000,0.8165"))
        let svg = try String(contentsOf: output.appendingPathComponent("r.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("<polyline"))
    }

    @Test("a folder without runs is an error naming it")
    func noRuns() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-report-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let command = try ReportCommand.parse([root.path])
        #expect(throws: Error.self) { try command.run() }
        #expect(ReportCommand.path("/a/results.csv", suffix: "transfer") == "/a/results-transfer.csv")
        #expect(ReportCommand.path("out", suffix: "few-shot") == "out-few-shot")
    }
}
