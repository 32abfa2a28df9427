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
        /// Its base and novel accuracy (percent, rounded as ``MethodComparison/rounded(_:)`` does).
        public var score: BaseNovelScore

        /// Creates a row.
        public init(method: String, title: String, score: BaseNovelScore) {
            self.method = method
            self.title = title
            self.score = score
        }
    }

    /// The dataset the methods were trained (on base classes) and tested on.
    public var dataset: String
    /// Rows in display order.
    public var rows: [Row]
    /// Chance accuracy on base and novel classes (100 / classes, percent).
    public var chance: BaseNovelScore

    /// Creates a comparison.
    public init(dataset: String, rows: [Row], chance: BaseNovelScore) {
        self.dataset = dataset
        self.rows = rows
        self.chance = chance
    }

    /// The cells of `report`'s base-to-novel table for `dataset`, one row per `(method, title)`
    /// in that order. Accuracies are seed means rounded to two decimals, so every rendering
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
            return Row(
                method: method, title: title,
                score: BaseNovelScore(base: Self.rounded(cell.base.mean), novel: Self.rounded(cell.novel.mean)))
        }
        self.init(dataset: dataset, rows: rows, chance: chance)
    }

    /// `value` rounded to two decimals, the precision every rendering shows.
    public static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// Base, novel and HM (rounded) of a score: the three numbers every rendering shows.
    public static func cells(_ score: BaseNovelScore) -> [Double] {
        [score.base, score.novel, rounded(score.harmonicMean)]
    }

    /// The table as GitHub Markdown: Method | Base | Novel | HM, then a chance row.
    public func markdown() -> String {
        let format = { (values: [Double]) in values.map { String(format: "%.2f", $0) } }
        let body = rows.map { [$0.title] + format(Self.cells($0.score)) } + [["Chance"] + format(Self.cells(chance))]
        return markdownTable(header: ["Method", "Base", "Novel", "HM"], rows: body)
    }

    /// The table as CSV: `method,base,novel,hm`, one line per method, then `chance`.
    public func csv() -> String {
        let line = { (name: String, score: BaseNovelScore) in
            ([csvEscaped(name)] + Self.cells(score).map { String(format: "%.2f", $0) }).joined(separator: ",")
        }
        let lines = ["method,base,novel,hm"] + rows.map { line($0.method, $0.score) } + [line("chance", chance)]
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
