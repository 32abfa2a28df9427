// One step's data: pairs drawn deterministically from the world's pretraining stream, images
// normalized with CLIP's statistics and captions tokenized with the real CLIP tokenizer.

import VLImage
import VLTensor
import VLText
import VLWorld

/// Images and token ids of one batch of image-caption pairs.
public struct PretrainingBatch: Sendable {
    /// Normalized pixels `[batch, 3, imageSize, imageSize]`.
    public var images: Tensor
    /// Token ids, one row per caption, cut just after the batch's last end-of-text token (exact
    /// for the causal text tower, and much shorter than the context).
    public var tokens: [[Int]]
    /// The captions, for logging.
    public var captions: [String]

    /// The pairs `indices` of `world`'s pretraining stream.
    ///
    /// - Throws: a tokenizer error (captions longer than `contextLength` are truncated, not rejected).
    public init(world: World, indices: Range<Int>, tokenizer: BPETokenizer, contextLength: Int) throws {
        let pairs = indices.map { world.pretrainingPair(index: $0) }
        images = PixelNormalization.world.normalizing(World.imageBatch(pairs.map(\.pixels), size: world.imageSize))
        captions = pairs.map(\.caption)
        tokens = PretrainingBatch.trimmed(try tokenizer.tokenize(captions, contextLength: contextLength))
    }

    /// The batch of step `step`: pairs `step·batchSize ..< (step+1)·batchSize`.
    public init(world: World, step: Int, batchSize: Int, tokenizer: BPETokenizer, contextLength: Int) throws {
        try self.init(
            world: world, indices: step * batchSize..<(step + 1) * batchSize, tokenizer: tokenizer,
            contextLength: contextLength)
    }

    /// Rows cut after the last non-padding token of the longest row (padding is 0, which no
    /// real token is: 0 is "!", never the last token of a CLIP row since end-of-text follows).
    static func trimmed(_ rows: [[Int]]) -> [[Int]] {
        let length = rows.map { row in (row.lastIndex { $0 != 0 } ?? 0) + 1 }.max() ?? 0
        return rows.map { Array($0.prefix(length)) }
    }
}
