// The record every run writes as `run.json`: what ran (method, resolved options, dataset,
// shots, seed, subset file, model), where (environment) and how well (metrics per evaluation).
// Reports are built from these records, never scraped from logs (STYLE.md §4.11).

import Foundation
import VLData
import VLFormats

/// The weights a run used.
public struct ModelIdentity: Sendable, Equatable, Codable {
    /// The model's name, e.g. `ViT-B/16`.
    public var name: String
    /// The weights file or folder, as given.
    public var weights: String?
    /// The weights' SHA-256, when computed.
    public var sha256: String?

    /// Creates an identity.
    public init(name: String, weights: String? = nil, sha256: String? = nil) {
        self.name = name
        self.weights = weights
        self.sha256 = sha256
    }
}

/// One run: configuration, environment and results.
public struct RunRecord: Sendable, Equatable, Codable {
    /// The version this code writes.
    public static let currentVersion = 1

    /// Evaluation keys with a fixed meaning; any other key names a target dataset
    /// (cross-dataset or domain-generalization evaluation).
    public enum EvaluationKey {
        /// The dataset's own test split (all classes).
        public static let test = "test"
        /// The test split restricted to base classes.
        public static let base = "base"
        /// The test split restricted to novel classes.
        public static let novel = "novel"
    }

    /// The record format version.
    public var version: Int
    /// The method, as its command-line name (e.g. `coop`, `zeroshot`, `linear-probe`).
    public var method: String
    /// The method's resolved options and the run's other settings, as JSON.
    public var options: JSONValue
    /// The training (or evaluation) dataset identifier.
    public var dataset: String
    /// Shots per class; `nil` for zero-shot or full-data runs.
    public var shots: Int?
    /// The seed.
    public var seed: UInt64
    /// The class subsample trained on (`base` in base-to-novel runs).
    public var subsample: ClassSubsample
    /// The few-shot subset file the run used, relative to the run directory when inside it.
    public var subsetFile: String?
    /// The model.
    public var model: ModelIdentity
    /// Where it ran.
    public var environment: RunEnvironment
    /// When the run started and finished.
    public var startedAt: Date?, finishedAt: Date?
    /// Metrics by evaluation: ``EvaluationKey/test``, ``EvaluationKey/base``,
    /// ``EvaluationKey/novel``, or a target dataset's identifier.
    public var evaluations: [String: ClassificationMetrics]

    /// Creates a record.
    public init(
        method: String, options: JSONValue, dataset: String, shots: Int?, seed: UInt64,
        subsample: ClassSubsample = .all, subsetFile: String? = nil, model: ModelIdentity,
        environment: RunEnvironment, startedAt: Date? = nil, finishedAt: Date? = nil,
        evaluations: [String: ClassificationMetrics] = [:]
    ) {
        self.version = Self.currentVersion
        self.method = method
        self.options = options
        self.dataset = dataset
        self.shots = shots
        self.seed = seed
        self.subsample = subsample
        self.subsetFile = subsetFile
        self.model = model
        self.environment = environment
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.evaluations = evaluations
    }
}

/// A run's output folder: `run.json`, `metrics.json`, `subset.json`, `predictions.csv`, `log.txt`.
public struct RunDirectory: Sendable {
    /// The folder.
    public let url: URL

    /// The folder at `url` (created when writing).
    public init(_ url: URL) { self.url = url }

    /// `run.json`.
    public var recordURL: URL { url.appendingPathComponent("run.json") }
    /// `metrics.json`.
    public var metricsURL: URL { url.appendingPathComponent("metrics.json") }
    /// `subset.json`, the few-shot subset the run used.
    public var subsetURL: URL { url.appendingPathComponent("subset.json") }
    /// `predictions.csv`.
    public var predictionsURL: URL { url.appendingPathComponent("predictions.csv") }
    /// `log.txt`.
    public var logURL: URL { url.appendingPathComponent("log.txt") }

    /// Whether a finished record is already there (so a sweep can skip the run, as Dassl does).
    public var isComplete: Bool {
        (try? read())?.finishedAt != nil
    }

    /// Writes `run.json` and `metrics.json` atomically (temporary file, then rename).
    public func write(_ record: RunRecord) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try AtomicFile.write(encoder.encode(record), to: recordURL)
        try AtomicFile.write(encoder.encode(record.evaluations), to: metricsURL)
    }

    /// Reads `run.json`.
    public func read() throws -> RunRecord {
        let data: Data
        do {
            data = try Data(contentsOf: recordURL)
        } catch {
            throw ReportError.missingRecord(recordURL)
        }
        do {
            let record = try decoder.decode(RunRecord.self, from: data)
            guard record.version == RunRecord.currentVersion else {
                throw ReportError.malformedRecord(
                    recordURL, detail: "version \(record.version); this vlprompt reads \(RunRecord.currentVersion)")
            }
            return record
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError.malformedRecord(recordURL, detail: String(describing: error))
        }
    }

    /// Writes one line per example: `split,path,label,prediction,correct`, atomically.
    public func writePredictions(_ rows: [PredictionRow]) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var text = "evaluation,path,label,prediction,correct\n"
        for row in rows {
            text += [row.evaluation, csvEscaped(row.path), String(row.label), String(row.prediction),
                     row.label == row.prediction ? "1" : "0"].joined(separator: ",") + "\n"
        }
        try AtomicFile.write(Data(text.utf8), to: predictionsURL)
    }

    private var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// One prediction for `predictions.csv`.
public struct PredictionRow: Sendable, Equatable {
    /// The evaluation key (`test`, `base`, `novel`, or a target dataset).
    public var evaluation: String
    /// The item's path as its split file gives it.
    public var path: String
    /// The true label.
    public var label: Int
    /// The predicted label.
    public var prediction: Int

    /// Creates a row.
    public init(evaluation: String, path: String, label: Int, prediction: Int) {
        self.evaluation = evaluation
        self.path = path
        self.label = label
        self.prediction = prediction
    }
}

/// `text`, quoted for CSV when it holds a comma, quote or newline.
func csvEscaped(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
