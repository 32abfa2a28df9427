// `vlprompt report RUN_DIR...`: aggregates run records over seeds into the CoOp/CoCoOp paper
// tables (Markdown, CSV, JSON) and draws the few-shot curve as SVG.

import ArgumentParser
import Foundation
import VLEvaluation
import VLFormats

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Aggregate runs (mean ± std over seeds) into paper-style tables and a few-shot curve.",
        discussion: """
            Each RUN_DIR is a run directory holding run.json, or any folder above such \
            directories (searched recursively). Without --markdown, --csv, --svg or --json the \
            Markdown tables go to standard output.
            """)

    @Argument(help: "Run directories, or folders containing them.")
    var runDirectories: [String]

    @Option(help: "Write the Markdown tables to this file.")
    var markdown: String?

    @Option(help: """
        Write CSV tables here (with -few-shot, -base-to-novel, -transfer suffixes when there are \
        several kinds).
        """)
    var csv: String?

    @Option(help: "Write the few-shot curve (accuracy against shots, one line per method) as SVG.")
    var svg: String?

    @Flag(help: "Print the aggregated report as JSON on standard output.")
    var json = false

    @Option(help: "The metric to tabulate.")
    var metric: Metric = .top1

    func run() throws {
        let runs = try LoadedRun.load(from: runDirectories.map { URL(fileURLWithPath: $0) })
        let report = try Report(runs: runs, metric: metric)
        if let markdown { try write(report.markdown(), to: markdown) }
        if let csv { try writeCSV(report, base: csv) }
        if let svg { try writeSVG(report, to: svg) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else if markdown == nil, csv == nil, svg == nil {
            print(report.markdown(), terminator: "")
        }
    }

    private func writeCSV(_ report: Report, base: String) throws {
        let documents = report.csvDocuments()
        guard !documents.isEmpty else { return note("no tables to write as CSV") }
        for (kind, text) in documents {
            try write(text, to: documents.count == 1 ? base : Self.path(base, suffix: kind))
        }
    }

    private func writeSVG(_ report: Report, to path: String) throws {
        let curve = FewShotCurve(report)
        guard !curve.isEmpty else {
            return note("no few-shot runs (with shots ≥ 1) to draw; \(path) not written")
        }
        try write(curve.svg(), to: path)
    }

    /// `results.csv` + `transfer` → `results-transfer.csv`.
    static func path(_ base: String, suffix: String) -> String {
        let name = base as NSString
        let ext = name.pathExtension
        return name.deletingPathExtension + "-" + suffix + (ext.isEmpty ? "" : "." + ext)
    }

    private func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
        note("wrote \(path)")
    }

    private func note(_ message: String) {
        FileHandle.standardError.write(Data("vlprompt report: \(message)\n".utf8))
    }
}

extension Metric: ExpressibleByArgument {}
