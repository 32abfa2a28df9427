// Shared set-up for the CLIP parity tests: the tiny open_clip model of
// Tests/Fixtures/clip (tools/fixtures/clip.py) and its loss.

import Foundation
import VLNN
import VLTensor
import VLTestSupport
@testable import VLCLIP

enum TinyCLIP {
    /// The architecture tools/fixtures/clip.py builds (its README lists it).
    static let configuration = CLIPConfiguration(
        embeddingWidth: 32,
        vision: .init(imageSize: 32, patchSize: 8, width: 64, layers: 2, heads: 4),
        text: .init(contextLength: 16, vocabularySize: 512, width: 48, layers: 2, heads: 4))

    static func model() throws -> CLIP {
        try CLIP.load(from: Fixture.url("clip/tiny_openai.safetensors"), configuration: configuration)
    }

    static func forward() throws -> Fixture { try Fixture("clip/tiny_forward") }

    /// The token ids of the fixture as rows.
    static func ids(_ fixture: Fixture, key: String = "input_ids") -> [[Int]] {
        let flat = fixture.integers(key)
        let length = configuration.text.contextLength
        return stride(from: 0, to: flat.count, by: length).map { Array(flat[$0..<($0 + length)]) }
    }

    /// L = mean cross-entropy(logits, labels) + 0.1 · Σ textFeatures ⊙ W, as the fixture defines it.
    static func loss(_ clip: CLIP, imageFeatures: Tensor, textFeatures: Tensor, _ fixture: Fixture) -> Tensor {
        let logits = clip.logits(imageFeatures: imageFeatures, textFeatures: textFeatures)
        let crossEntropy = Tensor.crossEntropy(logits: logits, labels: fixture.integers("labels"))
        return crossEntropy + (textFeatures * fixture["loss_text_weight"]).sum() * 0.1
    }
}

/// Hooks reproducing the fixture's prompt variants (methods-visual.md §2.1–2.3).
struct FixtureHooks: CLIPHooks {
    /// (a) replaces positions 1..<1+count at the input of this text block.
    var textPrompt: (layer: Int, tokens: Tensor)?
    /// (b) appended after the patches, before ln_pre.
    var appendedVisionPrompt: Tensor?
    /// (b) replaces the last positions at the input of this vision block.
    var deepVisionPrompt: (layer: Int, tokens: Tensor)?
    /// (c) inserted right after the class token, before ln_pre (VPT's layout).
    var insertedVisionPrompt: Tensor?

    func text(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor {
        guard let prompt = textPrompt, prompt.layer == layer else { return tokens }
        let (sequences, count) = (tokens.shape[0], prompt.tokens.shape[0])
        let replacement = prompt.tokens.reshaped([1, count, -1]).broadcasted(to: [sequences, count, tokens.shape[2]])
        return Tensor.concatenated(
            [tokens.slice(alongAxis: 1, 0..<1), replacement, tokens.slice(alongAxis: 1, (1 + count)..<tokens.shape[1])],
            alongAxis: 1)
    }

    func visionEmbeddings(_ tokens: Tensor) -> Tensor {
        let images = tokens.shape[0], width = tokens.shape[2]
        func batched(_ prompt: Tensor) -> Tensor {
            prompt.reshaped([1, prompt.shape[0], width]).broadcasted(to: [images, prompt.shape[0], width])
        }
        if let appended = appendedVisionPrompt {
            return Tensor.concatenated([tokens, batched(appended)], alongAxis: 1)
        }
        if let inserted = insertedVisionPrompt {
            return Tensor.concatenated(
                [tokens.slice(alongAxis: 1, 0..<1), batched(inserted), tokens.slice(alongAxis: 1, 1..<tokens.shape[1])],
                alongAxis: 1)
        }
        return tokens
    }

    func vision(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor {
        guard let prompt = deepVisionPrompt, prompt.layer == layer else { return tokens }
        let (images, count, width) = (tokens.shape[0], prompt.tokens.shape[0], tokens.shape[2])
        let kept = tokens.slice(alongAxis: 1, 0..<(tokens.shape[1] - count))
        let replacement = prompt.tokens.reshaped([1, count, width]).broadcasted(to: [images, count, width])
        return Tensor.concatenated([kept, replacement], alongAxis: 1)
    }
}
