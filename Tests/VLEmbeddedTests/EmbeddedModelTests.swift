// The shipped world-clip: it resolves by name, loads through the Hugging Face path, and its
// zero-shot accuracy on a fixed sample of world:shapes stays above a stated floor.

import Foundation
import Testing
import VLCLIP
import VLText
import VLWorld
@testable import VLEmbedded
@testable import VLPretraining

@Suite("Embedded world-clip")
struct EmbeddedModelTests {
    /// Measured when the model was shipped, on the first 4 test images of each of the 36
    /// world:shapes classes (72 base images among 18 base classes, 72 novel among 18 novel):
    /// see Models/world-clip/README.md. Chance is 1/18 ≈ 5.6%.
    static let measuredBase = 27.0 / 72  // 37.5%
    static let measuredNovel = 33.0 / 72  // 45.8%
    static let chance = 1.0 / 18
    /// Floors halfway between chance and the measured values: a broken loader, wrong
    /// normalization or a damaged checkpoint falls to chance; honest run-to-run noise does not.
    static let baseFloor = (chance + measuredBase) / 2
    static let novelFloor = (chance + measuredNovel) / 2

    @Test("'world-clip' and 'default' resolve to a Hugging Face folder; other names are errors")
    func resolution() throws {
        let folder = try EmbeddedModel.folder(named: "world-clip")
        #expect(try EmbeddedModel.folder(named: "default") == folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
        #expect(throws: EmbeddedModel.Failure.self) { try EmbeddedModel.folder(named: "vit-b32") }
    }

    @Test("the shipped checkpoint loads and its zero-shot accuracy on world:shapes stays above the floor")
    func zeroShotFloor() throws {
        let model = try EmbeddedModel.load()
        #expect(model.configuration == PretrainingConfiguration.smallModel)
        let probe = ZeroShotProbe(tokenizer: try BPETokenizer(), examplesPerClass: 4)
        let result = try probe.evaluate(model, on: World(seed: 0).dataset(.shapes))
        #expect(result.base >= Self.baseFloor, "\(result.summary)")
        #expect(result.novel >= Self.novelFloor, "\(result.summary)")
    }

    @Test("the shipped model fits the 16 MB budget")
    func size() throws {
        let folder = try EmbeddedModel.folder(named: "world-clip")
        let attributes = try FileManager.default.attributesOfItem(
            atPath: folder.appendingPathComponent("model.safetensors").path)
        #expect((attributes[.size] as! NSNumber).intValue <= 16_000_000)
    }
}
