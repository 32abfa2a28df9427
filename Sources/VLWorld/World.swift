// The procedural world: every image and caption is a pure function of (seed, stream, index), so
// nothing is stored and any example can be regenerated on any machine.

import VLTensor

/// A seeded procedural world of objects with compositional attributes.
public struct World: Sendable {
    /// The image side used when none is given: 32 px keeps shapes, colors and patterns legible
    /// while a tiny CLIP stays cheap on a CPU.
    public static let defaultImageSize = 32

    /// The seed every stream derives from.
    public let seed: UInt64
    /// Side of every rendered image, in pixels.
    public let imageSize: Int

    /// A world with the given seed whose images are `imageSize` pixels square.
    public init(seed: UInt64 = 0, imageSize: Int = World.defaultImageSize) {
        precondition(imageSize > 0, "image size must be positive, got \(imageSize)")
        self.seed = seed
        self.imageSize = imageSize
    }

    // MARK: - Pretraining stream

    /// The scene at `index` of the infinite pretraining stream.
    public func pretrainingScene(index: Int) -> Scene {
        var random = RandomGenerator(seed: exampleSeed(stream: Stream.pretrainingScenes, index: index))
        return SceneSampler.pretrainingScene(random: &random)
    }

    /// The caption at `index` of the pretraining stream (variant `variant` of it: different
    /// variants draw different templates and attribute mentions for the same scene).
    public func pretrainingCaption(index: Int, variant: Int = 0) -> String {
        let stream = Stream.pretrainingCaptions &+ UInt64(variant)
        var random = RandomGenerator(seed: exampleSeed(stream: stream, index: index))
        return caption(for: pretrainingScene(index: index), random: &random)
    }

    /// Image bytes (`[imageSize, imageSize, 3]`, HWC) and caption at `index` of the stream.
    public func pretrainingPair(index: Int) -> (pixels: [UInt8], caption: String) {
        (render(pretrainingScene(index: index), size: imageSize), pretrainingCaption(index: index))
    }

    // MARK: - Datasets

    /// The class-set dataset `name` with `splitSizes` examples per class in each split.
    public func dataset(_ name: WorldDatasetName, splitSizes: SplitSizes = .standard) -> WorldDataset {
        WorldDataset(name: name, world: self, splitSizes: splitSizes)
    }

    /// The dataset named `text` ("world:shapes").
    ///
    /// - Throws: ``WorldError/unknownDataset(_:valid:)`` for a name that is not the world's.
    public func dataset(named text: String, splitSizes: SplitSizes = .standard) throws -> WorldDataset {
        dataset(try WorldDatasetName(parsing: text), splitSizes: splitSizes)
    }

    // MARK: - Seeds

    /// Independent streams of the world.
    enum Stream {
        static let pretrainingScenes: UInt64 = 1
        static let pretrainingCaptions: UInt64 = 1_000
        /// Datasets: one stream per task and split, above this base.
        static let datasets: UInt64 = 1_000_000
    }

    /// The generator seed for example `index` of `stream`.
    func exampleSeed(stream: UInt64, index: Int) -> UInt64 {
        let streamSeed = RandomGenerator.mix(RandomGenerator.mix(seed) &+ stream)
        return RandomGenerator.mix(streamSeed ^ UInt64(bitPattern: Int64(index)))
    }

    // MARK: - Tensors

    /// Bytes from ``render(_:size:supersampling:)`` as floats in [0, 1], shape `[3, size, size]`
    /// (channels first, as the vision encoder reads them; normalization is applied elsewhere).
    public static func imageTensor(pixels: [UInt8], size: Int) -> Tensor {
        precondition(pixels.count == size * size * 3, "\(pixels.count) bytes is not a \(size)² RGB image")
        return Tensor.computed(shape: [3, size, size]) { out in
            writeChannelsFirst(pixels, size: size, into: out, offset: 0)
        }
    }

    /// Several rendered images as one tensor `[batch, 3, size, size]` with values in [0, 1].
    public static func imageBatch(_ images: [[UInt8]], size: Int) -> Tensor {
        let plane = 3 * size * size
        precondition(images.allSatisfy { $0.count == plane }, "every image must be a \(size)² RGB image")
        return Tensor.computed(shape: [images.count, 3, size, size]) { out in
            for (index, pixels) in images.enumerated() {
                writeChannelsFirst(pixels, size: size, into: out, offset: index * plane)
            }
        }
    }

    /// Transposes HWC bytes to CHW floats scaled by 1/255.
    private static func writeChannelsFirst(
        _ pixels: [UInt8], size: Int, into out: UnsafeMutableBufferPointer<Float>, offset: Int
    ) {
        let area = size * size
        for pixel in 0..<area {
            for channel in 0..<3 {
                out[offset + channel * area + pixel] = Float(pixels[pixel * 3 + channel]) / 255
            }
        }
    }
}
