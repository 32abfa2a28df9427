// `vlprompt zeroshot`: zero-shot CLIP on a dataset split (methods-text.md §2.5) with CoOp's
// per-dataset template, a given template, or the 80-template ImageNet ensemble; prints the
// metrics, optionally writes one JSON line per image with its logits, and with --out records a
// run folder (run.json, metrics.json, predictions.csv) that `vlprompt report` aggregates.

import ArgumentParser
import Foundation
import VLData
import VLEvaluation
import VLFormats
import VLMethods
import VLProgress
import VLTraining

struct ZeroShotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zeroshot",
        abstract: "Zero-shot CLIP accuracy on a dataset split.",
        discussion: """
            The default template is CoOp's for the dataset (e.g. "a centered satellite photo of {}." for \
            EuroSAT); --ensemble averages the normalized text features of the 80 ImageNet templates. With \
            --json one line {"accuracy", "top5", "count", "mean_per_class_accuracy", "macro_f1", "skipped"} \
            (percent) is printed. --predictions-out writes one JSON line per image {"path", "label", \
            "prediction", "logits"}, path as the split file gives it. --out records the test-split run \
            in a folder (run.json, metrics.json, predictions.csv) that `vlprompt report` tabulates as \
            the zero-shot column beside trained methods.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Dataset: a CoOp name (EuroSAT, eurosat, …), folder:PATH, list:FILE or world:NAME.")
    var dataset: String
    @Option(help: "Data root holding the CoOp dataset folders.") var root: String?
    @Option(help: "Split to score: test, val or train.") var split: Split = .test
    @Option(help: "Prompt template; {} is the class name (default: CoOp's template for the dataset).")
    var template: String?
    @Flag(help: "Ensemble the 80 ImageNet templates instead of one template.") var ensemble = false
    @Option(help: ArgumentHelp("Write one JSON line per image here.", valueName: "file.jsonl"))
    var predictionsOut: String?
    @Option(help: ArgumentHelp("Record the run in this folder for `vlprompt report` (test split only).", valueName: "dir"))
    var out: String?
    @Flag(help: "Print one JSON line instead of a summary.") var json = false
    @Option(help: "Images decoded and encoded at once.") var batch = 100
    @Flag(help: "No progress line on standard error.") var quiet = false
    @OptionGroup var imageLoading: ImageLoadingOptions
    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        if ensemble && template != nil { throw ValidationError("give --template or --ensemble, not both") }
        if let template, !template.contains("{}") {
            throw ValidationError("--template must contain {} where the class name goes")
        }
        if batch <= 0 { throw ValidationError("--batch must be positive, got \(batch)") }
        if out != nil && split != .test {
            throw ValidationError("--out records test-split runs; drop --out or use --split test")
        }
    }

    func run() throws {
        let console = Console.standard
        try execute(console: console)
    }

    /// The templates in use for a dataset identifier.
    func templates(for dataset: String) -> [String] {
        if ensemble { return ImageNetTemplates.all }
        if let template { return [template] }
        return ZeroShot.Options(dataset: dataset).templates
    }

    /// Scores the split, writes the predictions if asked, and prints the result to `console`.
    @discardableResult
    func execute(console: Console) throws -> EvaluationResult {
        let threads = try threading.apply()
        let startedAt = Date()
        let model = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let identity = out == nil ? nil : model.identity()
        let source = try DataResolution.source(dataset, root: root)
        let splits = try source.load(imageLoading.dataOptions)
        if !json && !quiet { warnSkippedItems(splits) }
        let data = LabeledImages(splits, split: split, images: DataResolution.images(for: source))
        let method = try ZeroShot(
            options: ZeroShot.Options(templates: templates(for: source.identifier)), clip: model.clip,
            tokenizer: model.tokenizer, classNames: data.classNames, seed: 0)
        let progress = ProgressLine(
            "zero-shot \(source.identifier) \(split.rawValue)", total: data.count, unit: "images",
            mode: json || quiet ? .quiet : .automatic)
        let loading = imageLoading.loading(for: model, modelHash: identity?.sha256)
        let run = { (onBatch: (EvaluatedBatch) throws -> Void) throws -> EvaluationResult in
            var done = 0
            return try evaluate(
                method, clip: model.clip, on: data, batchSize: batch, pipeline: model.pipeline, loading: loading,
                observe: { progress.advance(by: $0 - done); done = $0 }, onBatch: onBatch)
        }
        let result: EvaluationResult
        if let predictionsOut {
            result = try Self.writingPredictions(to: URL(fileURLWithPath: predictionsOut), data: data, run)
        } else {
            result = try run { _ in }
        }
        progress.finish()
        if let out, let identity {
            try record(
                result, in: RunDirectory(URL(fileURLWithPath: out)), data: data, dataset: source.identifier,
                templates: method.options.templates, model: identity, threads: threads, startedAt: startedAt)
        }
        if let warning = skippedImagesWarning(result.skipped), !quiet { console.errors(warning) }
        console.output(
            json
                ? try jsonLine(Summary(result.metrics, skipped: result.skipped.count))
                : summary(result, dataset: source.identifier, templates: method.options.templates.count))
        return result
    }

    /// Writes the run folder: `run.json` and `metrics.json` (method `zeroshot`, no shots, seed 0,
    /// the templates in the options) and `predictions.csv`.
    func record(
        _ result: EvaluationResult, in run: RunDirectory, data: LabeledImages, dataset: String, templates: [String],
        model: PromptFile.Model, threads: Int, startedAt: Date
    ) throws {
        try run.writePredictions(
            zip(result.indices, result.predictions).map { index, prediction in
                PredictionRow(
                    evaluation: RunRecord.EvaluationKey.test, path: data.items[index].path,
                    label: data.items[index].label, prediction: prediction)
            })
        let settings = Settings(
            templates: templates, ensemble: ensemble, split: split.rawValue, skippedImages: result.skipped.count)
        try run.write(
            RunRecord(
                method: Self.methodName, options: try JSONValue(encoding: settings), dataset: dataset, shots: nil,
                seed: 0, model: ModelIdentity(name: model.name, weights: model.path, sha256: model.sha256),
                environment: RunEnvironment.current(threads: threads), startedAt: startedAt, finishedAt: Date(),
                evaluations: [RunRecord.EvaluationKey.test: result.metrics]))
    }

    /// The method's name in run records and reports.
    static let methodName = "zeroshot"

    /// What the run record keeps about the classifier.
    struct Settings: Encodable {
        var templates: [String]
        var ensemble: Bool
        var split: String
        var skippedImages: Int

        enum CodingKeys: String, CodingKey {
            case templates, ensemble, split
            case skippedImages = "skipped_images"
        }
    }

    /// Runs `evaluation`, streaming one JSON line per image into `url` (atomically: the file
    /// appears complete or not at all).
    static func writingPredictions(
        to url: URL, data: LabeledImages,
        _ evaluation: ((EvaluatedBatch) throws -> Void) throws -> EvaluationResult
    ) throws -> EvaluationResult {
        var result: EvaluationResult?
        try AtomicFile.write(to: url) { sink in
            result = try evaluation { batch in
                let logits = batch.logits.rows
                var text = ""
                for (row, index) in batch.indices.enumerated() {
                    let item = data.items[index]
                    let scores = logits[row]
                    let prediction = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
                    text += try jsonLine(
                        PredictionLine(path: item.path, label: item.label, prediction: prediction, logits: scores))
                        + "\n"
                }
                try sink.write(Data(text.utf8))
            }
        }
        return result!
    }

    /// A few readable lines.
    func summary(_ result: EvaluationResult, dataset: String, templates: Int) -> String {
        let metrics = result.metrics
        var lines = [
            "\(dataset) \(split.rawValue): \(metrics.count) images, "
                + (templates == 1 ? "1 template" : "\(templates) templates ensembled"),
            String(format: "top-1 %.2f%%", metrics.top1) + (metrics.top5.map { String(format: ", top-5 %.2f%%", $0) } ?? ""),
            String(format: "mean per-class accuracy %.2f%%, macro-F1 %.2f%%", metrics.meanPerClassAccuracy, metrics.macroF1),
        ]
        if !result.skipped.isEmpty { lines.append("skipped \(result.skipped.count) unreadable images") }
        return lines.joined(separator: "\n")
    }

    /// The `--json` line.
    struct Summary: Encodable {
        var accuracy: Double
        var top5: Double?
        var count: Int
        var meanPerClassAccuracy: Double
        var macroF1: Double
        var skipped: Int

        init(_ metrics: ClassificationMetrics, skipped: Int) {
            accuracy = metrics.top1
            top5 = metrics.top5
            count = metrics.count
            meanPerClassAccuracy = metrics.meanPerClassAccuracy
            macroF1 = metrics.macroF1
            self.skipped = skipped
        }

        enum CodingKeys: String, CodingKey {
            case accuracy, top5, count, skipped
            case meanPerClassAccuracy = "mean_per_class_accuracy"
            case macroF1 = "macro_f1"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accuracy, forKey: .accuracy)
            // null when there are fewer than 5 classes, so the key is always present.
            try container.encode(top5, forKey: .top5)
            try container.encode(count, forKey: .count)
            try container.encode(meanPerClassAccuracy, forKey: .meanPerClassAccuracy)
            try container.encode(macroF1, forKey: .macroF1)
            try container.encode(skipped, forKey: .skipped)
        }
    }

    /// One line of `--predictions-out`.
    struct PredictionLine: Encodable {
        var path: String
        var label: Int
        var prediction: Int
        var logits: [Float]
    }
}

extension Split: ExpressibleByArgument {}
