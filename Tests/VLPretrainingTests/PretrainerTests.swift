// Pretraining on a tiny configuration: the loss falls, checkpoints resume bit-identically, the
// logit scale stays clamped, and batches follow the world's stream by index.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLText
import VLWorld
@testable import VLPretraining

@Suite("Pretraining")
struct PretrainerTests {
    static let tokenizer = try! BPETokenizer()

    static func configuration(steps: Int = 8, learningRate: Double = 2e-3) -> PretrainingConfiguration {
        PretrainingConfiguration(
            model: PretrainingConfiguration.tinyModel, steps: steps, batchSize: 16, learningRate: learningRate,
            warmupSteps: 0, seed: 7)
    }

    @Test("a few steps on the tiny config lower the loss on the batches trained on")
    func lossFalls() throws {
        var trainer = try Pretrainer(configuration: Self.configuration(), tokenizer: Self.tokenizer)
        let batches = try (0..<4).map { try trainer.batch(at: $0) }
        func meanLoss(_ model: CLIP) -> Float {
            batches.map { Pretrainer.loss(of: model, on: $0).item }.reduce(0, +) / Float(batches.count)
        }
        let before = meanLoss(trainer.model)
        for step in 0..<8 { trainer.trainStep(on: batches[step % 4]) }
        let after = meanLoss(trainer.model)
        #expect(after < before - 0.1, "loss \(before) → \(after)")
    }

    @Test("resuming from a checkpoint continues bit-identically")
    func resumeIsExact() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-resume-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let configuration = Self.configuration(steps: 4)

        var straight = try Pretrainer(configuration: configuration, tokenizer: Self.tokenizer)
        for _ in 0..<4 { try straight.trainStep() }

        var first = try Pretrainer(configuration: configuration, tokenizer: Self.tokenizer)
        for _ in 0..<2 { try first.trainStep() }
        try PretrainingCheckpoint.save(first, to: url)
        var resumed = try Pretrainer(configuration: configuration, tokenizer: Self.tokenizer)
        try PretrainingCheckpoint.restore(&resumed, from: url)
        #expect(resumed.step == 2)
        for _ in 0..<2 { try resumed.trainStep() }

        let expected = Dictionary(
            uniqueKeysWithValues: straight.model.namedParameters().map { ($0.name, $0.tensor.array) })
        for (name, tensor) in resumed.model.namedParameters() {
            #expect(tensor.array == expected[name], "parameter \(name) differs after resuming")
        }
        let expectedState = straight.optimizerState.mapValues(\.array)
        #expect(resumed.optimizerState.mapValues(\.array) == expectedState)
    }

    @Test("a checkpoint of another configuration is refused with a message naming the difference")
    func mismatchedCheckpoint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-mismatch-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let trainer = try Pretrainer(configuration: Self.configuration(), tokenizer: Self.tokenizer)
        try PretrainingCheckpoint.save(trainer, to: url)
        var other = try Pretrainer(configuration: Self.configuration(steps: 9), tokenizer: Self.tokenizer)
        #expect(throws: PretrainingError.configurationMismatch(file: url.path, reason: "steps 8 vs 9")) {
            try PretrainingCheckpoint.restore(&other, from: url)
        }
    }

    @Test("batch s holds pairs s·B ..< (s+1)·B of the stream, cut after the last end-of-text")
    func batchesFollowTheStream() throws {
        let trainer = try Pretrainer(configuration: Self.configuration(), tokenizer: Self.tokenizer)
        let batch = try trainer.batch(at: 3)
        let world = World(seed: 0, imageSize: 32)
        #expect(batch.captions == (48..<64).map { world.pretrainingPair(index: $0).caption })
        #expect(batch.images.shape == [16, 3, 32, 32])
        let full = try Self.tokenizer.tokenize(batch.captions, contextLength: 32)
        let longest = full.map { $0.firstIndex(of: Self.tokenizer.endOfTextID)! + 1 }.max()!
        #expect(batch.tokens == full.map { Array($0.prefix(longest)) })
    }

    @Test("the logit scale is clamped to [0, ln 100]")
    func logitScaleClamp() {
        #expect(Pretrainer.clampedLogitScale(Tensor(scalar: 5)).item == maximumLogitScale)
        #expect(Pretrainer.clampedLogitScale(Tensor(scalar: -1)).item == 0)
        #expect(Pretrainer.clampedLogitScale(Tensor(scalar: 2.5)).item == 2.5)
    }

    @Test("the schedule warms up linearly from 0 and decays to 0 at the last step")
    func schedule() {
        let configuration = PretrainingConfiguration(
            model: PretrainingConfiguration.tinyModel, steps: 100, batchSize: 4, learningRate: 1e-3, warmupSteps: 10)
        let schedule = configuration.schedule
        #expect(schedule.learningRate(afterSteps: 0) == 0)
        #expect(abs(schedule.learningRate(afterSteps: 5) - 5e-4) < 1e-12)
        #expect(schedule.learningRate(afterSteps: 10) == 1e-3)
        #expect(schedule.learningRate(afterSteps: 100) < 1e-12)
    }
}
