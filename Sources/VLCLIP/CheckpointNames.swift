// Key names across checkpoint layouts (formats.md §3.2–3.4): Hugging Face `CLIPModel` names
// mapped to OpenAI's, and OpenAI's `build_model` rule for reading the architecture off shapes.

import VLNN
import VLTensor

/// Translations between checkpoint layouts. The model itself only knows OpenAI's names.
public enum CheckpointNames {
    /// Renames within one transformer block, Hugging Face → OpenAI.
    static let blockRenames: [(String, String)] = [
        ("self_attn.out_proj.", "attn.out_proj."), ("layer_norm1.", "ln_1."), ("layer_norm2.", "ln_2."),
        ("mlp.fc1.", "mlp.c_fc."), ("mlp.fc2.", "mlp.c_proj."),
    ]

    /// Whole-name renames, Hugging Face → OpenAI (projections are handled separately: they transpose).
    static let renames: [String: String] = [
        "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
        "text_model.embeddings.position_embedding.weight": "positional_embedding",
        "text_model.final_layer_norm.weight": "ln_final.weight",
        "text_model.final_layer_norm.bias": "ln_final.bias",
        "vision_model.embeddings.class_embedding": "visual.class_embedding",
        "vision_model.embeddings.patch_embedding.weight": "visual.conv1.weight",
        "vision_model.embeddings.position_embedding.weight": "visual.positional_embedding",
        "vision_model.pre_layrnorm.weight": "visual.ln_pre.weight",
        "vision_model.pre_layrnorm.bias": "visual.ln_pre.bias",
        "vision_model.post_layernorm.weight": "visual.ln_post.weight",
        "vision_model.post_layernorm.bias": "visual.ln_post.bias",
        "logit_scale": "logit_scale",
    ]

    /// Legacy buffers some Hugging Face files still carry; they hold no weights.
    static let ignoredHuggingFace: Set<String> = [
        "text_model.embeddings.position_ids", "vision_model.embeddings.position_ids",
    ]

    /// Converts a Hugging Face `CLIPModel` state dict to OpenAI names: q/k/v projections are
    /// stacked into `in_proj_*` (query, key, value order) and the two projections transposed.
    /// A key that belongs to neither layout is an error naming it.
    public static func openAINames(fromHuggingFace tensors: [String: Tensor], origin: String) throws -> [String: Tensor] {
        var converted: [String: Tensor] = [:]
        var attentionParts: [String: [String: Tensor]] = [:]  // OpenAI prefix → {"q_proj.weight": …}
        var unknown: [String] = []
        for (name, tensor) in tensors {
            if ignoredHuggingFace.contains(name) { continue }
            if let target = renames[name] {
                converted[target] = tensor
            } else if name == "text_projection.weight" {
                converted["text_projection"] = tensor.transposed()
            } else if name == "visual_projection.weight" {
                converted["visual.proj"] = tensor.transposed()
            } else if let (blockPrefix, rest) = splitBlock(name) {
                if let part = ["q_proj.", "k_proj.", "v_proj."].first(where: { rest.hasPrefix("self_attn." + $0) }) {
                    let key = part + rest.dropFirst(("self_attn." + part).count)
                    attentionParts[blockPrefix, default: [:]][key] = tensor
                } else if let (from, to) = blockRenames.first(where: { rest.hasPrefix($0.0) }) {
                    converted[blockPrefix + to + rest.dropFirst(from.count)] = tensor
                } else {
                    unknown.append(name)
                }
            } else {
                unknown.append(name)
            }
        }
        if !unknown.isEmpty { throw ParameterError.unexpected(names: unknown, source: origin) }
        for (blockPrefix, parts) in attentionParts {
            for kind in ["weight", "bias"] {
                let pieces = ["q_proj.", "k_proj.", "v_proj."].map { parts[$0 + kind] }
                guard let q = pieces[0], let k = pieces[1], let v = pieces[2] else {
                    throw ParameterError.missing(name: "\(blockPrefix)attn q/k/v_proj.\(kind)", source: origin)
                }
                converted[blockPrefix + "attn.in_proj_" + kind] = Tensor.concatenated([q, k, v], alongAxis: 0)
            }
        }
        return converted
    }

    /// `text_model.encoder.layers.3.rest` → (`transformer.resblocks.3.`, `rest`), likewise for vision.
    static func splitBlock(_ name: String) -> (String, String)? {
        for (hf, openAI) in [
            ("text_model.encoder.layers.", "transformer.resblocks."),
            ("vision_model.encoder.layers.", "visual.transformer.resblocks."),
        ] where name.hasPrefix(hf) {
            let tail = name.dropFirst(hf.count)
            guard let dot = tail.firstIndex(of: "."), let index = Int(tail[..<dot]) else { return nil }
            return ("\(openAI)\(index).", String(tail[tail.index(after: dot)...]))
        }
        return nil
    }

    /// OpenAI names for a single file's tensors in either layout: a `module.` prefix is removed,
    /// and Hugging Face `CLIPModel` names (any key under `text_model.` or `vision_model.`) are
    /// converted; OpenAI / open_clip names pass through unchanged.
    public static func openAINames(
        fromAnyLayout tensors: [String: Tensor], origin: String
    ) throws -> [String: Tensor] {
        let stripped = strippingModulePrefix(tensors)
        let isHuggingFace = stripped.keys.contains { $0.hasPrefix("text_model.") || $0.hasPrefix("vision_model.") }
        return isHuggingFace ? try openAINames(fromHuggingFace: stripped, origin: origin) : stripped
    }

    /// Removes a `module.` prefix that DataParallel checkpoints put on every key.
    public static func strippingModulePrefix(_ tensors: [String: Tensor]) -> [String: Tensor] {
        guard !tensors.isEmpty, tensors.keys.allSatisfy({ $0.hasPrefix("module.") }) else { return tensors }
        return Dictionary(uniqueKeysWithValues: tensors.map { (String($0.key.dropFirst("module.".count)), $0.value) })
    }
}

extension CLIPConfiguration {
    /// The architecture of an OpenAI-named ViT state dict, read off its shapes as OpenAI's
    /// `build_model` does. Head counts are not stored anywhere, so they are taken as width / 64
    /// (true of every released OpenAI and open_clip ViT); the activation cannot be seen in the
    /// weights and is a parameter (OpenAI weights need QuickGELU).
    public init(inferringFrom tensors: [String: Tensor], origin: String, activation: Activation = .quickGELU) throws {
        func shape(_ name: String) throws -> [Int] {
            guard let tensor = tensors[name] else {
                throw ConfigurationError.cannotInfer(origin: origin, reason: "no '\(name)' (not an OpenAI-layout ViT CLIP)")
            }
            return tensor.shape
        }
        func layerCount(_ prefix: String) -> Int {
            let indices = tensors.keys.compactMap { key -> Int? in
                guard key.hasPrefix(prefix), key.hasSuffix(".attn.in_proj_weight") else { return nil }
                return Int(key.dropFirst(prefix.count).prefix { $0 != "." })
            }
            return Set(indices).count
        }
        let patch = try shape("visual.conv1.weight")
        let positions = try shape("visual.positional_embedding")[0]
        let grid = Int(Double(positions - 1).squareRoot().rounded())
        guard grid * grid + 1 == positions, patch.count == 4 else {
            throw ConfigurationError.cannotInfer(origin: origin, reason: "visual.positional_embedding has \(positions) rows")
        }
        let visionWidth = patch[0], textWidth = try shape("ln_final.weight")[0]
        let vision = Vision(
            imageSize: patch[3] * grid, patchSize: patch[3], width: visionWidth,
            layers: layerCount("visual.transformer.resblocks."), heads: max(1, visionWidth / 64),
            mlpWidth: try shape("visual.transformer.resblocks.0.mlp.c_fc.weight")[0], activation: activation)
        let text = Text(
            contextLength: try shape("positional_embedding")[0], vocabularySize: try shape("token_embedding.weight")[0],
            width: textWidth, layers: layerCount("transformer.resblocks."), heads: max(1, textWidth / 64),
            mlpWidth: try shape("transformer.resblocks.0.mlp.c_fc.weight")[0], activation: activation)
        self.init(embeddingWidth: try shape("text_projection")[1], vision: vision, text: text)
        try validate(origin: origin)
    }
}
