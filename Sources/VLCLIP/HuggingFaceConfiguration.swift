// Reads a Hugging Face `CLIPModel` config.json (formats.md §3.2) into a CLIPConfiguration,
// merging legacy `*_config_dict` overrides over `*_config` as transformers does.

import Foundation
import VLNN

/// Errors from reading a model's configuration.
public enum ConfigurationError: Error, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case missingField(file: String, field: String)
    case invalidField(file: String, field: String, value: String)
    case cannotInfer(origin: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read configuration: \(reason)"
        case .missingField(let file, let field): "\(file): missing field '\(field)'"
        case .invalidField(let file, let field, let value): "\(file): field '\(field)' has invalid value \(value)"
        case .cannotInfer(let origin, let reason): "\(origin): cannot infer the architecture: \(reason)"
        }
    }
}

extension CLIPConfiguration {
    /// Parses the JSON of a Hugging Face CLIP `config.json`; `file` names it in errors.
    public init(huggingFaceJSON data: Data, file: String) throws {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError.unreadable(file: file, reason: "not a JSON object")
            }
            root = object
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError.unreadable(file: file, reason: "invalid JSON (\(error.localizedDescription))")
        }
        let reader = HuggingFaceFields(file: file)
        let textFields = reader.merged(root, "text_config", "text_config_dict")
        let visionFields = reader.merged(root, "vision_config", "vision_config_dict")

        let text = Text(
            contextLength: try reader.int(textFields, "max_position_embeddings", default: 77, section: "text_config"),
            vocabularySize: try reader.int(textFields, "vocab_size", default: 49_408, section: "text_config"),
            width: try reader.int(textFields, "hidden_size", default: 512, section: "text_config"),
            layers: try reader.int(textFields, "num_hidden_layers", default: 12, section: "text_config"),
            heads: try reader.int(textFields, "num_attention_heads", default: 8, section: "text_config"),
            mlpWidth: try reader.int(textFields, "intermediate_size", default: 2048, section: "text_config"),
            activation: try reader.activation(textFields, section: "text_config"),
            layerNormEpsilon: try reader.float(textFields, "layer_norm_eps", default: 1e-5, section: "text_config"),
            pooling: try reader.pooling(textFields))
        let vision = Vision(
            imageSize: try reader.int(visionFields, "image_size", default: 224, section: "vision_config"),
            patchSize: try reader.int(visionFields, "patch_size", default: 32, section: "vision_config"),
            width: try reader.int(visionFields, "hidden_size", default: 768, section: "vision_config"),
            layers: try reader.int(visionFields, "num_hidden_layers", default: 12, section: "vision_config"),
            heads: try reader.int(visionFields, "num_attention_heads", default: 12, section: "vision_config"),
            mlpWidth: try reader.int(visionFields, "intermediate_size", default: 3072, section: "vision_config"),
            activation: try reader.activation(visionFields, section: "vision_config"),
            layerNormEpsilon: try reader.float(visionFields, "layer_norm_eps", default: 1e-5, section: "vision_config"))
        let projection = try reader.int(root, "projection_dim", default: 512, section: "")
        self.init(embeddingWidth: projection, vision: vision, text: text)
        try validate(origin: file)
    }

    /// Checks the numbers are usable (positive, heads divide widths, patches tile the image).
    public func validate(origin: String) throws {
        func check(_ ok: Bool, _ field: String, _ value: Int) throws {
            if !ok { throw ConfigurationError.invalidField(file: origin, field: field, value: "\(value)") }
        }
        for (field, value) in [
            ("projection_dim", embeddingWidth), ("vision.hidden_size", vision.width), ("vision.layers", vision.layers),
            ("vision.heads", vision.heads), ("text.hidden_size", text.width), ("text.layers", text.layers),
            ("text.heads", text.heads), ("text.context_length", text.contextLength),
            ("text.vocab_size", text.vocabularySize), ("vision.patch_size", vision.patchSize),
        ] {
            try check(value > 0, field, value)
        }
        try check(vision.width % vision.heads == 0, "vision.num_attention_heads", vision.heads)
        try check(text.width % text.heads == 0, "text.num_attention_heads", text.heads)
        try check(vision.imageSize % vision.patchSize == 0, "vision.image_size", vision.imageSize)
    }
}

/// Typed access to the loosely typed fields of a Hugging Face config, with errors naming them.
struct HuggingFaceFields {
    let file: String

    /// `base[primary]` with `base[override]` merged over it (legacy configs carry both).
    func merged(_ root: [String: Any], _ primary: String, _ override: String) -> [String: Any] {
        var fields = root[primary] as? [String: Any] ?? [:]
        if let overrides = root[override] as? [String: Any] {
            fields.merge(overrides) { _, new in new }
        }
        return fields
    }

    func int(_ fields: [String: Any], _ key: String, default value: Int, section: String) throws -> Int {
        guard let raw = fields[key] else { return value }
        guard let number = raw as? NSNumber, let exact = Int(exactly: number.doubleValue) else {
            throw ConfigurationError.invalidField(file: file, field: qualified(section, key), value: "\(raw)")
        }
        return exact
    }

    func float(_ fields: [String: Any], _ key: String, default value: Float, section: String) throws -> Float {
        guard let raw = fields[key] else { return value }
        guard let number = raw as? NSNumber else {
            throw ConfigurationError.invalidField(file: file, field: qualified(section, key), value: "\(raw)")
        }
        return number.floatValue
    }

    func activation(_ fields: [String: Any], section: String) throws -> Activation {
        let name = fields["hidden_act"] as? String ?? "quick_gelu"
        switch name {
        case "quick_gelu": return .quickGELU
        case "gelu": return .gelu
        default: throw ConfigurationError.invalidField(file: file, field: qualified(section, "hidden_act"), value: name)
        }
    }

    /// `eos_token_id == 2` is the legacy marker for argmax pooling (formats.md §3.2).
    func pooling(_ fields: [String: Any]) throws -> CLIPConfiguration.TextPooling {
        let eos = try int(fields, "eos_token_id", default: 2, section: "text_config")
        return eos == 2 ? .argmaxTokenID : .firstTokenID(eos)
    }

    private func qualified(_ section: String, _ key: String) -> String {
        section.isEmpty ? key : section + "." + key
    }
}
