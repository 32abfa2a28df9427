// Training augmentation as Dassl/CoOp configure it (methods-text §3.4): torchvision's
// RandomResizedCrop(size, scale (0.08, 1), ratio (3/4, 4/3), bicubic) then
// RandomHorizontalFlip(0.5), then normalization. Random draws come from our seeded
// RandomGenerator (torch's generator is not reproduced), so a seed fixes every crop and flip.

import Foundation
import VLTensor

/// torchvision's `RandomResizedCrop`: a random area fraction and aspect ratio, resized to a
/// square of `size`.
public struct RandomResizedCrop: Sendable, Hashable {
    /// Side of the output square.
    public var size: Int
    /// Range of the crop's area as a fraction of the image's.
    public var scale: ClosedRange<Double>
    /// Range of the crop's width / height, sampled uniformly in log space.
    public var aspectRatio: ClosedRange<Double>
    /// Filter resizing the crop to `size`.
    public var filter: ResamplingFilter

    /// A crop to `size` with torchvision's default ranges and Dassl's bicubic filter.
    public init(
        size: Int, scale: ClosedRange<Double> = 0.08...1, aspectRatio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
        filter: ResamplingFilter = .bicubic
    ) {
        precondition(size > 0, "crop size must be positive, not \(size)")
        precondition(scale.lowerBound > 0 && aspectRatio.lowerBound > 0, "scale and ratio must be positive")
        self.size = size
        self.scale = scale
        self.aspectRatio = aspectRatio
        self.filter = filter
    }

    /// The region to crop from a `width` × `height` image: up to 10 random attempts whose
    /// rounded size fits, else the largest centered crop within the ratio range
    /// (torchvision's `get_params`).
    public func region(width: Int, height: Int, using generator: inout RandomGenerator) -> CropRegion {
        let area = Double(width * height)
        let logRatio = log(aspectRatio.lowerBound)...log(aspectRatio.upperBound)
        for _ in 0..<10 {
            let targetArea = area * generator.uniform(in: scale)
            let ratio = exp(generator.uniform(in: logRatio))
            let cropWidth = Int((targetArea * ratio).squareRoot().rounded(.toNearestOrEven))
            let cropHeight = Int((targetArea / ratio).squareRoot().rounded(.toNearestOrEven))
            if cropWidth > 0 && cropWidth <= width && cropHeight > 0 && cropHeight <= height {
                let top = generator.nextInt(below: height - cropHeight + 1)
                let left = generator.nextInt(below: width - cropWidth + 1)
                return CropRegion(left: left, top: top, width: cropWidth, height: cropHeight)
            }
        }
        return fallbackRegion(width: width, height: height)
    }

    /// The centered crop torchvision uses when no attempt fits.
    func fallbackRegion(width: Int, height: Int) -> CropRegion {
        let inputRatio = Double(width) / Double(height)
        var cropWidth = width, cropHeight = height
        if inputRatio < aspectRatio.lowerBound {
            cropHeight = Int((Double(cropWidth) / aspectRatio.lowerBound).rounded(.toNearestOrEven))
        } else if inputRatio > aspectRatio.upperBound {
            cropWidth = Int((Double(cropHeight) * aspectRatio.upperBound).rounded(.toNearestOrEven))
        }
        return CropRegion(
            left: (width - cropWidth) / 2, top: (height - cropHeight) / 2, width: cropWidth, height: cropHeight)
    }

    /// A random crop of `image` resized to `size` × `size`.
    public func callAsFunction(_ image: RGBImage, using generator: inout RandomGenerator) -> RGBImage {
        let region = region(width: image.width, height: image.height, using: &generator)
        return image.cropped(to: region).resized(width: size, height: size, filter: filter)
    }
}

/// Dassl's `["random_resized_crop", "random_flip", "normalize"]` training transform.
public struct TrainingAugmentation: Sendable, Hashable {
    /// The random crop, resized to the model's input size.
    public var crop: RandomResizedCrop
    /// Probability of mirroring the crop left to right.
    public var flipProbability: Double
    /// Bytes to normalized floats.
    public var normalization: PixelNormalization

    /// CoOp's training transform at `size`; Tip-Adapter uses `scale: 0.5...1`.
    public init(
        size: Int = 224, scale: ClosedRange<Double> = 0.08...1, flipProbability: Double = 0.5,
        normalization: PixelNormalization = .openCLIP
    ) {
        crop = RandomResizedCrop(size: size, scale: scale)
        self.flipProbability = flipProbability
        self.normalization = normalization
    }

    /// The augmented 8-bit image: crop first, then flip (Dassl's order).
    public func augmented(_ image: RGBImage, using generator: inout RandomGenerator) -> RGBImage {
        let cropped = crop(image, using: &generator)
        return generator.nextUniform() < flipProbability ? cropped.flippedHorizontally() : cropped
    }

    /// The model input for a random augmentation of `image`, `[3, size, size]`.
    public func callAsFunction(_ image: RGBImage, using generator: inout RandomGenerator) -> Tensor {
        normalization(augmented(image, using: &generator))
    }

    /// Augments every image into one `[images.count, 3, size, size]` batch, drawing from
    /// `generator` image by image in order.
    public func batch(_ images: [RGBImage], using generator: inout RandomGenerator) -> Tensor {
        let table = normalization.lookupTable()
        let size = crop.size, plane = 3 * size * size
        var augmentedImages: [RGBImage] = []
        for image in images { augmentedImages.append(augmented(image, using: &generator)) }
        return Tensor.computed(shape: [images.count, 3, size, size]) { out in
            for (index, image) in augmentedImages.enumerated() {
                normalization.write(image, table: table, into: out.baseAddress! + index * plane)
            }
        }
    }
}

extension RandomGenerator {
    /// A uniform value in `range`.
    mutating func uniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
    }
}
