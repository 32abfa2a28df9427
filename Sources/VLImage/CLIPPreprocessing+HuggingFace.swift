// CLIPPreprocessing from a Hugging Face `preprocessor_config.json` (formats.md §3.2): both the
// published style (`"size": 224`, `"crop_size": 224`) and the newer dictionaries
// (`{"shortest_edge": 224}`, `{"height": 224, "width": 224}`), with transformers' defaults for
// absent keys.

import Foundation

/// A `preprocessor_config.json` that cannot be turned into CLIP preprocessing.
public struct PreprocessorConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file.
    public let file: String
    /// The offending key, or empty when the file as a whole is unreadable.
    public let key: String
    /// What is wrong with it.
    public let problem: String

    public var description: String {
        key.isEmpty ? "\(file): \(problem)" : "\(file): key \"\(key)\": \(problem)"
    }
}

/// The keys of transformers' `CLIPImageProcessor` configuration that affect pixels.
struct HuggingFacePreprocessorConfiguration: Decodable {
    /// `size` / `crop_size`: an integer or a dictionary of named extents.
    enum Extent: Decodable {
        case square(Int)
        case named([String: Int])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .square(value)
            } else {
                self = .named(try container.decode([String: Int].self))
            }
        }
    }

    var doResize: Bool?
    var size: Extent?
    var resample: Int?
    var doCenterCrop: Bool?
    var cropSize: Extent?
    var doRescale: Bool?
    var rescaleFactor: Double?
    var doNormalize: Bool?
    var imageMean: [Float]?
    var imageStd: [Float]?
    var doConvertRgb: Bool?

    enum CodingKeys: String, CodingKey {
        case doResize = "do_resize", size, resample, doCenterCrop = "do_center_crop"
        case cropSize = "crop_size", doRescale = "do_rescale", rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize", imageMean = "image_mean", imageStd = "image_std"
        case doConvertRgb = "do_convert_rgb"
    }
}

extension CLIPPreprocessing {
    /// The preprocessing a Hugging Face CLIP checkpoint's `preprocessor_config.json` describes,
    /// computed as transformers' PIL-backend `CLIPImageProcessor` does (floor crop offsets,
    /// Double rescale, alpha composited over white when `do_convert_rgb`).
    ///
    /// - Throws: ``PreprocessorConfigurationError`` naming the file and key for unreadable
    ///   JSON or settings CLIP preprocessing cannot express (no resize, a non-square crop, a
    ///   resampling filter other than bilinear or bicubic, …).
    public init(huggingFaceConfigurationAt url: URL) throws(PreprocessorConfigurationError) {
        let configuration: HuggingFacePreprocessorConfiguration
        do {
            configuration = try JSONDecoder().decode(
                HuggingFacePreprocessorConfiguration.self, from: Data(contentsOf: url))
        } catch {
            throw PreprocessorConfigurationError(file: url.path, key: "", problem: "unreadable: \(error)")
        }
        try self.init(configuration, file: url.path)
    }

    init(_ configuration: HuggingFacePreprocessorConfiguration, file: String) throws(PreprocessorConfigurationError) {
        func fail(_ key: String, _ problem: String) -> PreprocessorConfigurationError {
            PreprocessorConfigurationError(file: file, key: key, problem: problem)
        }
        guard configuration.doResize ?? true else { throw fail("do_resize", "false is not supported") }
        guard configuration.doCenterCrop ?? true else { throw fail("do_center_crop", "false is not supported") }
        let shortSide = try Self.shortSide(configuration.size, fail: fail)
        let crop = try Self.cropSide(configuration.cropSize, fail: fail)
        self.init(size: crop, reference: .huggingFace)
        self.shortSide = shortSide
        switch configuration.resample ?? 3 {
        case 2: filter = .bilinear
        case 3: filter = .bicubic
        case let other: throw fail("resample", "\(other) is not supported (2 bilinear or 3 bicubic)")
        }
        let factor = (configuration.doRescale ?? true) ? configuration.rescaleFactor ?? 1.0 / 255.0 : 1
        let normalize = configuration.doNormalize ?? true
        let mean = normalize ? configuration.imageMean ?? PixelNormalization.clipMean : [0, 0, 0]
        let deviation = normalize ? configuration.imageStd ?? PixelNormalization.clipStandardDeviation : [1, 1, 1]
        guard mean.count == 3 else { throw fail("image_mean", "needs 3 values, has \(mean.count)") }
        guard deviation.count == 3, !deviation.contains(0) else {
            throw fail("image_std", "needs 3 non-zero values, has \(deviation)")
        }
        normalization = PixelNormalization(mean: mean, standardDeviation: deviation, rescaling: .multiplyInDouble(factor))
        alpha = (configuration.doConvertRgb ?? true) ? .compositeOverWhite : .discard
    }

    private static func shortSide(
        _ size: HuggingFacePreprocessorConfiguration.Extent?,
        fail: (String, String) -> PreprocessorConfigurationError
    ) throws(PreprocessorConfigurationError) -> Int {
        let value: Int?
        switch size {
        case nil: value = 224
        case .square(let side): value = side
        case .named(let sides): value = sides["shortest_edge"]
        }
        guard let value, value > 0 else {
            throw fail("size", "needs a positive integer or {\"shortest_edge\": n}, not \(String(describing: size))")
        }
        return value
    }

    private static func cropSide(
        _ size: HuggingFacePreprocessorConfiguration.Extent?,
        fail: (String, String) -> PreprocessorConfigurationError
    ) throws(PreprocessorConfigurationError) -> Int {
        let value: Int?
        switch size {
        case nil: value = 224
        case .square(let side): value = side
        case .named(let sides): value = sides["height"] == sides["width"] ? sides["height"] : nil
        }
        guard let value, value > 0 else {
            throw fail("crop_size", "needs a positive square size, not \(String(describing: size))")
        }
        return value
    }
}
