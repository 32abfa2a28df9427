// Markdown rendering of a ``Report``: one table per few-shot dataset, the base-to-novel table
// and the transfer tables, each cell `mean ± std` over seeds.

import Foundation

extension Report {
    /// The report as Markdown.
    public func markdown() -> String {
        var sections = [
            "# Results: \(metric.title)",
            "Cells are mean ± standard deviation over seeds (population, as CoOp's "
                + "parse_test_res.py); average rows are means of the per-dataset means.",
        ]
        sections += fewShot.map(markdown)
        if let baseToNovel { sections.append(markdown(baseToNovel)) }
        sections += transfer.map(markdown)
        if isEmpty { sections.append("No runs with results for this metric.") }
        return sections.joined(separator: "\n\n") + "\n"
    }

    private func markdown(_ table: FewShotTable) -> String {
        let title = table.dataset == FewShotTable.averageName
            ? "## Few-shot: average over \(table.datasetCount) datasets"
            : "## Few-shot: \(table.dataset)"
        let header = ["Method"] + table.shots.map(shotTitle)
        let rows = table.rows.map { [$0.method] + $0.cells.map(cellText) }
        return title + "\n\n" + markdownTable(header: header, rows: rows)
    }

    /// CoCoOp's Table 1 layout: the average first, then one small table per dataset with a row
    /// per method and Base, Novel, HM columns.
    private func markdown(_ table: BaseToNovelTable) -> String {
        let ordered = table.rows.filter { $0.dataset == FewShotTable.averageName }
            + table.rows.filter { $0.dataset != FewShotTable.averageName }
        let sections = ordered.map { row -> String in
            let rows = zip(table.methods, row.cells).map { method, cell -> [String] in
                guard let cell else { return [method, "–", "–", "–"] }
                return [method, cell.base.formatted, cell.novel.formatted, String(format: "%.2f", cell.harmonicMean)]
            }
            return "### \(row.dataset)\n\n" + markdownTable(header: ["Method", "Base", "Novel", "HM"], rows: rows)
        }
        return "## Base-to-novel generalization\n\n" + sections.joined(separator: "\n\n")
            + "\n\nHM = 2·Base·Novel/(Base + Novel); the average's HM is taken of the averaged "
            + "Base and Novel."
    }

    private func markdown(_ table: TransferTable) -> String {
        let shots = table.shots.map { ", \($0) shots" } ?? ""
        let header = ["Method", "\(table.sourceDataset) (source)"] + table.targets + ["Average"]
        let rows = table.rows.map { row in
            [row.method, cellText(row.source)] + row.cells.map(cellText)
                + [row.average.map { String(format: "%.2f", $0) } ?? "–"]
        }
        return "## Transfer from \(table.sourceDataset)\(shots)\n\n"
            + markdownTable(header: header, rows: rows)
    }

    private func shotTitle(_ shots: Int) -> String {
        shots == 0 ? "zero-shot" : "\(shots) shot\(shots == 1 ? "" : "s")"
    }

    private func cellText(_ summary: Summary?) -> String { summary?.formatted ?? "–" }
}

/// A GitHub-flavoured Markdown table, first column left-aligned, the others right-aligned.
func markdownTable(header: [String], rows: [[String]]) -> String {
    let escape = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|") }
    var lines = ["| " + header.map(escape).joined(separator: " | ") + " |"]
    lines.append("|" + header.indices.map { $0 == 0 ? " :--- " : " ---: " }.joined(separator: "|") + "|")
    lines += rows.map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
    return lines.joined(separator: "\n")
}
