// `vlprompt classify`: zero-shot classification as in CLIP (Radford et al. 2021, §3.1.2): each
// label is put into a prompt template, and images are scored by scaled cosine similarity.

import ArgumentParser
import Foundation
import VLCLIP
import VLTensor

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zero-shot classification: the labels whose prompts best match each image.",
        discussion: """
            Each label becomes the text template(label); probabilities are the softmax over labels of \
            exp(logit_scale) · cos(image, text). Prompts longer than the model's context are truncated as \
            CLIP's tokenizer does (end-of-text kept last). An image that cannot be read is reported on \
            standard error, naming the file and the problem; the other images are still classified and \
            the exit status is 1.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(help: ArgumentHelp("Comma-separated class names, e.g. \"cat,dog,bird\".", valueName: "names"))
    var labels: String

    @Option(help: "Prompt template; every {} is replaced by a label.")
    var template = "a photo of a {}."

    @Option(help: "Labels shown per image (at most the number of labels).")
    var top = 5

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Images decoded and encoded at once.")
    var batch = 32

    @OptionGroup var threading: ThreadOptions

    @Argument(help: ArgumentHelp("Image files (JPEG or PNG).", valueName: "image"))
    var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("Give at least one image.") }
        if top <= 0 { throw ValidationError("--top must be positive, got \(top)") }
        if batch <= 0 { throw ValidationError("--batch must be positive, got \(batch)") }
        if !template.contains("{}") { throw ValidationError("--template must contain {} where the label goes") }
        _ = try Self.parseLabels(labels)
    }

    func run() throws {
        if try !execute(console: .standard) { throw ExitCode.failure }
    }

    /// The labels of a comma-separated list, trimmed; empty or repeated labels are errors.
    static func parseLabels(_ list: String) throws -> [String] {
        let names = list.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let empty = names.firstIndex(of: "") {
            throw ValidationError("--labels: label \(empty + 1) of \(names.count) is empty")
        }
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw ValidationError("--labels: '\(name)' appears more than once")
        }
        return names
    }

    /// One label's score for one image.
    struct Score: Codable, Equatable {
        var label: String
        var probability: Float
        var logit: Float
    }

    /// The best labels of one image.
    struct Prediction: Codable, Equatable {
        var image: String
        var top: [Score]
    }

    struct Record: Encodable {
        var labels: [String]
        var template: String
        var predictions: [Prediction]
    }

    /// Classifies every image and prints the predictions to `console`.
    ///
    /// - Returns: whether every image could be read (failures are reported on `console.errors`).
    func execute(console: Console, resolver: ModelResolver = ModelResolver()) throws -> Bool {
        try threading.apply()
        let names = try Self.parseLabels(labels)
        let model = try resolver.resolve(modelOptions, tokenizer: tokenizerOptions)
        let prompts = names.map { template.replacingOccurrences(of: "{}", with: $0) }
        let textFeatures = model.clip.encodeText(try model.tokenize(prompts))
        var predictions: [Prediction] = []
        let failures = try model.encodeImages(images, batchSize: batch, console: console) { indices, imageFeatures in
            let logits = model.clip.logits(imageFeatures: imageFeatures, textFeatures: textFeatures)
            let batchPredictions = zip(indices, zip(logits.rows, logits.softmax(alongAxis: -1).rows)).map {
                index, scores in
                Prediction(
                    image: images[index], top: Self.best(names, logits: scores.0, probabilities: scores.1, count: top))
            }
            if !json { batchPredictions.forEach { console.output(Self.table($0)) } }
            predictions += batchPredictions
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let record = Record(labels: names, template: template, predictions: predictions)
            console.output(String(decoding: try encoder.encode(record), as: UTF8.self))
        }
        return failures == 0
    }

    /// The `count` highest-probability labels, best first (ties: earlier label first).
    static func best(_ names: [String], logits: [Float], probabilities: [Float], count: Int) -> [Score] {
        let order = names.indices.sorted {
            probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
        }
        return order.prefix(count).map { Score(label: names[$0], probability: probabilities[$0], logit: logits[$0]) }
    }

    /// The image's name, then one line per label: rank, label, probability, logit.
    static func table(_ prediction: Prediction) -> String {
        let width = prediction.top.map(\.label.count).max() ?? 0
        let lines = prediction.top.enumerated().map { rank, score in
            String(format: "%3d. ", rank + 1) + score.label.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %6.2f%%  (logit %.2f)", 100 * score.probability, score.logit)
        }
        return ([prediction.image] + lines).joined(separator: "\n")
    }
}
