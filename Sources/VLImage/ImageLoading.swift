// Stacking preprocessed images into a batch tensor. (Parallel decoding of many files lives
// in VLTraining's `ImageBatchLoader`, which also prefetches, caches and skips bad files.)

import VLTensor

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
