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
    @OptionGroup var recipeOptions: RecipeOptions
    @Option(help: "Classes to train and test on: base, novel or all.") var subsample: ClassSubsample = .all
    @Option(help: "JSON file with method options; omitted fields take the paper's values.") var options: String?
    @Option(help: "Output folder (default: runs/METHOD/DATASET/shots_K-seed_S).") var out: String?
    @Flag(help: "Print only the final JSON (no progress on standard error).") var json = false
    @OptionGroup var imageLoading: ImageLoadingOptions
    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        guard shots >= 1 else { throw ValidationError("--shots must be at least 1, got \(shots)") }
    }

    func run() throws { print(try execute()) }

    /// Trains, evaluates and records; returns the result JSON line.
    func execute() throws -> String {
        let threads = try threading.apply()
        let resolved = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let source = try DataResolution.source(dataset, root: root)
        let recipe = recipeOptions.applied(to: method.officialRecipe(shots: shots, dataset: source.identifier))
        let run = PromptRun(
            configuration: try methodConfiguration(dataset: source.identifier), recipe: recipe, shots: shots,
            seed: seed, subsample: subsample, directory: URL(fileURLWithPath: out ?? defaultOutput(source.identifier)),
            imageLoading: imageLoading)
        let evaluations = try run.execute(
            resolved: resolved, source: source, threads: threads, progress: json ? nil : TrainingProgress())
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

    /// The method's options: `--options`, else the paper's for `dataset` (per-dataset templates).
    private func methodConfiguration(dataset: String) throws -> MethodConfiguration {
        guard let options else { return MethodConfiguration(kind: method, dataset: dataset) }
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

/// Progress lines on standard error: one per epoch, one per finished evaluation.
final class TrainingProgress: RunProgress {
    func training(_ event: TrainingEvent) {
        switch event {
        case .started(let epochs, let steps, let first):
            note("training \(epochs) epochs of \(steps) steps" + (first > 0 ? ", resuming at epoch \(first + 1)" : ""))
        case .epochFinished(let epoch, let loss):
            note(String(format: "epoch %d: mean loss %.4f", epoch + 1, loss))
        case .prepared(let passes, let items):
            note("fitted the method's state on \(items) training images, \(passes) pass\(passes == 1 ? "" : "es")")
        case .selectedOnValidation(let items):
            note("selected hyperparameters on \(items) validation images")
        case .epochStarted, .stepFinished, .checkpointSaved:
            break
        }
    }

    func evaluating(_ name: String, done: Int, of total: Int) {
        if done == total { note("evaluated \(total) images") }
    }
}
