// Image features with the last vision block computed for the class tokens alone, against the
// whole tower's output sliced at the class token: same features, same pixel gradients.

import Testing
import VLTensor
import VLTestSupport

@testable import VLCLIP

@Suite("class-token-only last vision block")
struct ClassTokenShortcutTests {
    /// The features as the tower computed them before the shortcut: every row of every block.
    static func fullTower(_ vision: VisionTransformer, _ pixels: Tensor) -> Tensor {
        let tokens = vision.encodeTokens(pixels, hooks: NoHooks())
        let classTokens = tokens.slice(alongAxis: 1, 0..<1).reshaped([pixels.shape[0], vision.configuration.width])
        return vision.layerNormPost(classTokens).matmul(vision.projection)
    }

    @Test("features and pixel gradients equal the full tower's class token")
    func equalsFullTower() throws {
        let clip = try TinyCLIP.model()
        let size = clip.configuration.vision.imageSize
        let pixels = Tensor.uniform([3, 3, size, size], in: -1...1, seed: 1).requiringGradient()
        let weights = Tensor.uniform([3, clip.configuration.embeddingWidth], in: -1...1, seed: 2)

        let shortcut = clip.vision(pixels)
        let reference = Self.fullTower(clip.vision, pixels)
        expectClose(shortcut, reference, .exactShortcut, "features")
        let shortcutGradient = (shortcut * weights).sum().gradients().gradient(for: pixels)
        let referenceGradient = (reference * weights).sum().gradients().gradient(for: pixels)
        expectClose(shortcutGradient, referenceGradient, .exactShortcut, "pixel gradients")
    }

    @Test("pixel gradients agree with central differences")
    func finiteDifferences() throws {
        let clip = try TinyCLIP.model()
        let size = clip.configuration.vision.imageSize
        let weights = Tensor.uniform([1, clip.configuration.embeddingWidth], in: -1...1, seed: 3)
        checkGradients(at: [Tensor.uniform([1, 3, size, size], in: -1...1, seed: 4)]) { inputs in
            (clip.vision(inputs[0]) * weights).sum()
        }
    }
}
