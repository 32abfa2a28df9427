// Reading JPEG and PNG files (format chosen by magic bytes, never by extension) into RGBImage,
// through the libjpeg-turbo / libpng wrappers in CImageCodecs, with Pillow's color conversions.

import CImageCodecs
import Foundation

/// The encoded formats recognized by their first bytes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg = "JPEG"
    case png = "PNG"

    /// The decodable format of `bytes`, or `nil`.
    public static func detect<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageFormat? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// The name of a recognized but undecoded format, for a precise error message.
    static func undecodedName<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        let head = Array(bytes.prefix(12))
        func ascii(_ range: Range<Int>) -> String {
            head.count >= range.upperBound ? String(decoding: head[range], as: UTF8.self) : ""
        }
        if ascii(0..<4) == "GIF8" { return "GIF" }
        if ascii(0..<2) == "BM" { return "BMP" }
        if ascii(0..<4) == "RIFF" && ascii(8..<12) == "WEBP" { return "WebP" }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return "TIFF"
        }
        if ascii(4..<8) == "ftyp" { return "HEIF/AVIF" }
        return nil
    }
}

/// What to do with an alpha channel (or PNG tRNS transparency) when producing RGB.
public enum AlphaHandling: Sendable, Hashable {
    /// Drop it, keeping the stored color: Pillow's `convert("RGB")`, which Dassl/CoOp,
    /// torchvision datasets and open_clip pipelines use.
    case discard
    /// Composite over opaque white with Pillow's `alpha_composite`: transformers'
    /// `convert_to_rgb` (used by `CLIPImageProcessor` with `do_convert_rgb`).
    case compositeOverWhite
}

extension RGBImage {
    /// Default cap on width × height (2²⁸ ≈ 268 million pixels, 805 MB as RGB): larger
    /// declared sizes are refused before any pixel memory is allocated.
    public static let defaultPixelLimit = 1 << 28

    /// Reads and decodes the JPEG or PNG file at `url`.
    ///
    /// - Throws: ``ImageError`` naming the file: unreadable, empty, unknown or unsupported
    ///   format, truncated/corrupt data, zero size, unsupported content, or too many pixels.
    public init(
        contentsOf url: URL, alpha: AlphaHandling = .discard, pixelLimit: Int = defaultPixelLimit
    ) throws(ImageError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError(source: url.path, kind: .unreadable, detail: "\(error.localizedDescription)")
        }
        try self.init(decoding: data, source: url.path, alpha: alpha, pixelLimit: pixelLimit)
    }

    /// Decodes an encoded JPEG or PNG held in memory; `source` names it in errors.
    public init(
        decoding data: Data, source: String, alpha: AlphaHandling = .discard,
        pixelLimit: Int = defaultPixelLimit
    ) throws(ImageError) {
        guard !data.isEmpty else {
            throw ImageError(source: source, kind: .emptyFile, detail: "the file has 0 bytes")
        }
        guard let format = ImageFormat.detect(data) else {
            if let name = ImageFormat.undecodedName(data) {
                throw ImageError(
                    source: source, kind: .unsupportedFormat,
                    detail: "\(name) is not decoded; only JPEG and PNG are")
            }
            let head = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ImageError(
                source: source, kind: .unknownFormat,
                detail: "not a JPEG or PNG file (it starts with \(head))")
        }
        self = try Self.decode(
            data, format: format, keepAlpha: alpha == .compositeOverWhite, source: source,
            pixelLimit: pixelLimit)
    }

    /// Runs the C decoder; returns RGB, compositing over white when `keepAlpha`.
    private static func decode(
        _ data: Data, format: ImageFormat, keepAlpha: Bool, source: String, pixelLimit: Int
    ) throws(ImageError) -> RGBImage {
        var decoded = vl_image()
        let channels: UInt32 = keepAlpha ? 4 : 3
        let status = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch format {
            case .jpeg:
                return vl_decode_jpeg(bytes.baseAddress, bytes.count, channels, UInt64(pixelLimit), &decoded)
            case .png:
                return vl_decode_png(bytes.baseAddress, bytes.count, channels, UInt64(pixelLimit), &decoded)
            }
        }
        defer { vl_image_release(&decoded) }
        guard status == VL_IMAGE_OK else {
            throw ImageError(source: source, kind: Self.kind(of: status), detail: Self.message(of: &decoded))
        }
        let width = Int(decoded.width), height = Int(decoded.height)
        let bytes = UnsafeBufferPointer(start: decoded.pixels, count: width * height * Int(channels))
        if keepAlpha {
            return compositedOverWhite(rgba: bytes, width: width, height: height)
        }
        return RGBImage(width: width, height: height, pixels: Array(bytes))
    }

    private static func kind(of status: vl_image_status) -> ImageError.Kind {
        switch status {
        case VL_IMAGE_EMPTY: .zeroSize
        case VL_IMAGE_UNSUPPORTED: .unsupportedContent
        case VL_IMAGE_TOO_LARGE: .tooLarge
        case VL_IMAGE_OUT_OF_MEMORY: .outOfMemory
        default: .corrupt
        }
    }

    private static func message(of image: inout vl_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

// MARK: - Alpha compositing

extension RGBImage {
    /// RGBA composited over opaque white exactly as Pillow's `alpha_composite` computes it
    /// (7-bit fixed-point blend coefficients, rounded division by 255), then alpha dropped.
    static func compositedOverWhite(
        rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int
    ) -> RGBImage {
        computed(width: width, height: height) { out in
            for pixel in 0..<(width * height) {
                let alpha = UInt32(rgba[4 * pixel + 3])
                for channel in 0..<3 {
                    out[3 * pixel + channel] = compositeOverWhite(
                        UInt32(rgba[4 * pixel + channel]), alpha: alpha)
                }
            }
        }
    }

    /// One channel of `value` with `alpha` over white (Pillow's AlphaComposite.c arithmetic
    /// specialized to an opaque white destination).
    @inline(__always)
    static func compositeOverWhite(_ value: UInt32, alpha: UInt32) -> UInt8 {
        guard alpha > 0 else { return 255 }
        let precisionBits: UInt32 = 7
        let outputAlpha255 = alpha * 255 + 255 * (255 - alpha)
        let sourceWeight = alpha * 255 * 255 * (1 << precisionBits) / outputAlpha255
        let destinationWeight = 255 * (1 << precisionBits) - sourceWeight
        let blended = value * sourceWeight + 255 * destinationWeight + (0x80 << precisionBits)
        return UInt8(truncatingIfNeeded: (((blended >> 8) + blended) >> 8) >> precisionBits)
    }
}
