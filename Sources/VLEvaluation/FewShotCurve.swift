// The few-shot curve of the CoOp paper (Fig. 3) as a self-contained SVG: one panel per dataset
// (and the average), accuracy against shots on a log2 axis, one line per method with seed
// spread as error bars; methods without shots (zero-shot) as a dashed level.

import Foundation

/// Draws a report's few-shot tables as an SVG document.
public struct FewShotCurve: Sendable {
    /// Panel geometry in SVG pixels.
    struct Layout {
        var panelWidth = 330.0, panelHeight = 270.0
        var left = 58.0, right = 14.0, top = 32.0, bottom = 46.0
        var columns = 3
        var legendRowHeight = 20.0
    }

    /// Tableau 10, a palette readable in print and for common colour-vision deficiencies.
    static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
        "#9c755f", "#bab0ac",
    ]

    let tables: [FewShotTable]
    let metric: Metric
    let layout = Layout()

    /// A curve for `report`'s few-shot tables.
    public init(_ report: Report) {
        tables = report.fewShot.filter { $0.shots.contains { $0 > 0 } }
        metric = report.metric
    }

    /// Whether there is anything to draw (some run with shots).
    public var isEmpty: Bool { tables.isEmpty }

    /// The SVG document.
    public func svg() -> String {
        let methods = Array(Set(tables.flatMap { $0.rows.map(\.method) }))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let columns = max(1, min(layout.columns, tables.count))
        let gridRows = (tables.count + columns - 1) / columns
        let legendHeight = Double((methods.count + 3) / 4) * layout.legendRowHeight + 16
        let width = Double(columns) * layout.panelWidth
        let height = Double(gridRows) * layout.panelHeight + legendHeight
        var parts = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(f(width))" height="\#(f(height))" "#
                + #"viewBox="0 0 \#(f(width)) \#(f(height))" font-family="Helvetica, Arial, sans-serif">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
        ]
        for (index, table) in tables.enumerated() {
            let x = Double(index % columns) * layout.panelWidth
            let y = Double(index / columns) * layout.panelHeight
            parts.append(panel(table, at: (x, y), methods: methods))
        }
        parts.append(legend(methods, top: Double(gridRows) * layout.panelHeight + 8, width: width))
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    // MARK: - Panels

    private func panel(_ table: FewShotTable, at origin: (x: Double, y: Double), methods: [String]) -> String {
        let plot = (
            x: origin.x + layout.left, y: origin.y + layout.top,
            width: layout.panelWidth - layout.left - layout.right,
            height: layout.panelHeight - layout.top - layout.bottom)
        let shots = table.shots.filter { $0 > 0 }
        let (low, high) = (log2(Double(shots.first!)), log2(Double(shots.last!)))
        let pad = max(0.3, (high - low) * 0.06)
        let xScale = { (shot: Int) in plot.x + (log2(Double(shot)) - low + pad) / (high - low + 2 * pad) * plot.width }
        let ticks = yTicks(for: table)
        let (yLow, yHigh) = (ticks.first!, ticks.last!)
        let yScale = { (value: Double) in plot.y + plot.height - (value - yLow) / (yHigh - yLow) * plot.height }

        let title = table.dataset == FewShotTable.averageName
            ? "Average over \(table.datasetCount) datasets" : table.dataset
        var out = [
            "<g>",
            text(title, x: origin.x + layout.left + plot.width / 2, y: origin.y + 20, size: 14,
                 anchor: "middle", weight: "bold"),
            #"<rect x="\#(f(plot.x))" y="\#(f(plot.y))" width="\#(f(plot.width))" height="\#(f(plot.height))" fill="none" stroke="rgb(51,51,51)" stroke-width="1"/>"#,
        ]
        for tick in ticks {
            let y = yScale(tick)
            out.append(#"<line x1="\#(f(plot.x))" y1="\#(f(y))" x2="\#(f(plot.x + plot.width))" y2="\#(f(y))" stroke="rgb(227,227,227)" stroke-width="1"/>"#)
            out.append(text(tickLabel(tick), x: plot.x - 6, y: y + 4, size: 11, anchor: "end"))
        }
        for shot in shots {
            let x = xScale(shot)
            out.append(#"<line x1="\#(f(x))" y1="\#(f(plot.y + plot.height))" x2="\#(f(x))" y2="\#(f(plot.y + plot.height + 5))" stroke="rgb(51,51,51)" stroke-width="1"/>"#)
            out.append(text(String(shot), x: x, y: plot.y + plot.height + 18, size: 11, anchor: "middle"))
        }
        out.append(text("shots per class (log scale)", x: plot.x + plot.width / 2,
                         y: origin.y + layout.panelHeight - 8, size: 11, anchor: "middle"))
        let labelX = origin.x + 14, labelY = plot.y + plot.height / 2
        out.append(#"<text x="\#(f(labelX))" y="\#(f(labelY))" font-size="11" text-anchor="middle" transform="rotate(-90 \#(f(labelX)) \#(f(labelY)))">\#(escaped(metric.title))</text>"#)
        for row in table.rows {
            let color = Self.palette[(methods.firstIndex(of: row.method) ?? 0) % Self.palette.count]
            out.append(series(row, shots: table.shots, color: color, plot: plot, xScale: xScale, yScale: yScale))
        }
        out.append("</g>")
        return out.joined(separator: "\n")
    }

    private func series(
        _ row: FewShotTable.Row, shots: [Int], color: String,
        plot: (x: Double, y: Double, width: Double, height: Double),
        xScale: (Int) -> Double, yScale: (Double) -> Double
    ) -> String {
        var out: [String] = []
        if let column = shots.firstIndex(of: 0), let zeroShot = row.cells[column] {
            let y = yScale(zeroShot.mean)
            out.append(#"<line x1="\#(f(plot.x))" y1="\#(f(y))" x2="\#(f(plot.x + plot.width))" y2="\#(f(y))" stroke="\#(color)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
        }
        let points = zip(shots, row.cells).compactMap { shot, cell in
            shot > 0 ? cell.map { (shot, $0) } : nil
        }
        if points.count > 1 {
            let path = points.map { "\(f(xScale($0.0))),\(f(yScale($0.1.mean)))" }.joined(separator: " ")
            out.append(#"<polyline points="\#(path)" fill="none" stroke="\#(color)" stroke-width="2"/>"#)
        }
        for (shot, summary) in points {
            let x = xScale(shot), y = yScale(summary.mean)
            if let spread = summary.standardDeviation, spread > 0 {
                let (top, bottom) = (yScale(summary.mean + spread), yScale(summary.mean - spread))
                out.append(#"<path d="M\#(f(x)),\#(f(top)) V\#(f(bottom)) M\#(f(x - 3)),\#(f(top)) H\#(f(x + 3)) M\#(f(x - 3)),\#(f(bottom)) H\#(f(x + 3))" stroke="\#(color)" stroke-width="1.2" fill="none"/>"#)
            }
            out.append(#"<circle cx="\#(f(x))" cy="\#(f(y))" r="3.5" fill="\#(color)" stroke="white" stroke-width="1"/>"#)
        }
        return out.joined(separator: "\n")
    }

    /// One entry per method: a line with a dot, or a dashed line for methods that only have
    /// zero-shot results.
    private func legend(_ methods: [String], top: Double, width: Double) -> String {
        let perRow = 4, columnWidth = width / Double(min(perRow, max(1, methods.count)))
        var out = ["<g>"]
        for (index, method) in methods.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let x = Double(index % perRow) * columnWidth + 20
            let y = top + Double(index / perRow) * layout.legendRowHeight + 10
            if hasShots(method) {
                out.append(#"<line x1="\#(f(x))" y1="\#(f(y))" x2="\#(f(x + 24))" y2="\#(f(y))" stroke="\#(color)" stroke-width="2"/>"#)
                out.append(#"<circle cx="\#(f(x + 12))" cy="\#(f(y))" r="3.5" fill="\#(color)" stroke="white" stroke-width="1"/>"#)
            } else {
                out.append(#"<line x1="\#(f(x))" y1="\#(f(y))" x2="\#(f(x + 24))" y2="\#(f(y))" stroke="\#(color)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
            }
            out.append(text(method, x: x + 30, y: y + 4, size: 12, anchor: "start"))
        }
        out.append("</g>")
        return out.joined(separator: "\n")
    }

    private func hasShots(_ method: String) -> Bool {
        tables.contains { table in
            table.rows.contains { row in
                row.method == method && zip(table.shots, row.cells).contains { $0 > 0 && $1 != nil }
            }
        }
    }

    // MARK: - Scales and text

    /// About five round tick values covering every mean ± std in the table.
    func yTicks(for table: FewShotTable) -> [Double] {
        let values = table.rows.flatMap { row in
            row.cells.compactMap { $0 }.flatMap { [$0.mean - ($0.standardDeviation ?? 0), $0.mean + ($0.standardDeviation ?? 0)] }
        }
        var (low, high) = (values.min() ?? 0, values.max() ?? 100)
        if high - low < 1 { (low, high) = (low - 0.5, high + 0.5) }
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(low / step) * step, last = ceil(high / step) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    private func tickLabel(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    private func text(
        _ content: String, x: Double, y: Double, size: Int, anchor: String, weight: String = "normal"
    ) -> String {
        #"<text x="\#(f(x))" y="\#(f(y))" font-size="\#(size)" text-anchor="\#(anchor)" font-weight="\#(weight)">\#(escaped(content))</text>"#
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// `text` with XML's five special characters escaped.
func escaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(character)
        }
    }
    return out
}
