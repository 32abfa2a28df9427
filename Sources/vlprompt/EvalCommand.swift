// `vlprompt eval`: a saved prompt on any dataset's test split — its own (few-shot), the novel
// classes (base-to-novel), another dataset (cross-dataset transfer) or a shifted domain (domain
// generalization). The prompt is rebuilt for the target's class names; nothing is trained.

import ArgumentParser
import Foundation
import VLData
import VLEvaluation
import VLMethods
import VLTraining

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a saved prompt on a dataset's test split, rebuilt for its class names.")

    @Option(help: "Prompt file written by `vlprompt train`.") var prompt: String
    @Option(help: "Dataset: a CoOp name, folder:PATH, list:FILE or world:NAME.") var dataset: String
    @Option(help: "Data root holding the CoOp dataset folders.") var root: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Classes to test on: base, novel or all.") var subsample: ClassSubsample = .all
    @Option(help: "Images per evaluation batch.") var batchSize = 100
    @Flag(help: "Evaluate even when the model's content hash differs from the prompt's.") var ignoreModelHash = false
    @Flag(help: "Print only the final JSON.") var json = false
    @OptionGroup var imageLoading: ImageLoadingOptions
    @OptionGroup var threading: ThreadOptions

    func run() throws { print(try execute()) }

    /// Evaluates; returns the result JSON line.
    func execute() throws -> String {
        try threading.apply()
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: prompt))
        let resolved = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let identity = resolved.identity()
        try checkModel(file, identity, ignore: ignoreModelHash)
        let source = try DataResolution.source(dataset, root: root)
        let loaded = try source.load(imageLoading.dataOptions)
        if !json { warnSkippedItems(loaded) }
        let splits = loaded.subsampled(subsample)
        let method = try file.makeMethod(
            clip: resolved.clip, tokenizer: resolved.tokenizer, classNames: splits.promptClassNames, origin: prompt)
        let data = LabeledImages(splits, split: .test, images: DataResolution.images(for: source))
        let key = subsample == .all ? RunRecord.EvaluationKey.test : subsample.rawValue
        let progress = json ? nil : TrainingProgress()
        let result = try evaluated(
            method, resolved: resolved, data: data, batchSize: batchSize,
            loading: imageLoading.loading(for: resolved, modelHash: identity.sha256)
        ) { progress?.evaluating(key, done: $0, of: data.count) }
        if let warning = skippedImagesWarning(result.skipped) { note(warning) }
        return try jsonLine(
            ResultLine(
                method: file.configuration.kind.rawValue, dataset: source.identifier, evaluations: [key: result.metrics]
            ))
    }
}

/// Refuses (or warns about) a prompt learned on other weights.
func checkModel(_ file: PromptFile, _ identity: PromptFile.Model, ignore: Bool) throws {
    guard let expected = file.model.sha256, let actual = identity.sha256, expected != actual else { return }
    let message =
        "the prompt was learned on \(file.model.name) (sha256 \(expected.prefix(12))…), "
        + "but the model given has sha256 \(actual.prefix(12))…"
    if ignore {
        note("warning: " + message)
    } else {
        throw ValidationError(message + "; pass --ignore-model-hash to use it anyway")
    }
}
