// A ``MethodComparison`` as a self-contained grouped bar chart (SVG): one group per method with
// Base, Novel and HM bars labelled with their values, and the chance level as a dashed line.

import Foundation

extension MethodComparison {
    /// Chart geometry in SVG pixels.
    struct ChartLayout {
        var groupWidth = 150.0, barWidth = 34.0, plotHeight = 260.0
        var left = 56.0, right = 20.0, top = 44.0, bottom = 70.0
    }

    /// The three bars of a group, with Tableau 10 colours (as the few-shot curve).
    static let series: [(name: String, color: String)] = [
        ("Base", "#4e79a7"), ("Novel", "#f28e2b"), ("HM", "#59a14f"),
    ]

    /// The grouped bar chart as an SVG document.
    public func svg() -> String {
        let layout = ChartLayout()
        let width = layout.left + Double(max(rows.count, 1)) * layout.groupWidth + layout.right
        let height = layout.top + layout.plotHeight + layout.bottom
        let top = Self.axisTop((rows + [chance]).flatMap(\.cells))
        let y = { (value: Double) in layout.top + layout.plotHeight * (1 - value / top) }
        var parts = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
                + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\">",
            svgElement("rect", [("width", "100%"), ("height", "100%"), ("fill", "white")]),
            svgText(
                "Base-to-novel accuracy on \(dataset)", x: width / 2, y: 24, size: 15, anchor: "middle", bold: true),
        ]
        for tick in stride(from: 0.0, through: top, by: top / 5) {
            parts.append(svgLine((layout.left, y(tick)), (width - layout.right, y(tick)), color: "rgb(227,227,227)"))
            parts.append(svgText(String(format: "%.0f", tick), x: layout.left - 6, y: y(tick) + 4, size: 11, anchor: "end"))
        }
        parts.append(
            svgText(
                "top-1 accuracy (%)", x: 16, y: layout.top + layout.plotHeight / 2, size: 11, anchor: "middle",
                rotation: -90))
        for (index, row) in rows.enumerated() {
            parts += group(row, x: layout.left + Double(index) * layout.groupWidth, layout: layout, y: y)
        }
        let chanceY = y(chance.base)
        parts.append(svgLine((layout.left, chanceY), (width - layout.right, chanceY), color: "rgb(51,51,51)", dashed: true))
        parts.append(
            svgText(
                String(format: "chance %.2f%%", chance.base), x: width - layout.right, y: chanceY - 4, size: 11,
                anchor: "end"))
        parts.append(legend(x: layout.left, y: height - 16))
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    /// One method's bars, value labels and name.
    private func group(_ row: Row, x: Double, layout: ChartLayout, y: (Double) -> Double) -> [String] {
        let values = row.cells
        let start = x + (layout.groupWidth - Double(values.count) * layout.barWidth) / 2
        var out: [String] = []
        for (offset, value) in values.enumerated() {
            let barX = start + Double(offset) * layout.barWidth
            let barTop = y(value), baseline = y(0)
            out.append(
                svgElement("rect", [
                    ("x", f(barX + 2)), ("y", f(barTop)), ("width", f(layout.barWidth - 4)),
                    ("height", f(baseline - barTop)), ("fill", Self.series[offset].color),
                ]))
            out.append(
                svgText(String(format: "%.1f", value), x: barX + layout.barWidth / 2, y: barTop - 4, size: 10, anchor: "middle"))
        }
        out.append(
            svgText(
                row.title, x: x + layout.groupWidth / 2, y: layout.top + layout.plotHeight + 20, size: 13,
                anchor: "middle"))
        return out
    }

    private func legend(x: Double, y: Double) -> String {
        Self.series.enumerated().map { index, entry in
            let left = x + Double(index) * 90
            return svgElement("rect", [
                ("x", f(left)), ("y", f(y - 10)), ("width", "12"), ("height", "12"), ("fill", entry.color),
            ]) + "\n" + svgText(entry.name, x: left + 18, y: y, size: 12, anchor: "start")
        }.joined(separator: "\n")
    }

    /// The axis maximum: the largest value rounded up to a multiple of 10 (at most 100, at least 10).
    static func axisTop(_ values: [Double]) -> Double {
        min(100, max(10, ((values.max() ?? 0) / 10).rounded(.up) * 10))
    }
}

/// `<name a="…" …/>` with escaped attribute values, in the given order.
func svgElement(_ name: String, _ attributes: [(String, String)]) -> String {
    "<" + name + attributes.map { " \($0.0)=\"\(escaped($0.1))\"" }.joined() + "/>"
}

/// A one-pixel line, optionally dashed.
func svgLine(_ from: (Double, Double), _ to: (Double, Double), color: String, dashed: Bool = false) -> String {
    var attributes = [
        ("x1", f(from.0)), ("y1", f(from.1)), ("x2", f(to.0)), ("y2", f(to.1)), ("stroke", color),
        ("stroke-width", "1"),
    ]
    if dashed { attributes.append(("stroke-dasharray", "6 4")) }
    return svgElement("line", attributes)
}

/// A text label; `rotation` in degrees about its anchor point.
func svgText(
    _ content: String, x: Double, y: Double, size: Int, anchor: String, bold: Bool = false, rotation: Double = 0
) -> String {
    let transform = rotation == 0 ? "" : " transform=\"rotate(\(f(rotation)) \(f(x)) \(f(y)))\""
    return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\""
        + (bold ? " font-weight=\"bold\"" : "") + transform + ">" + escaped(content) + "</text>"
}

/// A coordinate with one decimal.
private func f(_ value: Double) -> String { String(format: "%.1f", value) }
