// OpenAI → Hugging Face `CLIPModel` key names (formats.md §3.2–3.3): the inverse of
// CheckpointNames.openAINames, as transformers' conversion script maps the two layouts.

import VLNN
import VLTensor

extension CheckpointNames {
    /// Converts an OpenAI-named state dict to Hugging Face `CLIPModel` names: `in_proj_*` is
    /// split into equal query, key and value thirds and the two projections are transposed.
    /// A key that is not an OpenAI ViT CLIP name is an error naming it.
    public static func huggingFaceNames(
        fromOpenAI tensors: [String: Tensor], origin: String
    ) throws -> [String: Tensor] {
        let inverseRenames = Dictionary(uniqueKeysWithValues: renames.map { ($0.value, $0.key) })
        var converted: [String: Tensor] = [:]
        var unknown: [String] = []
        for (name, tensor) in tensors {
            if let target = inverseRenames[name] {
                converted[target] = tensor
            } else if name == "text_projection" {
                converted["text_projection.weight"] = tensor.transposed()
            } else if name == "visual.proj" {
                converted["visual_projection.weight"] = tensor.transposed()
            } else if let (blockPrefix, rest) = splitOpenAIBlock(name) {
                if let parts = splitInProjection(rest, tensor) {
                    for (part, value) in parts { converted[blockPrefix + part] = value }
                } else if let (hf, openAI) = blockRenames.first(where: { rest.hasPrefix($0.1) }) {
                    converted[blockPrefix + hf + rest.dropFirst(openAI.count)] = tensor
                } else {
                    unknown.append(name)
                }
            } else {
                unknown.append(name)
            }
        }
        if !unknown.isEmpty { throw ParameterError.unexpected(names: unknown.sorted(), source: origin) }
        return converted
    }

    /// `attn.in_proj_weight` / `attn.in_proj_bias` as `self_attn.{q,k,v}_proj.{weight,bias}`
    /// (thirds along the first axis), or nil for any other block key.
    static func splitInProjection(_ rest: String, _ tensor: Tensor) -> [(String, Tensor)]? {
        let kinds = ["attn.in_proj_weight": "weight", "attn.in_proj_bias": "bias"]
        guard let kind = kinds[rest] else { return nil }
        let third = tensor.shape[0] / 3
        return ["q_proj", "k_proj", "v_proj"].enumerated().map { index, part in
            ("self_attn.\(part).\(kind)", tensor.slice(alongAxis: 0, index * third..<(index + 1) * third))
        }
    }

    /// `visual.transformer.resblocks.3.rest` → (`vision_model.encoder.layers.3.`, `rest`),
    /// likewise for the text tower.
    static func splitOpenAIBlock(_ name: String) -> (String, String)? {
        for (openAI, hf) in [
            ("visual.transformer.resblocks.", "vision_model.encoder.layers."),
            ("transformer.resblocks.", "text_model.encoder.layers."),
        ] where name.hasPrefix(openAI) {
            let tail = name.dropFirst(openAI.count)
            guard let dot = tail.firstIndex(of: "."), let index = Int(tail[..<dot]) else { return nil }
            return ("\(hf)\(index).", String(tail[tail.index(after: dot)...]))
        }
        return nil
    }
}
