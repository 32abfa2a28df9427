// Stage-by-stage parity of the Swift CLIP with the PyTorch oracle (tools/fixtures/clip.py).

import Testing
import VLNN
import VLTensor
import VLTestSupport
@testable import VLCLIP

@Suite("CLIP parity with open_clip")
struct CLIPParityTests {
    @Test("vision tower stages match")
    func visionStages() throws {
        let clip = try TinyCLIP.model(), f = try TinyCLIP.forward()
        let vision = clip.vision
        let patches = f["pixels"].patchEmbedding(weight: vision.patchWeight, patchSize: 8)
        expectClose(patches, f["vision.patch_embed"], .forward, "patch embedding")
        let classToken = vision.classEmbedding.reshaped([1, 1, 64]).broadcasted(to: [2, 1, 64])
        let embedded = Tensor.concatenated([classToken, f["vision.patch_embed"]], alongAxis: 1) + vision.positionalEmbedding
        expectClose(embedded, f["vision.embeddings"], .forward, "embeddings")
        expectClose(vision.layerNormPre(f["vision.embeddings"]), f["vision.ln_pre"], .forward, "ln_pre")
        expectClose(vision.blocks[0](f["vision.ln_pre"], causal: false), f["vision.block0"], .forward, "block 0")
        expectClose(vision.blocks[1](f["vision.block0"], causal: false), f["vision.block1"], .forward, "block 1")
        expectClose(clip.encodeImage(f["pixels"]), f["image_features"], .model, "image features")
        expectClose(vision.projectedTokens(f["pixels"]), f["vision.tokens_projected"], .model, "projected tokens")
    }

    @Test("text tower stages match")
    func textStages() throws {
        let clip = try TinyCLIP.model(), f = try TinyCLIP.forward()
        let ids = TinyCLIP.ids(f)
        expectClose(clip.text.embed(ids), f["text.token_embeddings"], .forward, "token embeddings")
        expectClose(clip.text.blocks[0](f["text.embeddings"], causal: true), f["text.block0"], .forward, "block 0")
        expectClose(clip.text.blocks[1](f["text.block0"], causal: true), f["text.block1"], .forward, "block 1")
        expectClose(clip.text.layerNormFinal(f["text.block1"]), f["text.ln_final"], .forward, "ln_final")
        #expect(clip.text.endOfTextPositions(ids) == [5, 9, 15])
        expectClose(clip.encodeText(ids), f["text_features"], .model, "text features")
    }

    @Test("logits and the loss match")
    func logits() throws {
        let clip = try TinyCLIP.model(), f = try TinyCLIP.forward()
        let logits = clip.logits(imageFeatures: f["image_features"], textFeatures: f["text_features"])
        expectClose(logits, f["logits_per_image"], .forward, "logits")
        let loss = TinyCLIP.loss(clip, imageFeatures: f["image_features"], textFeatures: f["text_features"], f)
        expectClose(loss.item, f["loss"].item, .forward, "loss")
    }

    @Test("gradients of every parameter, the pixels and the token embeddings match")
    func gradients() throws {
        let clip = try TinyCLIP.model().requiringGradients(), f = try TinyCLIP.forward()
        let ids = TinyCLIP.ids(f)
        let pixels = f["pixels"].requiringGradient()
        let tokenEmbeddings = clip.text.embed(ids).detached().requiringGradient()
        let textFeatures = clip.encodeText(embeddings: tokenEmbeddings, endOfText: clip.text.endOfTextPositions(ids))
        let loss = TinyCLIP.loss(clip, imageFeatures: clip.encodeImage(pixels), textFeatures: textFeatures, f)
        let gradients = loss.gradients()
        expectClose(gradients.gradient(for: pixels), f["grad.pixels"], .gradient, "pixels")
        expectClose(gradients.gradient(for: tokenEmbeddings), f["grad.text_token_embeddings"], .gradient, "token embeddings")
        // The text positions' gradient sums the token-embedding gradients over the captions,
        // whose terms cancel (3.87 − 3.88 = −0.0048): each term is only as accurate as
        // `.gradient` allows, so the sum is judged against the sum of their magnitudes.
        let positionTerms = f["grad.text_token_embeddings"].abs().sum(alongAxis: 0)
        var checked = 0
        for (name, parameter) in clip.namedParameters() where name != "token_embedding.weight" {
            // The token table is not on this graph (embeddings were cut off above); it is
            // the scatter-add of the token-embedding gradient, which the oracle checks.
            expectClose(
                gradients.gradient(for: parameter), f["grad." + name], .gradient, name,
                magnitude: name == "positional_embedding" ? positionTerms : nil)
            checked += 1
        }
        #expect(checked == 61)
    }

    @Test("deep text prompts replace tokens at a middle layer")
    func textPromptHook() throws {
        let clip = try TinyCLIP.model(), f = try TinyCLIP.forward()
        let prompt = f["text_prompt_layer1"].requiringGradient()
        let hooks = FixtureHooks(textPrompt: (1, prompt))
        let text = clip.encodeText(TinyCLIP.ids(f), hooks: hooks)
        expectClose(text, f["hooked.text_features"], .model, "features")
        let loss = TinyCLIP.loss(clip, imageFeatures: f["image_features"], textFeatures: text, f)
        expectClose(loss.item, f["hooked.text_loss"].item, .forward, "loss")
        expectClose(loss.gradients().gradient(for: prompt), f["hooked.grad.text_prompt_layer1"], .gradient, "gradient")
    }

    @Test("appended and deep vision prompts (MaPLe layout)")
    func visionPromptHooks() throws {
        let clip = try TinyCLIP.model(), f = try TinyCLIP.forward()
        let shallow = f["vision_prompt"].requiringGradient(), deep = f["vision_prompt_layer1"].requiringGradient()
        let hooks = FixtureHooks(appendedVisionPrompt: shallow, deepVisionPrompt: (1, deep))
        let image = clip.encodeImage(f["pixels"], hooks: hooks)
        expectClose(image, f["hooked.image_features"], .model, "features")
        let gradients = TinyCLIP.loss(clip, imageFeatures: image, textFeatures: f["text_features"], f).gradients()
        expectClose(gradients.gradient(for: shallow), f["hooked.grad.vision_prompt"], .gradient, "shallow")
        expectClose(gradients.gradient(for: deep), f["hooked.grad.vision_prompt_layer1"], .gradient, "deep")
    }

    @Test("prompts inserted after the class token (VPT layout)")
    func vptHook() throws {
        let clip = try TinyCLIP.model(), f = try TinyCLIP.forward()
        let prompt = f["vpt_prompt"].requiringGradient()
        let image = clip.encodeImage(f["pixels"], hooks: FixtureHooks(insertedVisionPrompt: prompt))
        expectClose(image, f["vpt.image_features"], .model, "features")
        let gradients = TinyCLIP.loss(clip, imageFeatures: image, textFeatures: f["text_features"], f).gradients()
        expectClose(gradients.gradient(for: prompt), f["vpt.grad.vpt_prompt"], .gradient, "gradient")
    }

    @Test("learned context vectors enter as token embeddings (CoOp)")
    func contextVectors() throws {
        let clip = try TinyCLIP.model(), f = try Fixture("clip/tiny_text_prompts")
        let ids = TinyCLIP.ids(f, key: "coop.input_ids")
        let context = f["context"].requiringGradient()
        let embedded = clip.text.embed(ids)
        let (sequences, width) = (ids.count, 48)
        let prompts = Tensor.concatenated(
            [
                embedded.slice(alongAxis: 1, 0..<1),
                context.reshaped([1, 4, width]).broadcasted(to: [sequences, 4, width]),
                embedded.slice(alongAxis: 1, 5..<16),
            ], alongAxis: 1)
        expectClose(prompts, f["coop.prompt_embeddings"], .forward, "prompt embeddings")
        let text = clip.encodeText(embeddings: prompts, endOfText: clip.text.endOfTextPositions(ids))
        expectClose(text, f["coop.text_features"], .model, "features")
        let loss = (text * f["loss_text_weight"]).sum()
        expectClose(loss.gradients().gradient(for: context), f["coop.grad.context"], .gradient, "gradient")
    }
}
