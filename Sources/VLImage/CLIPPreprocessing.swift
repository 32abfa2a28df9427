// CLIP's test-time preprocessing: resize the short side (PIL bicubic), center crop, normalize.
// Follows open_clip `image_transform(size, is_train=False)` / OpenAI CLIP `_transform` /
// Dassl's test transform by default, or transformers' `CLIPImageProcessor` (PIL backend), which
// differs in the crop rounding, the rescale arithmetic and alpha handling (formats.md §3.6).

import Foundation
import VLTensor

/// How a center crop's offset `(extent − crop) / 2` is rounded.
public enum CenterCropRounding: Sendable, Hashable {
    /// torchvision `CenterCrop`: `int(round((extent − crop) / 2))`, Python's round half to
    /// even; a crop larger than the image is padded with `(crop − extent) // 2` on the left.
    case halfToEven
    /// transformers `center_crop`: `(extent − crop) // 2` (floor), also when padding.
    case floor

    /// Offset of the crop's first row or column within an axis of `extent` pixels.
    public func offset(extent: Int, crop: Int) -> Int {
        switch self {
        case .halfToEven:
            guard crop <= extent else { return -((crop - extent) / 2) }
            return Int((Double(extent - crop) / 2).rounded(.toNearestOrEven))
        case .floor:
            let difference = extent - crop
            return difference >= 0 ? difference / 2 : -((1 - difference) / 2)
        }
    }
}

/// CLIP's evaluation transform: `Resize(size)` on the short side, `CenterCrop(crop)`, then
/// normalization, producing `[3, cropSize, cropSize]`.
public struct CLIPPreprocessing: Sendable, Hashable {
    /// Which implementation's arithmetic to reproduce.
    public enum Reference: String, Sendable, Hashable, CaseIterable {
        /// open_clip / OpenAI CLIP / Dassl (torchvision on PIL images): half-to-even crop,
        /// Float32 `/255`, alpha dropped.
        case openCLIP = "open_clip"
        /// transformers `CLIPImageProcessor` with the PIL backend (`CLIPImageProcessorPil` in
        /// transformers 5; the default class in 4.x): floor crop, Double rescale, alpha
        /// composited over white.
        case huggingFace = "huggingface"
    }

    /// Length the short side is resized to.
    public var shortSide: Int
    /// Side of the square center crop.
    public var cropSize: Int
    /// Resampling filter of the resize.
    public var filter: ResamplingFilter
    /// Rounding of the crop offsets.
    public var cropRounding: CenterCropRounding
    /// Bytes to normalized floats.
    public var normalization: PixelNormalization
    /// Alpha handling when files are decoded for this preprocessing.
    public var alpha: AlphaHandling

    /// CLIP's transform at `size` (224 for every OpenAI model here) as `reference` computes it.
    public init(size: Int = 224, reference: Reference = .openCLIP) {
        precondition(size > 0, "preprocessing size must be positive, not \(size)")
        shortSide = size
        cropSize = size
        filter = .bicubic
        switch reference {
        case .openCLIP:
            cropRounding = .halfToEven
            normalization = .openCLIP
            alpha = .discard
        case .huggingFace:
            cropRounding = .floor
            normalization = .huggingFace
            alpha = .compositeOverWhite
        }
    }

    /// Size after resizing the short side to `shortSide`: the long side is
    /// `int(shortSide · long / short)`, truncated as torchvision and transformers do.
    public static func resizedSize(width: Int, height: Int, shortSide: Int) -> (width: Int, height: Int) {
        let short = min(width, height), long = max(width, height)
        let newLong = Int(Double(shortSide * long) / Double(short))
        return width <= height ? (shortSide, newLong) : (newLong, shortSide)
    }

    /// The image after resize and center crop, still 8-bit.
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        let size = Self.resizedSize(width: image.width, height: image.height, shortSide: shortSide)
        let resized = image.resized(width: size.width, height: size.height, filter: filter)
        return resized.cropped(to: centerCrop(width: resized.width, height: resized.height))
    }

    /// The centered `cropSize` square of a `width` × `height` image.
    public func centerCrop(width: Int, height: Int) -> CropRegion {
        CropRegion(
            left: cropRounding.offset(extent: width, crop: cropSize),
            top: cropRounding.offset(extent: height, crop: cropSize),
            width: cropSize, height: cropSize)
    }

    /// The model input for `image`, `[3, cropSize, cropSize]`.
    public func callAsFunction(_ image: RGBImage) -> Tensor {
        normalization(resizedAndCropped(image))
    }

    /// Decodes the file at `url` (with this preprocessing's alpha handling) and preprocesses it.
    public func callAsFunction(contentsOf url: URL) throws(ImageError) -> Tensor {
        self(try RGBImage(contentsOf: url, alpha: alpha))
    }

    /// Preprocesses every image into one `[images.count, 3, cropSize, cropSize]` batch.
    public func batch(_ images: [RGBImage]) -> Tensor {
        let table = normalization.lookupTable()
        let plane = 3 * cropSize * cropSize
        return Tensor.computed(shape: [images.count, 3, cropSize, cropSize]) { out in
            for (index, image) in images.enumerated() {
                normalization.write(resizedAndCropped(image), table: table, into: out.baseAddress! + index * plane)
            }
        }
    }
}
