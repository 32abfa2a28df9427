// ProGrad against the PyTorch implementation of the official update (tools/fixtures/prograd.py):
// initialization, teacher, both losses and the projected gradient; the losses against central
// differences; the projection rule on its own.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    static func prograd() throws -> Fixture { try Fixture("prograd/prograd") }

    /// The ProGrad fixture's variants by name, as options.
    static func progradVariants(_ fixture: Fixture) throws -> [(name: String, options: ProGrad.Options)] {
        let table = try JSONDecoder().decode(
            [String: ProGrad.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        return table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// ProGrad for a fixture variant, initialized as the official code does.
    static func prograd(_ options: ProGrad.Options, clip: CLIP, fixture: Fixture) throws -> ProGrad {
        try ProGrad(
            options: options, clip: clip, tokenizer: try tokenizer(fixture), classNames: try classNames(fixture), seed: 1)
    }
}

@Suite("ProGrad")
struct ProGradTests {
    static func batch(_ fixture: Fixture) -> (images: ImageBatch, labels: [Int]) {
        (.features(TinyPrompts.step(fixture["image_features"], 0)), TinyPrompts.labels(fixture, step: 0, batch: 6))
    }

    @Test("the context starts at zero with the template's phrase in its last rows; the teacher is zero-shot")
    func initialization() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.prograd())
        for (name, options) in try TinyPrompts.progradVariants(fixture) {
            let method = try TinyPrompts.prograd(options, clip: clip, fixture: fixture)
            #expect(method.prompt.context.array == fixture["\(name).initial_ctx"].array, "\(name) context")
            #expect(method.prompt.context.slice(alongAxis: 0, 0..<4).array.allSatisfy { $0 == 0 })
            expectClose(method.teacher.classifier, fixture["teacher"], .model, "\(name) teacher")
        }
    }

    @Test("first-step losses and projected gradient match PyTorch for every variant")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.prograd())
        let (images, labels) = Self.batch(fixture)
        for (name, options) in try TinyPrompts.progradVariants(fixture) {
            let live = try TinyPrompts.prograd(options, clip: clip, fixture: fixture).requiringGradients()
            let (crossEntropy, distillation) = live.losses(images, labels: labels, clip: clip)
            expectClose(crossEntropy.item, fixture["\(name).losses"].array[0], .model, "\(name) cross-entropy")
            expectClose(distillation.item, fixture["\(name).distillation_losses"].array[0], .model, "\(name) distillation")
            let (loss, gradients) = live.gradients(images, labels: labels, clip: clip)
            #expect(loss.item == crossEntropy.item, "the reported loss is the cross-entropy")
            expectClose(gradients["ctx"]!, fixture["\(name).first_gradient"], .projectedGradient, "\(name) gradient")
        }
    }

    @Test("both losses' context gradients agree with central differences", arguments: ["official", "soft"])
    func finiteDifferences(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.prograd())
        let options = try TinyPrompts.progradVariants(fixture).first { $0.name == variant }!.options
        let method = try TinyPrompts.prograd(options, clip: clip, fixture: fixture)
        let (images, labels) = Self.batch(fixture)
        // Step 1e-3 as CoOp's check; the losses bend more sharply here (see the tolerance).
        checkGradients(at: [method.prompt.context], step: 1e-3, tolerance: .finiteDifferenceCurved) { inputs in
            var probe = method
            probe.prompt.context = inputs[0]
            return probe.losses(images, labels: labels, clip: clip).crossEntropy
        }
        checkGradients(at: [method.prompt.context], step: 1e-3, tolerance: .finiteDifferenceCurved) { inputs in
            var probe = method
            probe.prompt.context = inputs[0]
            return probe.losses(images, labels: labels, clip: clip).distillation
        }
    }

    @Test("a conflicting gradient loses λ of its component along the guide; an aligned one is kept")
    func projection() {
        let guide = Tensor([2, 0, 0], shape: [3])
        let conflicting = Tensor([-1, 3, 1], shape: [3])
        #expect(ProGrad.project(conflicting, against: guide, weight: 1).array == [0, 3, 1])
        #expect(ProGrad.project(conflicting, against: guide, weight: 0.75).array == [-0.25, 3, 1])
        let aligned = Tensor([1, -3, 1], shape: [3])
        #expect(ProGrad.project(aligned, against: guide, weight: 1).array == aligned.array)
        #expect(ProGrad.project(conflicting, against: Tensor.zeros([3]), weight: 1).array == conflicting.array)
    }

    @Test("new class names rebuild student and teacher and keep the learned context")
    func newClassNames() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.prograd())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let options = try TinyPrompts.progradVariants(fixture).first { $0.name == "official" }!.options
        var method = try TinyPrompts.prograd(options, clip: clip, fixture: fixture)
        method.prompt.context = method.prompt.context + 0.25
        let context = method.prompt.context.array
        try method.setClassNames(["w9 w10", "w11"], clip: clip, tokenizer: tokenizer)
        #expect(method.classNames == ["w9 w10", "w11"] && method.prompt.context.array == context)
        let zeroShot = try ZeroShot(
            options: ZeroShot.Options(templates: [options.template]), clip: clip, tokenizer: tokenizer,
            classNames: ["w9 w10", "w11"], seed: 1)
        #expect(method.teacher.classifier.array == zeroShot.classifier.array)
        #expect(method.logits(Self.batch(fixture).images, clip: clip).shape == [6, 2])
    }

    @Test("options: official defaults, per-dataset templates, refused values")
    func options() throws {
        let defaults = try JSONDecoder().decode(ProGrad.Options.self, from: Data("{}".utf8))
        #expect(defaults == ProGrad.Options())
        #expect(defaults.contextLength == 16 && defaults.weight == 1 && defaults.temperature == 1)
        #expect(defaults.phrase == "a photo of a")
        #expect(ProGrad.Options(dataset: "OxfordPets").template == "a type of pet, a photo of a {}.")
        #expect(ProGrad.Options(dataset: "ImageNet").template == "a photo of a {}.")
        #expect(MethodKind.prograd.officialRecipe(shots: 16, dataset: "EuroSAT").epochs == 200)

        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.prograd())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        #expect(throws: MethodError.self) {
            try ProGrad(options: ProGrad.Options(contextLength: 3, template: "a type of pet {}."), clip: clip,
                        tokenizer: tokenizer, classNames: names, seed: 1)
        }
        #expect(throws: MethodError.self) {
            try ProGrad(options: ProGrad.Options(contextLength: 8, temperature: 0), clip: clip,
                        tokenizer: tokenizer, classNames: names, seed: 1)
        }
        let random = try ProGrad(
            options: ProGrad.Options(contextLength: 8, initializeFromTemplate: false), clip: clip,
            tokenizer: tokenizer, classNames: names, seed: 1)
        #expect(random.prompt.context.shape == [8, 48] && !random.prompt.context.array.contains(0))
    }
}
