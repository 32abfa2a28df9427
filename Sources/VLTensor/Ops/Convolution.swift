// Patch embedding: a bias-free convolution whose stride equals its kernel size (ViT, Dosovitskiy
// et al. 2021; OpenAI CLIP's `conv1`), computed as non-overlapping im2col plus one GEMM.

import VLKernels

extension Tensor {
    /// Cuts images into non-overlapping `size × size` patches, one row per patch.
    ///
    /// `self` is `[batch, channels, height, width]`; the result is
    /// `[batch, (height / size) · (width / size), channels · size · size]`, patches in
    /// row-major grid order and each patch ordered `(channel, y, x)`. Pixels beyond the last
    /// whole patch are dropped (as a strided convolution drops them) and get zero gradient.
    public func patches(size: Int) -> Tensor {
        precondition(
            rank == 4 && size > 0, "patches needs [batch, channels, height, width] and size > 0, got \(shape)"
        )
        let geometry = PatchGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3], size: size)
        let images = self
        let result = Tensor.computed(shape: [geometry.batch, geometry.patches, geometry.patchLength]) {
            Kernels.extractPatches(images.pointer, into: $0.baseAddress!, geometry: geometry)
        }
        return result.withPullback(inputs: [images]) { g in
            [
                Tensor.computed(shape: images.shape) {
                    Kernels.scatterPatches(g.pointer, into: $0.baseAddress!, geometry: geometry)
                }
            ]
        }
    }

    /// A convolution with kernel size = stride = `patchSize` and no bias, flattened to tokens.
    ///
    /// - Parameters:
    ///   - weight: `[width, channels, patchSize, patchSize]`, PyTorch's `Conv2d.weight` layout.
    ///   - patchSize: kernel size and stride.
    /// - Returns: `[batch, patches, width]` for `self` `[batch, channels, height, width]`, in
    ///   the order of PyTorch's `conv(x).flatten(2).transpose(1, 2)`.
    public func patchEmbedding(weight: Tensor, patchSize: Int) -> Tensor {
        precondition(
            rank == 4 && weight.shape.count == 4 && weight.shape[1] == shape[1]
                && weight.shape[2] == patchSize && weight.shape[3] == patchSize,
            "patchEmbedding of \(shape) needs weight [width, channels, \(patchSize), \(patchSize)], "
                + "got \(weight.shape)")
        let kernel = weight.reshaped([weight.shape[0], -1])
        return patches(size: patchSize).matmul(kernel, transposeOther: true)
    }
}
