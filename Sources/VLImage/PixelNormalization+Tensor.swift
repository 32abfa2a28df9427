// Normalizing images that are already floats in [0, 1] (the procedural world's tensors) with
// the same per-channel arithmetic as PixelNormalization applies to bytes: `(x − mean) / std`.

import VLTensor

extension PixelNormalization {
    /// CLIP's normalization of world images: the one function pretraining, datasets and demos
    /// share, so every use of the built-in world feeds the model identically normalized pixels.
    public static let world = PixelNormalization.openCLIP

    /// `(x − mean[c]) / std[c]` per channel of `images` `[batch, 3, height, width]` or
    /// `[3, height, width]` holding values in [0, 1] (`Float(byte) / 255` gives exactly the values
    /// ``lookupTable()`` normalizes for `.divideInFloat`). Not differentiable: inputs are data.
    public func normalizing(_ images: Tensor) -> Tensor {
        precondition(
            (images.rank == 3 && images.shape[0] == 3) || (images.rank == 4 && images.shape[1] == 3),
            "expected [3, H, W] or [batch, 3, H, W] images, got \(images.shape)")
        let plane = images.shape[images.rank - 1] * images.shape[images.rank - 2]
        let mean = mean, deviation = standardDeviation
        return Tensor.computed(shape: images.shape) { out in
            let input = images.scalars
            for start in stride(from: 0, to: input.count, by: plane) {
                let channel = (start / plane) % 3
                for i in start..<start + plane { out[i] = (input[i] - mean[channel]) / deviation[channel] }
            }
        }
    }
}
