// One dataset's base-to-novel results with methods as rows and the chance level beside them, as
// `vlprompt demo` prints them (CoCoOp's Base / Novel / HM columns, methods-text §3.3): Markdown
// and CSV here, a grouped bar chart in MethodComparison+SVG.swift.

import Foundation

/// Base, novel and harmonic-mean accuracy of several methods on one dataset.
public struct MethodComparison: Sendable, Equatable {
    /// One method's result.
    public struct Row: Sendable, Equatable {
        /// The method's command-line name (`coop`).
        public var method: String
        /// How tables and the chart name it (`CoOp`).
        public var title: String
        /// Base, novel and harmonic-mean accuracy (percent), each rounded by
        /// ``MethodComparison/rounded(_:)``; the HM is taken of the unrounded accuracies.
        public var base: Double, novel: Double, harmonicMean: Double

        /// A row for `score`, rounded.
        public init(method: String, title: String, score: BaseNovelScore) {
            self.method = method
            self.title = title
            base = MethodComparison.rounded(score.base)
            novel = MethodComparison.rounded(score.novel)
            harmonicMean = MethodComparison.rounded(score.harmonicMean)
        }

        /// Base, novel and HM: the three numbers every rendering shows.
        public var cells: [Double] { [base, novel, harmonicMean] }
    }

    /// The dataset the methods were trained (on base classes) and tested on.
    public var dataset: String
    /// Rows in display order.
    public var rows: [Row]
    /// Chance accuracy on base and novel classes (100 / classes, percent), as a row.
    public var chance: Row

    /// Creates a comparison.
    public init(dataset: String, rows: [Row], chance: BaseNovelScore) {
        self.dataset = dataset
        self.rows = rows
        self.chance = Row(method: "chance", title: "Chance", score: chance)
    }

    /// The cells of `report`'s base-to-novel table for `dataset`, one row per `(method, title)`
    /// in that order: seed means, rounded once to two decimals so that every rendering
    /// (Markdown, CSV, chart, JSON) shows the same numbers.
    ///
    /// - Throws: ``ComparisonError/missingResult(method:dataset:)`` when a method has no base
    ///   and novel result on `dataset`.
    public init(
        report: Report, dataset: String, methods: [(method: String, title: String)], chance: BaseNovelScore
    ) throws {
        let table = report.baseToNovel
        let row = table?.rows.first { $0.dataset == dataset }
        let rows = try methods.map { method, title in
            guard let table, let row, let column = table.methods.firstIndex(of: method), let cell = row.cells[column]
            else { throw ComparisonError.missingResult(method: method, dataset: dataset) }
            return Row(method: method, title: title, score: BaseNovelScore(base: cell.base.mean, novel: cell.novel.mean))
        }
        self.init(dataset: dataset, rows: rows, chance: chance)
    }

    /// `value` rounded to two decimals, the precision every rendering shows.
    public static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// The table as GitHub Markdown: Method | Base | Novel | HM, then a chance row.
    public func markdown() -> String {
        let body = (rows + [chance]).map { row in [row.title] + row.cells.map { String(format: "%.2f", $0) } }
        return markdownTable(header: ["Method", "Base", "Novel", "HM"], rows: body)
    }

    /// The table as CSV: `method,base,novel,hm`, one line per method, then `chance`.
    public func csv() -> String {
        let lines = ["method,base,novel,hm"] + (rows + [chance]).map { row in
            ([csvEscaped(row.method)] + row.cells.map { String(format: "%.2f", $0) }).joined(separator: ",")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Why a comparison could not be built.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    /// The report lacks a method's base or novel result on the dataset.
    case missingResult(method: String, dataset: String)

    public var description: String {
        switch self {
        case .missingResult(let method, let dataset): "no base and novel results of \(method) on \(dataset)"
        }
    }
}
