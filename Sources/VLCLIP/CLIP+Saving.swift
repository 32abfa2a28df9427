// Saving a CLIP in the Hugging Face `CLIPModel` layout (formats.md §3.2): a transformers-style
// config.json and model.safetensors, so saved models load through the same path as real weights.

import Foundation
import VLFormats
import VLNN
import VLTensor

/// The element type weights are stored as.
public enum WeightStorage: String, Sendable, CaseIterable {
    /// 32-bit floats: saving and loading reproduce the model exactly.
    case float32
    /// 16-bit floats (rounded to nearest even): half the size; loading widens them to F32.
    case float16

    var elementType: ElementType {
        switch self {
        case .float32: .float32
        case .float16: .float16
        }
    }
}

extension CLIP {
    /// Writes `config.json` and `model.safetensors` into `folder` (created if needed), each file
    /// atomically, in the layout ``load(from:configuration:)`` and transformers read.
    ///
    /// - Parameter metadata: extra string pairs for the safetensors header (`format: pt` is always set).
    public func save(
        huggingFaceFolder folder: URL, storage: WeightStorage = .float32, metadata: [String: String] = [:]
    ) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = configuration.huggingFaceJSON()
        try AtomicFile.write(config, to: folder.appendingPathComponent("config.json"))
        let openAI = Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.name, $0.tensor) })
        let tensors = try CheckpointNames.huggingFaceNames(fromOpenAI: openAI, origin: folder.path)
        var writer = SafeTensorsWriter(metadata: metadata.merging(["format": "pt"]) { _, fixed in fixed })
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            try writer.add(name, floats: tensor.scalars, shape: tensor.shape, as: storage.elementType)
        }
        try writer.write(to: folder.appendingPathComponent("model.safetensors"))
    }
}

extension CLIPConfiguration {
    /// A transformers-style `CLIPConfig` as JSON (sorted keys, indented): the fields
    /// ``init(huggingFaceJSON:file:)`` reads, plus the constants transformers writes.
    public func huggingFaceJSON() -> Data {
        let root: [String: Any] = [
            "architectures": ["CLIPModel"],
            "model_type": "clip",
            "projection_dim": embeddingWidth,
            "logit_scale_init_value": 2.6592,
            "initializer_factor": 1.0,
            "text_config": huggingFaceTextFields(),
            "vision_config": huggingFaceVisionFields(),
        ]
        return Data((Self.json(root, indent: "") + "\n").utf8)
    }

    /// Sorted, indented JSON of the config's values. Doubles keep a decimal point (`1.0`, not
    /// JSONSerialization's `1`), which transformers' strict config fields insist on.
    static func json(_ value: Any, indent: String) -> String {
        let inner = indent + "  "
        switch value {
        case let object as [String: Any]:
            let members = object.keys.sorted().map { key in
                "\(inner)\(json(key, indent: inner)): \(json(object[key]!, indent: inner))"
            }
            return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
        case let array as [String]:
            return "[" + array.map { json($0, indent: inner) }.joined(separator: ", ") + "]"
        case let string as String:
            return "\"" + string + "\""  // Only fixed identifiers: nothing to escape.
        case let integer as Int:
            return "\(integer)"
        case let double as Double:
            return "\(double)"
        default:
            preconditionFailure("unsupported JSON value \(value)")
        }
    }

    private func huggingFaceTextFields() -> [String: Any] {
        let eos: Int
        switch text.pooling {
        case .argmaxTokenID: eos = 2  // The legacy marker for argmax pooling.
        case .firstTokenID(let id): eos = id
        }
        return [
            "model_type": "clip_text_model",
            "vocab_size": text.vocabularySize,
            "hidden_size": text.width,
            "intermediate_size": text.mlpWidth,
            "num_hidden_layers": text.layers,
            "num_attention_heads": text.heads,
            "max_position_embeddings": text.contextLength,
            "hidden_act": text.activation.rawValue,
            "layer_norm_eps": Self.decimal(text.layerNormEpsilon),
            "bos_token_id": 0, "eos_token_id": eos, "pad_token_id": 1,
            "projection_dim": embeddingWidth,
            "attention_dropout": 0.0, "initializer_factor": 1.0, "initializer_range": 0.02,
        ]
    }

    private func huggingFaceVisionFields() -> [String: Any] {
        [
            "model_type": "clip_vision_model",
            "hidden_size": vision.width,
            "intermediate_size": vision.mlpWidth,
            "num_hidden_layers": vision.layers,
            "num_attention_heads": vision.heads,
            "image_size": vision.imageSize,
            "patch_size": vision.patchSize,
            "num_channels": 3,
            "hidden_act": vision.activation.rawValue,
            "layer_norm_eps": Self.decimal(vision.layerNormEpsilon),
            "projection_dim": embeddingWidth,
            "attention_dropout": 0.0, "initializer_factor": 1.0, "initializer_range": 0.02,
        ]
    }

    /// The shortest decimal of a Float as a Double (1e-05, not 9.99999974737875e-06).
    private static func decimal(_ value: Float) -> Double { Double("\(value)")! }
}
