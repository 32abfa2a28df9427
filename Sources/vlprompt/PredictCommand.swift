// `vlprompt predict`: classify image files with a saved prompt, printing the top-k class names
// with their softmax probabilities.

import ArgumentParser
import Foundation
import VLImage
import VLMethods
import VLTensor

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Classify images with a saved prompt (top-k labels with probabilities).")

    @Option(help: "Prompt file written by `vlprompt train`.") var prompt: String
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Labels to show per image.") var top = 5
    @Option(help: "Class names file (one per line) to classify into instead of the prompt's classes.")
    var classes: String?
    @Flag(help: "Evaluate even when the model's content hash differs from the prompt's.") var ignoreModelHash = false
    @Flag(help: "Print one JSON line per image.") var json = false
    @Argument(help: "Image files (JPEG or PNG).") var images: [String]
    @OptionGroup var threading: ThreadOptions

    struct Prediction: Encodable {
        var image: String
        var labels: [Label]
        struct Label: Encodable {
            var name: String
            var probability: Double
        }
    }

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
    }

    func run() throws { print(try execute(), terminator: "") }

    /// Classifies every image; returns one line per image.
    func execute() throws -> String {
        try threading.apply()
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: prompt))
        let resolved = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        try checkModel(file, resolved.identity(), ignore: ignoreModelHash)
        let names = try classes.map(readClassNames)
        let method = try file.makeMethod(
            clip: resolved.clip, tokenizer: resolved.tokenizer, classNames: names, origin: prompt)
        let preprocessing = resolved.pipeline.evaluation
        var output = ""
        for path in images {
            let pixels = try preprocessing(contentsOf: URL(fileURLWithPath: path))
            let logits = method.logits(for: pixels.reshaped([1] + pixels.shape), clip: resolved.clip)
            let probabilities = logits.softmax(alongAxis: -1).array
            let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(top)
            let prediction = Prediction(
                image: path,
                labels: ranked.map { .init(name: method.classNames[$0], probability: Double(probabilities[$0])) })
            if json {
                output += try jsonLine(prediction) + "\n"
            } else {
                output +=
                    path + ": "
                    + prediction.labels.map { "\($0.name) \(String(format: "%.3f", $0.probability))" }
                    .joined(separator: ", ") + "\n"
            }
        }
        return output
    }

    private func readClassNames(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read --classes \(path)")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--classes \(path) holds no class names") }
        return names
    }
}
