// The `--model`, `--arch`, `--tokenizer` and `--verify-checksum` options every CLIP command
// shares, and their resolution into a loaded model, its tokenizer, its image preprocessing and
// its identity: the one resolver of the command line, whose default is the embedded world-clip.

import ArgumentParser
import Foundation
import VLCLIP
import VLImage
import VLMethods
import VLText
import VLTraining

/// Which CLIP a command uses.
struct ModelOptions: ParsableArguments {
    /// The model used when `--model` is omitted.
    static let defaultModel = "world-clip"

    @Option(
        help: ArgumentHelp(
            "A Hugging Face or open_clip model folder, a .safetensors file, a .pt/.pth/.bin PyTorch checkpoint "
                + "(OpenAI's TorchScript releases included), or the name of an embedded model"
                + (EmbeddedModels.all.isEmpty
                    ? "" : " (" + EmbeddedModels.all.map(\.name).joined(separator: ", ") + ")")
                + "; default: \(ModelOptions.defaultModel).",
            valueName: "model"))
    var model: String?

    @Option(
        help: ArgumentHelp(
            "Architecture preset instead of what the files say or imply: "
                + ModelOptions.architectureNames.joined(separator: ", ") + ".",
            valueName: "name"))
    var arch: String?

    @Flag(help: "Check OpenAI release files (ViT-B-32.pt, ViT-B-16.pt) against their published SHA-256 first.")
    var verifyChecksum = false

    /// The `--arch` names, as ``CLIPConfiguration/presets`` lists them.
    static var architectureNames: [String] { CLIPConfiguration.presets.map(\.name) }

    func validate() throws {
        if let arch, CLIPConfiguration.preset(named: arch) == nil {
            throw ValidationError(ModelArgumentError.unknownArchitecture(arch).description)
        }
    }

    /// The `--arch` preset, if one was given.
    var architecture: CLIPConfiguration? { arch.flatMap(CLIPConfiguration.preset(named:)) }
}

/// `--tokenizer`, for commands that read text.
struct TokenizerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Folder with Hugging Face vocab.json and merges.txt (default: the model folder's own files when "
                + "present, else CLIP's bundled vocabulary).",
            valueName: "folder"))
    var tokenizer: String?
}

/// A model ready to use: weights, the tokenizer and the preprocessing that go with them.
struct LoadedModel {
    /// How the model was named on the command line.
    let name: String
    let clip: CLIP
    let tokenizer: BPETokenizer
    let preprocessing: CLIPPreprocessing
    /// The embedded model's name when `--model` named one (or was omitted), else `nil`.
    var embeddedName: String? = nil

    /// The pixel pipeline training and evaluation use: this model's test transform.
    var pipeline: ImagePipeline { ImagePipeline(evaluation: preprocessing) }

    /// What prompt files and run records store about the model; computes the content hash.
    func identity() -> PromptFile.Model {
        // An embedded model is part of VLPrompt: named, not located.
        if let embeddedName { return PromptFile.Model(name: embeddedName, sha256: clip.contentHash()) }
        let url = URL(fileURLWithPath: name)
        return PromptFile.Model(
            name: url.deletingPathExtension().lastPathComponent, path: name, sha256: clip.contentHash())
    }

    /// Token-id rows of the model's context length. Texts longer than the context are cut
    /// as CLIP's tokenizer does (end-of-text kept last).
    ///
    /// - Throws: ``ModelArgumentError/tokenizerMismatch(tokenizerIDs:modelVocabulary:model:)``
    ///   when the tokenizer can produce ids the model has no embedding for.
    func tokenize(_ texts: [String]) throws -> [[Int]] {
        let vocabulary = clip.configuration.text.vocabularySize
        guard tokenizer.vocabularySize <= vocabulary else {
            throw ModelArgumentError.tokenizerMismatch(
                tokenizerIDs: tokenizer.vocabularySize, modelVocabulary: vocabulary, model: name)
        }
        return try tokenizer.tokenize(texts, contextLength: clip.configuration.text.contextLength)
    }

    /// Whether `text` has no tokens at all once cleaned (empty or only whitespace).
    func isEmpty(_ text: String) -> Bool { tokenizer.encode(text).isEmpty }
}

/// Turns the `--model` argument into files and files into a ``LoadedModel``.
struct ModelResolver {
    /// The registry names are looked up in.
    var embedded: [RegisteredModel] = EmbeddedModels.all

    /// The file or folder `argument` refers to: an existing path, or an embedded model's
    /// location. Something that looks like a path but does not exist is a not-found error,
    /// not a failed name lookup.
    func locate(_ argument: String) throws -> URL {
        let url = URL(fileURLWithPath: (argument as NSString).expandingTildeInPath)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let knownExtensions = CLIP.torchCheckpointExtensions.union(["safetensors"])
        if argument.contains("/") || knownExtensions.contains(url.pathExtension.lowercased()) {
            throw ModelLoadingError.notFound(path: argument)
        }
        return try EmbeddedModels.named(argument, in: embedded).location()
    }

    /// The embedded model's canonical name when `argument` names one rather than a path.
    func embeddedName(_ argument: String) -> String? {
        let url = URL(fileURLWithPath: (argument as NSString).expandingTildeInPath)
        guard !FileManager.default.fileExists(atPath: url.path),
            let model = try? EmbeddedModels.named(argument, in: embedded)
        else { return nil }
        return model.canonicalName
    }

    /// Loads the model `options` name, verifying its checksum first when asked to.
    func loadModel(_ options: ModelOptions) throws -> (url: URL, clip: CLIP) {
        // Without --model, the embedded model (as every command that takes a model does).
        let argument = options.model ?? ModelOptions.defaultModel
        let url = try locate(argument)
        if options.verifyChecksum { try OpenAIReleases.verify(url) }
        return (url, try CLIP.load(from: url, configuration: options.architecture))
    }

    /// The model, its tokenizer and its preprocessing.
    func resolve(_ options: ModelOptions, tokenizer tokenizerOptions: TokenizerOptions) throws -> LoadedModel {
        let (url, clip) = try loadModel(options)
        let tokenizer = try makeTokenizer(tokenizerOptions, modelURL: url)
        let preprocessing = try makePreprocessing(modelURL: url, imageSize: clip.configuration.vision.imageSize)
        let argument = options.model ?? ModelOptions.defaultModel
        return LoadedModel(
            name: argument, clip: clip, tokenizer: tokenizer, preprocessing: preprocessing,
            embeddedName: embeddedName(argument))
    }

    /// `--tokenizer`, else the model folder's `vocab.json` + `merges.txt`, else the bundled vocabulary.
    func makeTokenizer(_ options: TokenizerOptions, modelURL: URL) throws -> BPETokenizer {
        if let folder = options.tokenizer {
            return try BPETokenizer(huggingFaceFolder: URL(fileURLWithPath: folder))
        }
        let vocabulary = modelURL.appendingPathComponent("vocab.json")
        let merges = modelURL.appendingPathComponent("merges.txt")
        if isFolder(modelURL), FileManager.default.fileExists(atPath: vocabulary.path),
            FileManager.default.fileExists(atPath: merges.path)
        {
            return try BPETokenizer(vocabularyFile: vocabulary, mergesFile: merges)
        }
        return try BPETokenizer()
    }

    /// The model folder's `preprocessor_config.json` (Hugging Face), else open_clip's
    /// `preprocess_cfg` mean and standard deviation, else CLIP's defaults at `imageSize`.
    func makePreprocessing(modelURL: URL, imageSize: Int) throws -> CLIPPreprocessing {
        guard isFolder(modelURL) else { return CLIPPreprocessing(size: imageSize) }
        let huggingFace = modelURL.appendingPathComponent("preprocessor_config.json")
        if FileManager.default.fileExists(atPath: huggingFace.path) {
            let preprocessing = try CLIPPreprocessing(huggingFaceConfigurationAt: huggingFace)
            guard preprocessing.cropSize == imageSize else {
                throw ModelArgumentError.preprocessingMismatch(
                    file: huggingFace.path, cropSize: preprocessing.cropSize, imageSize: imageSize)
            }
            return preprocessing
        }
        var preprocessing = CLIPPreprocessing(size: imageSize)
        let openCLIP = modelURL.appendingPathComponent("open_clip_config.json")
        if FileManager.default.fileExists(atPath: openCLIP.path) {
            try OpenCLIPPreprocessing.apply(file: openCLIP, to: &preprocessing)
        }
        return preprocessing
    }

    private func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// The parts of open_clip's `preprocess_cfg` that change pixels at evaluation: `mean`, `std`
/// and `interpolation`.
enum OpenCLIPPreprocessing {
    struct Settings: Decodable {
        struct Preprocess: Decodable {
            var mean: [Float]?
            var std: [Float]?
            var interpolation: String?
        }
        var preprocessCfg: Preprocess?

        enum CodingKeys: String, CodingKey { case preprocessCfg = "preprocess_cfg" }
    }

    static func apply(file: URL, to preprocessing: inout CLIPPreprocessing) throws {
        let settings: Settings
        do {
            settings = try JSONDecoder().decode(Settings.self, from: Data(contentsOf: file))
        } catch {
            throw ModelLoadingError.unreadable(path: file.path, reason: "preprocess_cfg: \(error)")
        }
        guard let preprocess = settings.preprocessCfg else { return }
        let mean = preprocess.mean ?? PixelNormalization.clipMean
        let deviation = preprocess.std ?? PixelNormalization.clipStandardDeviation
        guard mean.count == 3, deviation.count == 3, !deviation.contains(0) else {
            throw ModelLoadingError.unreadable(
                path: file.path, reason: "preprocess_cfg mean and std need 3 values each (std non-zero)")
        }
        preprocessing.normalization = PixelNormalization(
            mean: mean, standardDeviation: deviation, rescaling: .divideInFloat)
        switch preprocess.interpolation ?? "bicubic" {
        case "bicubic": preprocessing.filter = .bicubic
        case "bilinear": preprocessing.filter = .bilinear
        case let other:
            throw ModelLoadingError.unreadable(
                path: file.path, reason: "preprocess_cfg interpolation '\(other)' is not supported (bicubic, bilinear)")
        }
    }
}
