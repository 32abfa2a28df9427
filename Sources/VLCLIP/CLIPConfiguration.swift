// Hyperparameters of a CLIP model (OpenAI's ViT CLIP, as in openai/CLIP model.py and
// open_clip's model configs). Decoded from JSON or chosen from presets, then checked against
// the weights when they load.

import VLNN

/// The shape of a CLIP: its image tower, its text tower and the shared embedding width.
public struct CLIPConfiguration: Codable, Sendable, Equatable {
    /// The vision transformer (ViT) image tower.
    public struct Vision: Codable, Sendable, Equatable {
        public var imageSize: Int
        public var patchSize: Int
        public var width: Int
        public var layers: Int
        public var heads: Int
        /// Hidden width of each block's MLP (4 × width in every released CLIP).
        public var mlpWidth: Int
        public var activation: Activation
        public var layerNormEpsilon: Float

        public init(
            imageSize: Int, patchSize: Int, width: Int, layers: Int, heads: Int, mlpWidth: Int? = nil,
            activation: Activation = .quickGELU, layerNormEpsilon: Float = 1e-5
        ) {
            self.imageSize = imageSize
            self.patchSize = patchSize
            self.width = width
            self.layers = layers
            self.heads = heads
            self.mlpWidth = mlpWidth ?? 4 * width
            self.activation = activation
            self.layerNormEpsilon = layerNormEpsilon
        }

        /// Patches per side.
        public var grid: Int { imageSize / patchSize }
        /// Class token plus patches.
        public var tokens: Int { grid * grid + 1 }
    }

    /// Where the text tower reads the feature that represents a whole sequence.
    public enum TextPooling: Codable, Sendable, Equatable {
        /// At the largest token id (OpenAI: the end-of-text token 49407 is the largest id).
        case argmaxTokenID
        /// At the first occurrence of this token id (newer Hugging Face configs).
        case firstTokenID(Int)
    }

    /// The causal text transformer.
    public struct Text: Codable, Sendable, Equatable {
        public var contextLength: Int
        public var vocabularySize: Int
        public var width: Int
        public var layers: Int
        public var heads: Int
        public var mlpWidth: Int
        public var activation: Activation
        public var layerNormEpsilon: Float
        public var pooling: TextPooling

        public init(
            contextLength: Int = 77, vocabularySize: Int = 49_408, width: Int, layers: Int, heads: Int,
            mlpWidth: Int? = nil, activation: Activation = .quickGELU, layerNormEpsilon: Float = 1e-5,
            pooling: TextPooling = .argmaxTokenID
        ) {
            self.contextLength = contextLength
            self.vocabularySize = vocabularySize
            self.width = width
            self.layers = layers
            self.heads = heads
            self.mlpWidth = mlpWidth ?? 4 * width
            self.activation = activation
            self.layerNormEpsilon = layerNormEpsilon
            self.pooling = pooling
        }
    }

    /// Width of the joint image-text embedding space.
    public var embeddingWidth: Int
    public var vision: Vision
    public var text: Text

    public init(embeddingWidth: Int, vision: Vision, text: Text) {
        self.embeddingWidth = embeddingWidth
        self.vision = vision
        self.text = text
    }

    /// The text tower every released OpenAI ViT-B model shares.
    static let openAIText = Text(width: 512, layers: 12, heads: 8)

    /// OpenAI ViT-B/32.
    public static let vitB32 = CLIPConfiguration(
        embeddingWidth: 512, vision: Vision(imageSize: 224, patchSize: 32, width: 768, layers: 12, heads: 12),
        text: openAIText)
    /// OpenAI ViT-B/16.
    public static let vitB16 = CLIPConfiguration(
        embeddingWidth: 512, vision: Vision(imageSize: 224, patchSize: 16, width: 768, layers: 12, heads: 12),
        text: openAIText)
    /// OpenAI ViT-L/14.
    public static let vitL14 = CLIPConfiguration(
        embeddingWidth: 768, vision: Vision(imageSize: 224, patchSize: 14, width: 1024, layers: 24, heads: 16),
        text: Text(width: 768, layers: 12, heads: 12))
    /// OpenAI ViT-L/14 at 336 pixels.
    public static let vitL14at336 = CLIPConfiguration(
        embeddingWidth: 768, vision: Vision(imageSize: 336, patchSize: 14, width: 1024, layers: 24, heads: 16),
        text: Text(width: 768, layers: 12, heads: 12))

    /// Named architectures for `--arch`.
    public static let presets: [(name: String, configuration: CLIPConfiguration)] = [
        ("vit-b32", .vitB32), ("vit-b16", .vitB16), ("vit-l14", .vitL14), ("vit-l14-336", .vitL14at336),
    ]

    /// The preset named `name` (exact match), or nil.
    public static func preset(named name: String) -> CLIPConfiguration? {
        presets.first { $0.name == name }?.configuration
    }
}
