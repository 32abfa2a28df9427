// TCP and ProDA trained by the shared procedure: 10-step trajectories against the PyTorch
// implementations (tools/fixtures/tcp.py with Adam, tools/fixtures/proda.py with SGD and the
// recorded prompt mini-batches), and full runs that leave the frozen CLIP bit-identical.

import Foundation
import Testing
import VLCLIP
import VLMethods
import VLMethodsTestSupport
import VLOptim
import VLTensor
import VLTestSupport
import VLTraining

@Suite("TCP and ProDA training")
struct TCPProDATrainingTests {
    static func tcp(_ variant: String, clip: CLIP, fixture: Fixture) throws -> TCP {
        let table = try JSONDecoder().decode([String: TCP.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        var method = try TCP(
            options: table[variant]!, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        try method.setTrainableTensors(
            Dictionary(uniqueKeysWithValues: TCP.trainable.map { ($0.name, fixture["\(variant).initial.\($0.name)"]) }))
        return method
    }

    static func proda(_ variant: String, clip: CLIP, fixture: Fixture) throws -> ProDA {
        let table = try JSONDecoder().decode([String: ProDA.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        var method = try ProDA(
            options: table[variant]!, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        try method.setTrainableTensors(["ctx": fixture["\(variant).initial_ctx"]])
        return method
    }

    @Test("TCP: 10 Adam steps (ε 1e-3) follow PyTorch's losses and end at its tensors", arguments: ["random", "words"])
    func tcpTrajectory(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Fixture("tcp/tcp"))
        var method = try Self.tcp(variant, clip: clip, fixture: fixture)
        var optimizer: any Optimizer = Adam(AdamOptions(epsilon: 1e-3, weightDecay: 5e-4))
        let learningRate = Double(fixture.metadata["learning_rate"]!)!
        let expected = fixture["\(variant).losses"].array
        for step in 0..<expected.count {
            let loss = trainingStep(
                &method, &optimizer, images: .features(TinyPrompts.step(fixture["image_features"], step)),
                labels: TinyPrompts.labels(fixture, step: step, batch: 6), clip: clip, learningRate: learningRate)
            expectClose(loss, expected[step], .trajectoryLoss, "step \(step)")
        }
        for (name, tensor) in method.trainableTensors {
            expectClose(tensor, fixture["\(variant).final.\(name)"], .trajectoryParameters, name)
        }
    }

    @Test("ProDA: 10 SGD steps on the recorded prompt batches follow PyTorch", arguments: ["mixed", "end_only"])
    func prodaTrajectory(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Fixture("proda/proda"))
        var method = try Self.proda(variant, clip: clip, fixture: fixture)
        var optimizer: any Optimizer = SGD(SGD.Options(momentum: 0.9, weightDecay: 5e-4))
        let learningRate = Double(fixture.metadata["learning_rate"]!)!
        let expected = fixture["\(variant).losses"].array
        let batches = fixture.integers("\(variant).prompt_batches")
        let size = method.options.promptBatchSize
        for step in 0..<expected.count {
            method.promptBatch = Array(batches[(step * size)..<((step + 1) * size)])
            let loss = trainingStep(
                &method, &optimizer, images: .features(TinyPrompts.step(fixture["image_features"], step)),
                labels: TinyPrompts.labels(fixture, step: step, batch: 6), clip: clip, learningRate: learningRate)
            expectClose(loss, expected[step], .trajectoryLoss, "step \(step)")
        }
        expectClose(method.context, fixture["\(variant).final_ctx"], .trajectoryParameters, "final context")
    }

    @Test("training either method leaves the frozen CLIP bit-identical and moves every learned tensor")
    func frozenCLIP() throws {
        let clip = try TinyPrompts.clip()
        let hash = clip.contentHash()
        let (tcpFixture, prodaFixture) = (try Fixture("tcp/tcp"), try Fixture("proda/proda"))
        let recipe = TrainingRecipe(epochs: 2, batchSize: 4, learningRate: 0.05)

        var tcp = try Self.tcp("random", clip: clip, fixture: tcpFixture)
        let tcpStart = tcp.trainableTensors.mapValues(\.array)
        let (tcpData, _) = try TinyData.images(perClass: 2, fixture: tcpFixture)
        #expect(try train(&tcp, clip: clip, on: tcpData, recipe: recipe, seed: 3).finalLoss?.isFinite == true)
        for (name, values) in tcpStart { #expect(tcp.trainableTensors[name]!.array != values, "\(name) moved") }

        var proda = try Self.proda("mixed", clip: clip, fixture: prodaFixture)
        let prodaStart = proda.context.array
        let (prodaData, _) = try TinyData.images(perClass: 2, fixture: prodaFixture)
        #expect(try train(&proda, clip: clip, on: prodaData, recipe: recipe, seed: 3).finalLoss?.isFinite == true)
        #expect(proda.context.array != prodaStart)

        #expect(clip.contentHash() == hash)
        #expect(!clip.namedParameters().contains { $0.tensor.requiresGradient })
    }
}
