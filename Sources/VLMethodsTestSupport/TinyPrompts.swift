// Shared set-up for the method and training tests: the tiny CLIP of Tests/Fixtures/clip, the
// word tokenizer and class names of tools/fixtures/coop.py, and its CoOp variants. A target of
// its own because it needs VLMethods, which the base VLTestSupport must not depend on.

import Foundation
import VLCLIP
import VLTensor
import VLMethods
import VLTestSupport

/// The tiny CLIP and the fixtures' prompt set-up.
public enum TinyPrompts {
    /// The architecture tools/fixtures/clip.py builds.
    public static let configuration = CLIPConfiguration(
        embeddingWidth: 32,
        vision: .init(imageSize: 32, patchSize: 8, width: 64, layers: 2, heads: 4),
        text: .init(contextLength: 16, vocabularySize: 512, width: 48, layers: 2, heads: 4))

    /// The tiny CLIP's weights from Tests/Fixtures/clip.
    public static func clip() throws -> CLIP {
        try CLIP.load(from: Fixture.url("clip/tiny_openai.safetensors"), configuration: configuration)
    }

    /// The CoOp fixture.
    public static func coop() throws -> Fixture { try Fixture("coop/coop") }
    /// The CoCoOp fixture.
    public static func cocoop() throws -> Fixture { try Fixture("coop/cocoop") }

    /// The word tokenizer a fixture's metadata records.
    public static func tokenizer(_ fixture: Fixture) throws -> WordTokenizer {
        try WordTokenizer(fixtureMetadata: fixture.metadata, vocabularySize: 512)
    }

    /// The class names a fixture's metadata records.
    public static func classNames(_ fixture: Fixture) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(fixture.metadata["class_names"]!.utf8))
    }

    /// The fixture's CoOp variants by name, as options.
    public static func variants(_ fixture: Fixture) throws -> [(name: String, options: CoOp.Options)] {
        let table = try JSONDecoder().decode(
            [String: CoOp.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        return table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The fixture's `variants` metadata (name → `Method`'s options), sorted by name.
    public static func optionVariants<Method: AdaptationMethod>(
        of type: Method.Type, _ fixture: Fixture
    ) throws -> [(name: String, options: Method.Options)] {
        let table = try JSONDecoder().decode(
            [String: Method.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        return table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// `Method` with `options` on the fixture's classes, starting from the fixture's
    /// `NAME.initial_ctx`.
    public static func method<Method: AdaptationMethod>(
        _ type: Method.Type, _ name: String, _ options: Method.Options, clip: CLIP, fixture: Fixture
    ) throws -> Method {
        var method = try Method(
            options: options, clip: clip, tokenizer: try tokenizer(fixture), classNames: try classNames(fixture),
            seed: 1)
        try method.setTrainableTensors(["ctx": fixture["\(name).initial_ctx"]])
        return method
    }

    /// Every variant of the fixture as a `Method` starting from its initial context.
    public static func contextVariants<Method: AdaptationMethod>(
        of type: Method.Type, clip: CLIP, fixture: Fixture
    ) throws -> [(name: String, method: Method)] {
        try optionVariants(of: type, fixture).map { name, options in
            (name, try method(type, name, options, clip: clip, fixture: fixture))
        }
    }

    /// Row `step` of a `[steps, batch, …]` fixture tensor.
    public static func step(_ tensor: Tensor, _ step: Int) -> Tensor {
        tensor.slice(alongAxis: 0, step..<(step + 1)).reshaped(Array(tensor.shape.dropFirst()))
    }

    /// Labels of `step` from a `[steps, batch]` integer fixture tensor.
    public static func labels(_ fixture: Fixture, step: Int, batch: Int) -> [Int] {
        Array(fixture.integers("labels")[(step * batch)..<((step + 1) * batch)])
    }

    /// CoOp for a fixture variant, starting from the fixture's initial context.
    public static func coop(_ name: String, _ options: CoOp.Options, clip: CLIP, fixture: Fixture) throws -> CoOp {
        var method = try CoOp(
            options: options, clip: clip, tokenizer: try tokenizer(fixture), classNames: try classNames(fixture),
            seed: 1)
        method.context = fixture["\(name).initial_ctx"]
        return method
    }

    /// CoCoOp starting from the fixture's initial tensors.
    public static func cocoop(clip: CLIP, fixture: Fixture) throws -> CoCoOp {
        var method = try CoCoOp(
            options: CoCoOp.Options(), clip: clip, tokenizer: try tokenizer(fixture),
            classNames: try classNames(fixture), seed: 1)
        var initial: [String: Tensor] = [:]
        for name in method.trainableTensors.keys { initial[name] = fixture["initial." + name] }
        try method.setTrainableTensors(initial)
        return method
    }
}
