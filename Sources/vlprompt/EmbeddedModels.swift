// The models shipped with vlprompt, addressed by name in `--model` (one registry, one line per
// model; names are matched exactly).

import Foundation
import VLEmbedded

/// A model shipped with vlprompt.
struct RegisteredModel: Sendable {
    /// What `--model` accepts, e.g. `world-clip`.
    let name: String
    /// The name records use (an alias such as `default` resolves to `world-clip`).
    let canonicalName: String
    /// One line for `--help` and error messages.
    let summary: String
    /// The model's folder or weight file, in any layout ``CLIP/load(from:configuration:)`` reads.
    let location: @Sendable () throws -> URL

    /// A registry entry; `canonicalName` defaults to `name`.
    init(
        name: String, canonicalName: String? = nil, summary: String, location: @escaping @Sendable () throws -> URL
    ) {
        self.name = name
        self.canonicalName = canonicalName ?? name
        self.summary = summary
        self.location = location
    }
}

/// The registry of embedded models.
enum EmbeddedModels {
    /// Every embedded model, in the order `--help` lists them.
    static let all: [RegisteredModel] = ["world-clip", "default"].map { name in
        RegisteredModel(
            name: name, canonicalName: VLEmbedded.EmbeddedModel.names[name] ?? name, summary: "the CLIP pretrained on VLPrompt's procedural world (ships with VLPrompt)",
            location: { try VLEmbedded.EmbeddedModel.folder(named: name) })
    }

    /// The model called exactly `name` among `models`.
    static func named(_ name: String, in models: [RegisteredModel] = all) throws -> RegisteredModel {
        guard let model = models.first(where: { $0.name == name }) else {
            throw ModelArgumentError.unknownName(name, known: models.map(\.name))
        }
        return model
    }
}

/// A `--model`, `--arch` or `--tokenizer` argument that names nothing usable.
enum ModelArgumentError: Error, Equatable, CustomStringConvertible {
    case unknownName(String, known: [String])
    case unknownArchitecture(String)
    case tokenizerMismatch(tokenizerIDs: Int, modelVocabulary: Int, model: String)
    case preprocessingMismatch(file: String, cropSize: Int, imageSize: Int)

    var description: String {
        switch self {
        case .unknownName(let name, let known):
            "unknown model name '\(name)'; known: \(known.isEmpty ? "(none)" : known.joined(separator: ", ")) "
                + "(or give a model folder, a .safetensors file or a .pt/.pth/.bin checkpoint)"
        case .unknownArchitecture(let name):
            "unknown architecture '\(name)'; known: "
                + ModelOptions.architectureNames.joined(separator: ", ")
        case .tokenizerMismatch(let ids, let vocabulary, let model):
            "\(model): the tokenizer produces ids up to \(ids - 1) but the model's vocabulary has "
                + "\(vocabulary) entries; give --tokenizer with the model's vocab.json and merges.txt"
        case .preprocessingMismatch(let file, let crop, let size):
            "\(file): crops images to \(crop) pixels but the model expects \(size)"
        }
    }
}
