// Where the command line finds its model, tokenizer, datasets and images: one function each, so
// the defaults (the embedded model) are decided in exactly one place.

import ArgumentParser
import Foundation
import VLCLIP
import VLData
import VLEmbedded
import VLMethods
import VLText
import VLTraining
import VLWorld

/// A model ready to use: weights, the tokenizer its text tower reads, its pixel pipeline and
/// identity.
struct ResolvedModel {
    var clip: CLIP
    var tokenizer: any TextTokenizer
    var pipeline: ImagePipeline
    var identity: PromptFile.Model
}

enum ModelResolution {
    /// The model at `path` (a Hugging Face or open_clip folder, or an OpenAI-named safetensors
    /// file), or the default model when `path` is nil.
    static func resolve(path: String?) throws -> ResolvedModel {
        guard let path else { return try defaultModel() }
        if EmbeddedModel.isEmbedded(path) { return try embeddedModel(named: path) }
        let url = URL(fileURLWithPath: path)
        let clip = try CLIP.load(from: url)
        let identity = PromptFile.Model(
            name: url.deletingPathExtension().lastPathComponent, path: path, sha256: clip.contentHash())
        return ResolvedModel(
            clip: clip, tokenizer: try BPETokenizer(),
            pipeline: ImagePipeline(size: clip.configuration.vision.imageSize),
            identity: identity)
    }

    /// The model used when `--model` is omitted: the one place that decides it.
    static func defaultModel() throws -> ResolvedModel {
        try embeddedModel(named: "world-clip")
    }

    /// The model shipped with VLPrompt under `name` (`world-clip`, `default`).
    static func embeddedModel(named name: String) throws -> ResolvedModel {
        let folder = try EmbeddedModel.folder(named: name)
        let clip = try CLIP.load(from: folder)
        // No path: the model is part of VLPrompt, named rather than located.
        let identity = PromptFile.Model(name: "world-clip", sha256: clip.contentHash())
        return ResolvedModel(
            clip: clip, tokenizer: try BPETokenizer(), pipeline: ImagePipeline(size: clip.configuration.vision.imageSize),
            identity: identity)
    }
}

enum DataResolution {
    /// Every dataset spelling: CoOp benchmarks, `folder:`, `list:` and `world:NAME`.
    static let catalog = DatasetCatalog(providers: ["world": { try WorldDatasetSource(name: $0) }])

    /// The source named `name`, with CoOp benchmarks under `root`.
    static func source(_ name: String, root: String?) throws -> any DatasetSource {
        try catalog.source(named: name, root: root.map { URL(fileURLWithPath: $0) })
    }

    /// Where the pixels of `source`'s items come from.
    static func images(for source: any DatasetSource) -> any ImageSource {
        if let world = source as? WorldDatasetSource { return WorldImages(dataset: world.dataset) }
        return ImageFiles()
    }
}

extension MethodKind: ExpressibleByArgument {}
extension ClassSubsample: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

/// Prints a progress or warning line on standard error (standard output carries results).
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// One sorted-key JSON line.
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
