// The three table shapes of the CoOp/CoCoOp papers, built from merged runs.

import Foundation

/// Few-shot results for one dataset (or the average): methods × shots.
public struct FewShotTable: Sendable, Codable, Equatable {
    /// One method's cells, aligned with ``FewShotTable/shots``.
    public struct Row: Sendable, Codable, Equatable {
        /// The method.
        public var method: String
        /// Mean ± standard deviation per shot count; `nil` where the method has no runs (in the
        /// average table: where some dataset lacks the cell).
        public var cells: [Summary?]
    }

    /// The dataset, or ``averageName`` for the average over datasets.
    public var dataset: String
    /// Shot counts in column order; 0 stands for zero-shot (no shots).
    public var shots: [Int]
    /// Rows, methods in alphabetical order.
    public var rows: [Row]
    /// How many datasets an average table is over (1 for a dataset's own table).
    public var datasetCount: Int

    /// The name of the average table.
    public static let averageName = "Average"

    static func tables(_ runs: [MergedRun], metric: Metric) -> [FewShotTable] {
        let relevant = runs.filter { $0.evaluations[RunRecord.EvaluationKey.test]?.value(metric) != nil }
        let byDataset = orderedGroups(relevant, by: \.dataset).sorted { datasetOrder($0.key, $1.key) }
        var tables = byDataset.map { table(dataset: $0.key, runs: $0.values, metric: metric) }
        if tables.count > 1, let average = average(tables) { tables.append(average) }
        return tables
    }

    private static func table(dataset: String, runs: [MergedRun], metric: Metric) -> FewShotTable {
        let shots = Array(Set(runs.map { $0.shots ?? 0 })).sorted()
        let methods = Array(Set(runs.map(\.method))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let rows = methods.map { method in
            Row(method: method, cells: shots.map { count in
                let values = runs.filter { $0.method == method && ($0.shots ?? 0) == count }
                    .compactMap { $0.evaluations[RunRecord.EvaluationKey.test]?.value(metric) }
                return values.isEmpty ? nil : Summary(values: values)
            })
        }
        return FewShotTable(dataset: dataset, shots: shots, rows: rows, datasetCount: 1)
    }

    /// Per (method, shots): the mean of the datasets' means, only where every dataset has the
    /// cell (an average over a subset of datasets would not be comparable to the paper's).
    private static func average(_ tables: [FewShotTable]) -> FewShotTable? {
        let shots = Array(Set(tables.flatMap(\.shots))).sorted()
        let methods = Array(Set(tables.flatMap { $0.rows.map(\.method) }))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let rows = methods.map { method in
            Row(method: method, cells: shots.map { count in
                let cells = tables.map { table -> Summary? in
                    guard let column = table.shots.firstIndex(of: count),
                        let row = table.rows.first(where: { $0.method == method })
                    else { return nil }
                    return row.cells[column]
                }
                return cells.contains { $0 == nil } ? nil : Summary.average(cells.compactMap { $0 })
            })
        }.filter { $0.cells.contains { $0 != nil } }
        guard !rows.isEmpty else { return nil }
        return FewShotTable(dataset: averageName, shots: shots, rows: rows, datasetCount: tables.count)
    }
}

/// Base-to-novel results: Base/Novel/HM per dataset and method (CoCoOp Table 1).
public struct BaseToNovelTable: Sendable, Codable, Equatable {
    /// One method's result on one dataset.
    public struct Cell: Sendable, Codable, Equatable {
        /// Base accuracy over seeds.
        public var base: Summary
        /// Novel accuracy over seeds.
        public var novel: Summary
        /// HM of the two means.
        public var harmonicMean: Double
    }

    /// One dataset (or the average), cells aligned with ``BaseToNovelTable/methods``.
    public struct Row: Sendable, Codable, Equatable {
        /// The dataset, or ``FewShotTable/averageName``.
        public var dataset: String
        /// A cell per method; `nil` where the method lacks base or novel results.
        public var cells: [Cell?]
    }

    /// Methods in the order their runs were given.
    public var methods: [String]
    /// Dataset rows, then the average over datasets (HM of the averaged Base and Novel).
    public var rows: [Row]

    static func table(_ runs: [MergedRun], metric: Metric) -> BaseToNovelTable? {
        typealias Key = RunRecord.EvaluationKey
        let relevant = runs.filter { $0.evaluations[Key.base] != nil || $0.evaluations[Key.novel] != nil }
        guard !relevant.isEmpty else { return nil }
        var methods: [String] = []
        for run in relevant where !methods.contains(run.method) { methods.append(run.method) }
        let datasets = Array(Set(relevant.map(\.dataset))).sorted(by: datasetOrder)
        var rows = datasets.map { dataset in
            Row(dataset: dataset, cells: methods.map { method in
                let runs = relevant.filter { $0.dataset == dataset && $0.method == method }
                let base = runs.compactMap { $0.evaluations[Key.base]?.value(metric) }
                let novel = runs.compactMap { $0.evaluations[Key.novel]?.value(metric) }
                guard !base.isEmpty, !novel.isEmpty else { return nil }
                let (b, n) = (Summary(values: base), Summary(values: novel))
                return Cell(base: b, novel: n, harmonicMean: harmonicMeanOf(b.mean, n.mean))
            })
        }
        if datasets.count > 1 {
            rows.append(Row(dataset: FewShotTable.averageName, cells: methods.indices.map { column in
                let cells = rows.compactMap { $0.cells[column] }
                guard let base = Summary.average(cells.map(\.base)),
                    let novel = Summary.average(cells.map(\.novel))
                else { return nil }
                return Cell(base: base, novel: novel, harmonicMean: harmonicMeanOf(base.mean, novel.mean))
            }))
        }
        return BaseToNovelTable(methods: methods, rows: rows)
    }
}

/// Cross-dataset or domain-generalization results: methods × target datasets for one source.
public struct TransferTable: Sendable, Codable, Equatable {
    /// One method's cells, aligned with ``TransferTable/targets``.
    public struct Row: Sendable, Codable, Equatable {
        /// The method.
        public var method: String
        /// The source test result (`nil` when not evaluated).
        public var source: Summary?
        /// One cell per target.
        public var cells: [Summary?]
        /// The mean over the targets present.
        public var average: Double?
    }

    /// The training dataset.
    public var sourceDataset: String
    /// Shots per class of the training runs (`nil`: zero-shot or full data).
    public var shots: Int?
    /// Target datasets in column order.
    public var targets: [String]
    /// Rows, methods alphabetical.
    public var rows: [Row]

    static func tables(_ runs: [MergedRun], metric: Metric) -> [TransferTable] {
        let fixed: Set<String> = [
            RunRecord.EvaluationKey.test, RunRecord.EvaluationKey.base, RunRecord.EvaluationKey.novel,
        ]
        let relevant = runs.filter { $0.evaluations.keys.contains { !fixed.contains($0) } }
        let groups = orderedGroups(relevant) { "\($0.dataset)|\($0.shots ?? -1)" }
        return groups.map { group in
            let first = group.values[0]
            let targets = Array(Set(group.values.flatMap(\.evaluations.keys)).subtracting(fixed))
                .sorted(by: datasetOrder)
            let methods = Array(Set(group.values.map(\.method))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let rows = methods.map { method in
                let runs = group.values.filter { $0.method == method }
                let summary = { (key: String) -> Summary? in
                    let values = runs.compactMap { $0.evaluations[key]?.value(metric) }
                    return values.isEmpty ? nil : Summary(values: values)
                }
                let cells = targets.map(summary)
                return Row(
                    method: method, source: summary(RunRecord.EvaluationKey.test), cells: cells,
                    average: Summary.average(cells.compactMap { $0 })?.mean)
            }
            return TransferTable(sourceDataset: first.dataset, shots: first.shots, targets: targets, rows: rows)
        }.sorted { datasetOrder($0.sourceDataset, $1.sourceDataset) }
    }
}
