// Aggregation of run records into the tables of the CoOp and CoCoOp papers: few-shot
// (methods × shots, per dataset and averaged), base-to-novel (datasets × method Base/Novel/HM),
// and transfer (cross-dataset and domain generalization: methods × target datasets).

import Foundation
import VLData

/// A run record and the folder it came from.
public struct LoadedRun: Sendable {
    /// The run directory (used in messages).
    public var directory: URL
    /// Its record.
    public var record: RunRecord

    /// Pairs a record with its folder.
    public init(directory: URL, record: RunRecord) {
        self.directory = directory
        self.record = record
    }

    /// Every `run.json` at or below each of `paths`, in path order; a path with none is an error.
    public static func load(from paths: [URL]) throws -> [LoadedRun] {
        var seen = Set<String>(), runs: [LoadedRun] = []
        for path in paths {
            let found = try runDirectories(under: path)
            guard !found.isEmpty else { throw ReportError.noRecords(path) }
            for directory in found where seen.insert(directory.standardizedFileURL.path).inserted {
                runs.append(LoadedRun(directory: directory, record: try RunDirectory(directory).read()))
            }
        }
        return runs
    }

    private static func runDirectories(under path: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw ReportError.missingRecord(path)
        }
        if !isDirectory.boolValue {
            return path.lastPathComponent == "run.json" ? [path.deletingLastPathComponent()] : []
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path.path) else { return [] }
        var found: [URL] = []
        for case let relative as String in enumerator
        where (relative as NSString).lastPathComponent == "run.json" {
            found.append(path.appendingPathComponent(relative).deletingLastPathComponent())
        }
        return found.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}

/// Why runs could not be reported.
public enum ReportError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// No `run.json` where one was expected.
    case missingRecord(URL)
    /// A `run.json` that does not decode.
    case malformedRecord(URL, detail: String)
    /// A directory holding no runs at all.
    case noRecords(URL)
    /// Two runs give the same evaluation of the same (method, dataset, shots, seed).
    case duplicateRuns(URL, URL, detail: String)

    public var description: String {
        switch self {
        case .missingRecord(let url):
            "\(url.path): no run record (expected a run directory holding run.json)"
        case .malformedRecord(let url, let detail):
            "\(url.path): not a valid run record: \(detail)"
        case .noRecords(let url):
            "\(url.path): no run.json found in this directory or below"
        case .duplicateRuns(let first, let second, let detail):
            "\(first.path) and \(second.path) both report \(detail); pass only one of them"
        }
    }

    public var errorDescription: String? { description }
}

/// Tables aggregated over seeds, ready to render as Markdown, CSV or the few-shot curve.
public struct Report: Sendable, Codable {
    /// The metric tabulated.
    public var metric: Metric
    /// Few-shot tables: one per dataset, then the average over datasets (when more than one).
    public var fewShot: [FewShotTable]
    /// The base-to-novel table, when any run evaluated base or novel classes.
    public var baseToNovel: BaseToNovelTable?
    /// Transfer tables, one per (source dataset, shots).
    public var transfer: [TransferTable]

    /// Aggregates `runs`, reading `metric` from each evaluation.
    public init(runs: [LoadedRun], metric: Metric = .top1) throws {
        let merged = try MergedRun.merge(runs)
        self.metric = metric
        fewShot = FewShotTable.tables(merged, metric: metric)
        baseToNovel = BaseToNovelTable.table(merged, metric: metric)
        transfer = TransferTable.tables(merged, metric: metric)
    }

    /// Whether there is nothing to show.
    public var isEmpty: Bool { fewShot.isEmpty && baseToNovel == nil && transfer.isEmpty }
}

/// All evaluations of one (method, dataset, shots, seed), merged across run directories (a
/// base-to-novel experiment may train and test in separate runs, as CoOp's scripts do).
struct MergedRun {
    var method: String
    var dataset: String
    var shots: Int?
    var seed: UInt64
    var evaluations: [String: ClassificationMetrics]
    var sources: [String: URL]

    static func merge(_ runs: [LoadedRun]) throws -> [MergedRun] {
        var merged: [String: MergedRun] = [:], order: [String] = []
        for run in runs {
            let record = run.record
            let key = "\(record.method)|\(record.dataset)|\(record.shots ?? 0)|\(record.seed)"
            if merged[key] == nil {
                order.append(key)
                merged[key] = MergedRun(
                    method: record.method, dataset: record.dataset, shots: record.shots,
                    seed: record.seed, evaluations: [:], sources: [:])
            }
            for (evaluation, metrics) in record.evaluations {
                if let earlier = merged[key]!.sources[evaluation] {
                    throw ReportError.duplicateRuns(
                        earlier, run.directory,
                        detail: "'\(evaluation)' for \(record.method) on \(record.dataset), "
                            + "\(record.shots.map { "\($0) shots" } ?? "no shots"), seed \(record.seed)")
                }
                merged[key]!.evaluations[evaluation] = metrics
                merged[key]!.sources[evaluation] = run.directory
            }
        }
        return order.map { merged[$0]! }
    }
}

/// Orders dataset names as CoOp's tables do (the benchmark order), others alphabetically after.
func datasetOrder(_ a: String, _ b: String) -> Bool {
    let position = { (name: String) in DatasetName.allCases.firstIndex { $0.rawValue == name } ?? Int.max }
    let (pa, pb) = (position(a), position(b))
    return pa != pb ? pa < pb : a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// Groups `values` by a key, keeping keys in first-appearance order.
func orderedGroups<Key: Hashable, Value>(
    _ values: [Value], by key: (Value) -> Key
) -> [(key: Key, values: [Value])] {
    var groups: [Key: [Value]] = [:], order: [Key] = []
    for value in values {
        let k = key(value)
        if groups[k] == nil { order.append(k) }
        groups[k, default: []].append(value)
    }
    return order.map { ($0, groups[$0]!) }
}
