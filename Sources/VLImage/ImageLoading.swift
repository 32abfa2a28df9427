// Decoding and preprocessing many files on every kernel thread. Each file is handled on its
// own and its result (or error) lands in its own slot, so one bad file never stops the rest
// and results never depend on scheduling.

import Dispatch
import Foundation
import Synchronization
import VLKernels
import VLTensor

/// Decodes the files at `urls` and applies `transform` to each image, on up to
/// `Kernels.threadCount` threads. `transform` receives the image and its index in `urls`.
///
/// - Returns: one result per URL, in order: the transformed value, or the ``ImageError``
///   naming that file.
public func loadImages<Output: Sendable>(
    _ urls: [URL], alpha: AlphaHandling = .discard,
    _ transform: @Sendable (RGBImage, Int) -> Output
) -> [Result<Output, ImageError>] {
    let results = UnsafeMutableBufferPointer<Result<Output, ImageError>>.allocate(capacity: urls.count)
    defer { results.deallocate() }
    let nextIndex = Atomic<Int>(0)
    let workers = min(Kernels.threadCount, urls.count)
    // Each index is claimed exactly once through the atomic counter, so every slot is
    // initialized by one worker; concurrentPerform returns after all of them finish.
    nonisolated(unsafe) let slots = results
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < urls.count else { return }
            do throws(ImageError) {
                let image = try RGBImage(contentsOf: urls[index], alpha: alpha)
                (slots.baseAddress! + index).initialize(to: .success(transform(image, index)))
            } catch {
                (slots.baseAddress! + index).initialize(to: .failure(error))
            }
        }
    }
    let collected = Array(results)
    _ = results.deinitialize()
    return collected
}

extension CLIPPreprocessing {
    /// Preprocesses every file in parallel: `[3, cropSize, cropSize]` per file, or its error.
    public func callAsFunction(contentsOf urls: [URL]) -> [Result<Tensor, ImageError>] {
        loadImages(urls, alpha: alpha) { image, _ in self(image) }
    }
}

extension TrainingAugmentation {
    /// Augments every file in parallel. File `i` draws from its own generator derived from
    /// `seed` and `i`, so the result depends only on the seed, never on thread timing.
    public func callAsFunction(contentsOf urls: [URL], seed: UInt64) -> [Result<Tensor, ImageError>] {
        let root = RandomGenerator(seed: seed)
        return loadImages(urls) { image, index in
            var generator = RandomGenerator(seed: root.derived(UInt64(index)))
            return self(image, using: &generator)
        }
    }
}

/// Stacks per-image tensors of one shape `[3, height, width]` into `[batch, 3, height, width]`.
public func stackImages(_ images: [Tensor]) -> Tensor {
    precondition(!images.isEmpty, "cannot stack an empty list of images")
    let shape = images[0].shape
    for (index, image) in images.enumerated() {
        precondition(image.shape == shape, "image \(index) has shape \(image.shape), not \(shape)")
    }
    let count = images[0].scalarCount
    return Tensor.computed(shape: [images.count] + shape) { out in
        for (index, image) in images.enumerated() {
            (out.baseAddress! + index * count).update(from: image.pointer, count: count)
        }
    }
}
