// `vlprompt embed`: CLIP features of images and texts (openai/CLIP `encode_image` /
// `encode_text`), projected into the joint space and not normalized.

import ArgumentParser
import Foundation
import VLCLIP
import VLTensor

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print CLIP features of images and texts (projected, not normalized).",
        discussion: """
            Texts longer than the model's context (77 tokens for CLIP) are truncated as CLIP's \
            tokenizer does: the first 75 tokens are kept and end-of-text is forced last. An image that \
            cannot be read (missing, corrupt, truncated, unknown format, zero-sized, unsupported color \
            space) and an empty text are reported on standard error, naming the input and the problem; \
            the other inputs are still embedded and the exit status is 1.
            With --json the output is {"images": [...], "image_features": [[...]], "texts": [...], \
            "text_features": [[...]]}, one feature row per successful input, in input order.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(
        name: .customLong("image"), help: ArgumentHelp("An image file (JPEG or PNG); repeatable.", valueName: "file"))
    var images: [String] = []

    @Option(name: .customLong("text"), help: ArgumentHelp("A text; repeatable.", valueName: "text"))
    var texts: [String] = []

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: "Images decoded and encoded at once.")
    var batch = 32

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        if images.isEmpty && texts.isEmpty { throw ValidationError("Give at least one --image or --text.") }
        if batch <= 0 { throw ValidationError("--batch must be positive, got \(batch)") }
    }

    func run() throws {
        if try !execute(console: .standard) { throw ExitCode.failure }
    }

    /// The features, as printed.
    struct Record: Encodable {
        var images: [String] = []
        var imageFeatures: [[Float]] = []
        var texts: [String] = []
        var textFeatures: [[Float]] = []

        enum CodingKeys: String, CodingKey {
            case images, texts
            case imageFeatures = "image_features"
            case textFeatures = "text_features"
        }
    }

    /// Embeds every input and prints the result to `console`.
    ///
    /// - Returns: whether every input succeeded (failures are reported on `console.errors`).
    func execute(console: Console, resolver: ModelResolver = ModelResolver()) throws -> Bool {
        try threading.apply()
        let model = try resolver.resolve(modelOptions, tokenizer: tokenizerOptions)
        var record = Record()
        let imageFailures = try model.encodeImages(images, batchSize: batch, console: console) { indices, features in
            record.images += indices.map { images[$0] }
            record.imageFeatures += features.rows
        }
        var validTexts: [String] = []
        for (index, text) in texts.enumerated() {
            if model.isEmpty(text) {
                console.errors("error: text \(index + 1) (\(Tokenize.quoted(text))) is empty")
            } else {
                validTexts.append(text)
            }
        }
        if !validTexts.isEmpty {
            record.texts = validTexts
            record.textFeatures = model.clip.encodeText(try model.tokenize(validTexts)).rows
        }
        try print(record, to: console)
        return imageFailures == 0 && validTexts.count == texts.count
    }

    private func print(_ record: Record, to console: Console) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            console.output(String(decoding: try encoder.encode(record), as: UTF8.self))
            return
        }
        for (name, row) in zip(record.images, record.imageFeatures) {
            console.output(Self.summary("image " + name, row))
        }
        for (text, row) in zip(record.texts, record.textFeatures) {
            console.output(Self.summary("text " + Tokenize.quoted(text), row))
        }
    }

    /// `label: N values, norm x: first values …`.
    static func summary(_ label: String, _ row: [Float]) -> String {
        let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let head = row.prefix(6).map { String(format: "%.4f", $0) }.joined(separator: " ")
        return
            "\(label): \(row.count) values, norm \(String(format: "%.4f", norm)): \(head)\(row.count > 6 ? " …" : "")"
    }
}
