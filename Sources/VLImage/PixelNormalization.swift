// Bytes to normalized floats, `(x / 255 − mean) / std` per channel, with the float arithmetic
// of the reference being matched: torchvision's ToTensor + Normalize, or transformers' rescale
// (in Double) + normalize. Each byte value maps to one float, so a 256-entry table per channel
// is exact.

import VLTensor

/// Per-channel normalization of 8-bit RGB into floats.
public struct PixelNormalization: Sendable, Hashable {
    /// How bytes become values in [0, 1] before normalization.
    public enum Rescaling: Sendable, Hashable {
        /// `Float(x) / 255` in Float32: torchvision's `ToTensor` (open_clip, OpenAI CLIP, Dassl).
        case divideInFloat
        /// `Float(Double(x) · factor)`: transformers' `rescale` (factor `rescale_factor`, 1/255).
        case multiplyInDouble(Double)
    }

    /// CLIP's per-channel mean (OpenAI's training-set statistics).
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// CLIP's per-channel standard deviation.
    public static let clipStandardDeviation: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// CLIP normalization as open_clip / OpenAI CLIP / Dassl compute it.
    public static let openCLIP = PixelNormalization(
        mean: clipMean, standardDeviation: clipStandardDeviation, rescaling: .divideInFloat)
    /// CLIP normalization as transformers' `CLIPImageProcessor` (PIL backend) computes it.
    public static let huggingFace = PixelNormalization(
        mean: clipMean, standardDeviation: clipStandardDeviation, rescaling: .multiplyInDouble(1.0 / 255.0))

    /// Mean subtracted from each channel (red, green, blue) after rescaling.
    public var mean: [Float]
    /// Divisor of each channel after subtracting the mean.
    public var standardDeviation: [Float]
    /// How bytes are brought to [0, 1].
    public var rescaling: Rescaling

    /// A normalization with three means and three standard deviations.
    public init(mean: [Float], standardDeviation: [Float], rescaling: Rescaling) {
        precondition(mean.count == 3 && standardDeviation.count == 3, "need 3 means and 3 deviations")
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.rescaling = rescaling
    }

    /// The normalized value of every byte for every channel: `table[channel * 256 + byte]`.
    public func lookupTable() -> [Float] {
        (0..<3).flatMap { channel in
            (0..<256).map { byte -> Float in
                let unit: Float
                switch rescaling {
                case .divideInFloat: unit = Float(byte) / 255
                case .multiplyInDouble(let factor): unit = Float(Double(byte) * factor)
                }
                return (unit - mean[channel]) / standardDeviation[channel]
            }
        }
    }

    /// The image as a normalized `[3, height, width]` tensor (channels first).
    public func callAsFunction(_ image: RGBImage) -> Tensor {
        let table = lookupTable()
        return Tensor.computed(shape: [3, image.height, image.width]) { out in
            write(image, table: table, into: out.baseAddress!)
        }
    }

    /// Writes the normalized channels-first values of `image` to `out`.
    func write(_ image: RGBImage, table: [Float], into out: UnsafeMutablePointer<Float>) {
        let plane = image.width * image.height
        image.pixels.withUnsafeBufferPointer { pixels in
            table.withUnsafeBufferPointer { table in
                for channel in 0..<3 {
                    let channelTable = table.baseAddress! + channel * 256
                    let target = out + channel * plane
                    for i in 0..<plane { target[i] = channelTable[Int(pixels[3 * i + channel])] }
                }
            }
        }
    }
}
