// `vlprompt train`: the few-shot and base-to-novel protocols (methods-text.md §3): sample K shots
// per class, keep base, novel or all classes, train with the method's official recipe, save the
// portable prompt, evaluate the last-epoch model on the test split (and on the novel classes
// after base training), and record the run.

import ArgumentParser
import Foundation
import VLCLIP
import VLData
import VLEvaluation
import VLMethods
import VLTraining

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn a prompt on K shots per class and report its test accuracy.",
        discussion: """
            Prints one JSON object on standard output with the test accuracy (base-to-novel runs \
            add the novel accuracy and the harmonic mean); progress goes to standard error. The \
            output folder receives prompt.safetensors, run.json, subset.json and a checkpoint \
            after every epoch; rerunning the same command there resumes an interrupted run.
            """)

    @Option(help: "Method to train.") var method: MethodKind = .coop
    @Option(help: "Dataset: a CoOp name (EuroSAT, eurosat, …), folder:PATH, list:FILE or world:NAME.")
    var dataset: String
    @Option(help: "Data root holding the CoOp dataset folders.") var root: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Training examples per class.") var shots = 16
    @Option(help: "Seed for the few-shot subset, initialization, order and augmentation.") var seed: UInt64 = 1
    @Option(help: "Epochs (default: the method's official value for the shot count).") var epochs: Int?
    @Option(help: "Classes to train and test on: base, novel or all.") var subsample: ClassSubsample = .all
    @Option(help: "JSON file with method options; omitted fields take the paper's values.") var options: String?
    @Option(help: "Output folder (default: runs/METHOD/DATASET/shots_K-seed_S).") var out: String?
    @Flag(help: "Print only the final JSON (no progress on standard error).") var json = false
    @OptionGroup var imageLoading: ImageLoadingOptions
    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        guard shots >= 1 else { throw ValidationError("--shots must be at least 1, got \(shots)") }
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be ≥ 0, got \(epochs)") }
    }

    func run() throws { print(try execute()) }

    /// Trains, evaluates and records; returns the result JSON line.
    func execute() throws -> String {
        let threads = try threading.apply()
        let startedAt = Date()
        let resolved = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let identity = resolved.identity()
        let loading = imageLoading.loading(for: resolved, modelHash: identity.sha256)
        let source = try DataResolution.source(dataset, root: root)
        let directory = URL(fileURLWithPath: out ?? defaultOutput(source.identifier))
        let run = RunDirectory(directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let all = try source.load(imageLoading.dataOptions)
        if !json { warnSkippedItems(all) }
        let subset = try FewShotSampler.sample(all, shots: shots, seed: seed)
        try subset.write(to: run.subsetURL)
        let fewShot = try all.applying(subset, from: run.subsetURL)
        let splits = fewShot.subsampled(subsample)
        let images = DataResolution.images(for: source)
        let trainData = LabeledImages(splits, split: .train, images: images)

        let configuration = try methodConfiguration()
        var recipe = method.officialRecipe(shots: shots, dataset: source.identifier)
        if let epochs { recipe.epochs = epochs }
        let fresh = try configuration.makeMethod(
            clip: resolved.clip, tokenizer: resolved.tokenizer, classNames: trainData.classNames, seed: seed)
        let progress = json ? nil : TrainingProgress()
        let trained = try fit(
            fresh, resolved: resolved, data: trainData, recipe: recipe, seed: seed,
            checkpoints: CheckpointLocation(directory: directory), loading: loading, progress: progress)

        let training = PromptFile.Training(
            dataset: source.identifier, shots: shots, seed: seed, subsample: subsample.rawValue, epochs: recipe.epochs)
        try PromptFile(trained, model: identity, training: training)
            .write(to: directory.appendingPathComponent("prompt.safetensors"))

        var evaluations: [String: ClassificationMetrics] = [:]
        let key = subsample == .all ? RunRecord.EvaluationKey.test : subsample.rawValue
        evaluations[key] = try test(
            trained, resolved: resolved, data: LabeledImages(splits, split: .test, images: images), loading: loading)
        if subsample == .base {
            let novel = fewShot.subsampled(.novel)
            let transferred = try retargeted(trained, to: novel.promptClassNames, resolved: resolved)
            evaluations[RunRecord.EvaluationKey.novel] = try test(
                transferred, resolved: resolved, data: LabeledImages(novel, split: .test, images: images),
                loading: loading)
        }
        try run.write(
            RunRecord(
                method: method.rawValue, options: try JSONValue(encoding: ["method": configuration]),
                dataset: source.identifier, shots: shots, seed: seed, subsample: subsample,
                subsetFile: run.subsetURL.lastPathComponent,
                model: ModelIdentity(
                    name: identity.name, weights: identity.path, sha256: identity.sha256),
                environment: RunEnvironment.current(threads: threads), startedAt: startedAt, finishedAt: Date(),
                evaluations: evaluations))
        return try jsonLine(
            ResultLine(
                method: method.rawValue, dataset: source.identifier, shots: shots, seed: seed, evaluations: evaluations)
        )
    }

    private func defaultOutput(_ identifier: String) -> String {
        let name = identifier.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
        let suffix = subsample == .all ? "" : "-\(subsample.rawValue)"
        return "runs/\(method.rawValue)/\(name)/shots_\(shots)-seed_\(seed)\(suffix)"
    }

    private func methodConfiguration() throws -> MethodConfiguration {
        guard let options else { return MethodConfiguration(kind: method) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: options))
        } catch {
            throw ValidationError("cannot read --options \(options): \(error.localizedDescription)")
        }
        do {
            return try MethodConfiguration(kind: method, optionsJSON: data)
        } catch {
            throw ValidationError("--options \(options) is not valid \(method.rawValue) options: \(error)")
        }
    }

    private func test(
        _ method: any AdaptationMethod, resolved: LoadedModel, data: LabeledImages, loading: LoadingOptions
    ) throws -> ClassificationMetrics {
        let progress = json ? nil : TrainingProgress()
        let result = try evaluated(
            method, resolved: resolved, data: data, batchSize: 100, loading: loading, progress: progress)
        if let warning = skippedImagesWarning(result.skipped) { note(warning) }
        return result.metrics
    }
}

/// The final JSON line of `train` and `eval`.
struct ResultLine: Encodable {
    var method: String
    var dataset: String
    var shots: Int?
    var seed: UInt64?
    var evaluations: [String: ClassificationMetrics]

    enum CodingKeys: String, CodingKey {
        case method, dataset, shots, seed, accuracy, base, novel
        case harmonicMean = "harmonic_mean"
        case metrics
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(dataset, forKey: .dataset)
        try container.encodeIfPresent(shots, forKey: .shots)
        try container.encodeIfPresent(seed, forKey: .seed)
        let base = evaluations[RunRecord.EvaluationKey.base]?.top1
        let novel = evaluations[RunRecord.EvaluationKey.novel]?.top1
        let headline =
            evaluations[RunRecord.EvaluationKey.test] ?? evaluations[RunRecord.EvaluationKey.base]
            ?? evaluations[RunRecord.EvaluationKey.novel]
        try container.encodeIfPresent(headline?.top1, forKey: .accuracy)
        try container.encodeIfPresent(base, forKey: .base)
        try container.encodeIfPresent(novel, forKey: .novel)
        if let base, let novel { try container.encode(harmonicMeanOf(base, novel), forKey: .harmonicMean) }
        try container.encode(evaluations, forKey: .metrics)
    }
}

/// Progress lines on standard error.
final class TrainingProgress {
    func event(_ event: TrainingEvent) {
        switch event {
        case .started(let epochs, let steps, let first):
            note("training \(epochs) epochs of \(steps) steps" + (first > 0 ? ", resuming at epoch \(first + 1)" : ""))
        case .epochFinished(let epoch, let loss):
            note(String(format: "epoch %d: mean loss %.4f", epoch + 1, loss))
        case .epochStarted, .stepFinished, .checkpointSaved:
            break
        }
    }

    func evaluated(_ done: Int, of total: Int) {
        if done == total { note("evaluated \(total) images") }
    }
}

/// Trains an existential method (opened to its concrete type).
func fit(
    _ method: any AdaptationMethod, resolved: LoadedModel, data: LabeledImages, recipe: TrainingRecipe,
    seed: UInt64, checkpoints: CheckpointLocation?, loading: LoadingOptions = .init(), progress: TrainingProgress?
) throws -> any AdaptationMethod {
    func opened<Method: AdaptationMethod>(_ method: Method) throws -> Method {
        var method = method
        let summary = try train(
            &method, clip: resolved.clip, on: data, recipe: recipe, seed: seed, pipeline: resolved.pipeline,
            checkpoints: checkpoints, loading: loading
        ) { progress?.event($0) }
        if let warning = skippedImagesWarning(summary.skipped) { note(warning) }
        return method
    }
    return try opened(method)
}

/// Evaluates an existential method.
func evaluated(
    _ method: any AdaptationMethod, resolved: LoadedModel, data: LabeledImages, batchSize: Int,
    loading: LoadingOptions = .init(), progress: TrainingProgress?
) throws -> EvaluationResult {
    func opened<Method: AdaptationMethod>(_ method: Method) throws -> EvaluationResult {
        try evaluate(
            method, clip: resolved.clip, on: data, batchSize: batchSize, pipeline: resolved.pipeline,
            loading: loading
        ) { progress?.evaluated($0, of: data.count) }
    }
    return try opened(method)
}

/// `method` with prompts rebuilt for `classNames`.
func retargeted(_ method: any AdaptationMethod, to classNames: [String], resolved: LoadedModel) throws
    -> any AdaptationMethod
{
    var copy = method
    try copy.setClassNames(classNames, clip: resolved.clip, tokenizer: resolved.tokenizer)
    return copy
}
