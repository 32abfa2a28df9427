// `vlprompt linear-probe`: CoOp's linear-probe baseline (lpclip; methods-text.md §2.6): frozen,
// unnormalized image features of the K-shot train and min(K, 4)-shot validation subsets and the
// test split, logistic regression with CoOp's validation search over C, test accuracy recorded
// in a run folder that `vlprompt report` aggregates.

import ArgumentParser
import Foundation
import VLData
import VLEvaluation
import VLProgress
import VLTraining

struct LinearProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-probe",
        abstract: "Logistic regression on frozen image features of K shots per class (CoOp's lpclip).",
        discussion: """
            Prints one JSON object with the test accuracy (the last search step's, as CoOp reports it) \
            and the chosen C. The output folder receives run.json, metrics.json, subset.json and \
            predictions.csv.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Dataset: a CoOp name (EuroSAT, eurosat, …), folder:PATH, list:FILE or world:NAME.")
    var dataset: String
    @Option(help: "Data root holding the CoOp dataset folders.") var root: String?
    @Option(help: "Training examples per class.") var shots = 16
    @Option(help: "Seed for the few-shot subset.") var seed: UInt64 = 1
    @Option(help: "Output folder (default: runs/linear-probe/DATASET/shots_K-seed_S).") var out: String?
    @Option(help: "Images decoded and encoded at once.") var batch = 100
    @Flag(help: "Print only the final JSON (no progress on standard error).") var json = false
    @OptionGroup var imageLoading: ImageLoadingOptions
    @OptionGroup var threading: ThreadOptions

    static let methodName = "linear-probe"

    func validate() throws {
        guard shots >= 1 else { throw ValidationError("--shots must be at least 1, got \(shots)") }
        if batch <= 0 { throw ValidationError("--batch must be positive, got \(batch)") }
    }

    func run() throws { print(try execute()) }

    /// Samples, encodes, searches C, records the run; returns the result JSON line.
    func execute() throws -> String {
        let threads = try threading.apply()
        let startedAt = Date()
        let model = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let identity = model.identity()
        let source = try DataResolution.source(dataset, root: root)
        let run = RunDirectory(URL(fileURLWithPath: out ?? defaultOutput(source.identifier)))
        try FileManager.default.createDirectory(at: run.url, withIntermediateDirectories: true)

        let all = try source.load(imageLoading.dataOptions)
        if !json { warnSkippedItems(all) }
        let subset = try FewShotSampler.sample(all, shots: shots, seed: seed)
        try subset.write(to: run.subsetURL)
        let fewShot = try all.applying(subset, from: run.subsetURL)
        guard !fewShot.items(.validation).isEmpty else {
            throw ValidationError(
                "\(source.identifier) has no separate validation split, which the search over C needs")
        }
        let images = DataResolution.images(for: source)
        let loading = imageLoading.loading(for: model, modelHash: identity.sha256)
        var skipped: [SkippedImage] = []
        func features(_ split: Split) throws -> (LabeledFeatures, [Int]) {
            let data = LabeledImages(fewShot, split: split, images: images)
            let progress = ProgressLine(
                "encode \(split.rawValue)", total: data.count, unit: "images", mode: json ? .quiet : .automatic)
            var done = 0
            let extracted = try extractFeatures(
                of: data, clip: model.clip, preprocessing: model.preprocessing, batchSize: batch, loading: loading
            ) {
                progress.advance(by: $0 - done)
                done = $0
            }
            progress.finish()
            skipped += extracted.skipped
            guard !extracted.indices.isEmpty else {
                throw ValidationError("\(source.identifier) \(split.rawValue): no readable images")
            }
            let labeled = try LabeledFeatures(
                values: extracted.features.array, width: extracted.features.shape[1],
                labels: extracted.indices.map { data.items[$0].label })
            return (labeled, extracted.indices)
        }
        let (train, _) = try features(.train)
        let (validation, _) = try features(.validation)
        let (test, testIndices) = try features(.test)
        let classes = fewShot.classNames.count
        let search = try LinearProbeSearch.run(train: train, validation: validation, test: test, classes: classes)
        if let warning = skippedImagesWarning(skipped), !json { note(warning) }

        let logits = search.model.decisionFunction(test.values).map(Float.init)
        var evaluator = try ClassificationEvaluator(classes: classes)
        try evaluator.add(logits: logits, labels: test.labels)
        let metrics = try evaluator.metrics()
        let predictions = search.model.predict(test.values)
        let testItems = fewShot.items(.test)
        try run.writePredictions(
            zip(testIndices, predictions).map { index, prediction in
                PredictionRow(
                    evaluation: RunRecord.EvaluationKey.test, path: testItems[index].path,
                    label: testItems[index].label, prediction: prediction)
            })
        let evaluations = [RunRecord.EvaluationKey.test: metrics]
        try run.write(
            RunRecord(
                method: Self.methodName,
                options: try JSONValue(
                    encoding: Settings(
                        inverseRegularization: search.inverseRegularization, steps: search.steps,
                        skippedImages: skipped.count)),
                dataset: source.identifier, shots: shots, seed: seed, subsetFile: run.subsetURL.lastPathComponent,
                model: ModelIdentity(name: identity.name, weights: identity.path, sha256: identity.sha256),
                environment: RunEnvironment.current(threads: threads), startedAt: startedAt, finishedAt: Date(),
                evaluations: evaluations))
        return try jsonLine(
            ResultLine(method: Self.methodName, dataset: source.identifier, shots: shots, seed: seed, evaluations: evaluations))
    }

    /// What the run record keeps about the search.
    struct Settings: Encodable {
        /// The C kept at the last step.
        var inverseRegularization: Double
        var steps: [LinearProbeSearch.Step]
        var skippedImages: Int

        enum CodingKeys: String, CodingKey {
            case inverseRegularization = "C"
            case steps
            case skippedImages = "skipped_images"
        }
    }

    private func defaultOutput(_ identifier: String) -> String {
        let name = identifier.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
        return "runs/\(Self.methodName)/\(name)/shots_\(shots)-seed_\(seed)"
    }
}
