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
    static let axisColor = "rgb(51,51,51)", gridColor = "rgb(227,227,227)"

    let tables: [FewShotTable]
    let metric: Metric
    let methods: [String]
    let layout = Layout()

    /// A curve for `report`'s few-shot tables.
    public init(_ report: Report) {
        tables = report.fewShot.filter { $0.shots.contains { $0 > 0 } }
        metric = report.metric
        methods = Array(Set(tables.flatMap { $0.rows.map(\.method) }))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether there is anything to draw (some run with shots).
    public var isEmpty: Bool { tables.isEmpty }

    /// The SVG document.
    public func svg() -> String {
        let columns = max(1, min(layout.columns, tables.count))
        let gridRows = (tables.count + columns - 1) / columns
        let legendHeight = Double((methods.count + 3) / 4) * layout.legendRowHeight + 16
        let width = Double(columns) * layout.panelWidth
        let height = Double(gridRows) * layout.panelHeight + legendHeight
        var parts = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
                + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\">",
            element("rect", [("width", "100%"), ("height", "100%"), ("fill", "white")]),
        ]
        for (index, table) in tables.enumerated() {
            let origin = (
                x: Double(index % columns) * layout.panelWidth,
                y: Double(index / columns) * layout.panelHeight)
            parts.append(panel(table, at: origin))
        }
        parts.append(legend(top: Double(gridRows) * layout.panelHeight + 8, width: width))
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    // MARK: - Panels

    /// The plotting area of one panel and its data-to-pixel scales.
    struct Plot {
        var x: Double, y: Double, width: Double, height: Double
        var logShots: ClosedRange<Double>
        var values: ClosedRange<Double>

        /// Horizontal position of `shots` on the log2 axis.
        func x(shots: Int) -> Double {
            x + (log2(Double(shots)) - logShots.lowerBound) / (logShots.upperBound - logShots.lowerBound) * width
        }

        /// Vertical position of `value`.
        func y(value: Double) -> Double {
            y + height - (value - values.lowerBound) / (values.upperBound - values.lowerBound) * height
        }
    }

    private func panel(_ table: FewShotTable, at origin: (x: Double, y: Double)) -> String {
        let shots = table.shots.filter { $0 > 0 }
        let (low, high) = (log2(Double(shots.first!)), log2(Double(shots.last!)))
        let pad = max(0.3, (high - low) * 0.06)
        let ticks = yTicks(for: table)
        let plot = Plot(
            x: origin.x + layout.left, y: origin.y + layout.top,
            width: layout.panelWidth - layout.left - layout.right,
            height: layout.panelHeight - layout.top - layout.bottom,
            logShots: (low - pad)...(high + pad), values: ticks.first!...ticks.last!)
        let title = table.dataset == FewShotTable.averageName
            ? "Average over \(table.datasetCount) datasets" : table.dataset
        var out = ["<g>"]
        out.append(text(title, x: plot.x + plot.width / 2, y: origin.y + 20, size: 14, anchor: "middle", bold: true))
        out.append(element("rect", [
            ("x", f(plot.x)), ("y", f(plot.y)), ("width", f(plot.width)), ("height", f(plot.height)),
            ("fill", "none"), ("stroke", Self.axisColor), ("stroke-width", "1"),
        ]))
        for tick in ticks {
            let y = plot.y(value: tick)
            out.append(line((plot.x, y), (plot.x + plot.width, y), color: Self.gridColor, width: 1))
            out.append(text(tickLabel(tick), x: plot.x - 6, y: y + 4, size: 11, anchor: "end"))
        }
        for count in shots {
            let x = plot.x(shots: count), bottom = plot.y + plot.height
            out.append(line((x, bottom), (x, bottom + 5), color: Self.axisColor, width: 1))
            out.append(text(String(count), x: x, y: bottom + 18, size: 11, anchor: "middle"))
        }
        out.append(text(
            "shots per class (log scale)", x: plot.x + plot.width / 2, y: origin.y + layout.panelHeight - 8,
            size: 11, anchor: "middle"))
        out.append(text(
            metric.title, x: origin.x + 14, y: plot.y + plot.height / 2, size: 11, anchor: "middle",
            rotated: true))
        for row in table.rows {
            out += series(row, shots: table.shots, color: color(of: row.method), plot: plot)
        }
        out.append("</g>")
        return out.joined(separator: "\n")
    }

    /// A method's line, dots and error bars; a zero-shot result as a dashed level.
    private func series(_ row: FewShotTable.Row, shots: [Int], color: String, plot: Plot) -> [String] {
        var out: [String] = []
        if let column = shots.firstIndex(of: 0), let zeroShot = row.cells[column] {
            let y = plot.y(value: zeroShot.mean)
            out.append(line((plot.x, y), (plot.x + plot.width, y), color: color, width: 1.5, dashed: true))
        }
        let points = zip(shots, row.cells).compactMap { count, cell in count > 0 ? cell.map { (count, $0) } : nil }
        if points.count > 1 {
            let coordinates = points.map { "\(f(plot.x(shots: $0.0))),\(f(plot.y(value: $0.1.mean)))" }
            out.append(element("polyline", [
                ("points", coordinates.joined(separator: " ")), ("fill", "none"), ("stroke", color),
                ("stroke-width", "2"),
            ]))
        }
        for (count, summary) in points {
            let x = plot.x(shots: count)
            if let spread = summary.standardDeviation, spread > 0 {
                let (top, bottom) = (plot.y(value: summary.mean + spread), plot.y(value: summary.mean - spread))
                let path = "M\(f(x)),\(f(top)) V\(f(bottom)) M\(f(x - 3)),\(f(top)) H\(f(x + 3)) "
                    + "M\(f(x - 3)),\(f(bottom)) H\(f(x + 3))"
                out.append(element("path", [
                    ("d", path), ("stroke", color), ("stroke-width", "1.2"), ("fill", "none"),
                ]))
            }
            out.append(dot(x, plot.y(value: summary.mean), color: color))
        }
        return out
    }

    /// One entry per method: a line with a dot, or a dashed line for methods that only have
    /// zero-shot results.
    private func legend(top: Double, width: Double) -> String {
        let perRow = 4, columnWidth = width / Double(min(perRow, max(1, methods.count)))
        var out = ["<g>"]
        for (index, method) in methods.enumerated() {
            let x = Double(index % perRow) * columnWidth + 20
            let y = top + Double(index / perRow) * layout.legendRowHeight + 10
            if hasShots(method) {
                out.append(line((x, y), (x + 24, y), color: color(of: method), width: 2))
                out.append(dot(x + 12, y, color: color(of: method)))
            } else {
                out.append(line((x, y), (x + 24, y), color: color(of: method), width: 1.5, dashed: true))
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

    private func color(of method: String) -> String {
        Self.palette[(methods.firstIndex(of: method) ?? 0) % Self.palette.count]
    }

    // MARK: - Scales and elements

    /// About five round tick values covering every mean ± std in the table.
    func yTicks(for table: FewShotTable) -> [Double] {
        let values = table.rows.flatMap { row in
            row.cells.compactMap { $0 }.flatMap { summary in
                [summary.mean - (summary.standardDeviation ?? 0), summary.mean + (summary.standardDeviation ?? 0)]
            }
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

    private func line(
        _ from: (Double, Double), _ to: (Double, Double), color: String, width: Double, dashed: Bool = false
    ) -> String {
        var attributes = [
            ("x1", f(from.0)), ("y1", f(from.1)), ("x2", f(to.0)), ("y2", f(to.1)), ("stroke", color),
            ("stroke-width", String(width)),
        ]
        if dashed { attributes.append(("stroke-dasharray", "6 4")) }
        return element("line", attributes)
    }

    private func dot(_ x: Double, _ y: Double, color: String) -> String {
        element("circle", [
            ("cx", f(x)), ("cy", f(y)), ("r", "3.5"), ("fill", color), ("stroke", "white"),
            ("stroke-width", "1"),
        ])
    }

    private func text(
        _ content: String, x: Double, y: Double, size: Int, anchor: String, bold: Bool = false,
        rotated: Bool = false
    ) -> String {
        let transform = rotated ? " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" : ""
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\""
            + (bold ? " font-weight=\"bold\"" : "") + transform + ">" + escaped(content) + "</text>"
    }

    /// `<name a="…" …/>` with escaped attribute values, in the given order.
    private func element(_ name: String, _ attributes: [(String, String)]) -> String {
        "<" + name + attributes.map { " \($0.0)=\"\(escaped($0.1))\"" }.joined() + "/>"
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
