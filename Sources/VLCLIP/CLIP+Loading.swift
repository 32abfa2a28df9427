// Loading CLIP weights as users have them (formats.md §3.2–3.4): Hugging Face folders (single
// or sharded safetensors, or pytorch_model.bin), open_clip hub folders, and single weight files
// (safetensors, torch.save state dicts, OpenAI's TorchScript .pt archives).

import Foundation
import VLFormats
import VLNN
import VLTensor

extension CLIP {
    /// Extensions of single files read as PyTorch checkpoints (torch.save or TorchScript archives).
    public static let torchCheckpointExtensions: Set<String> = ["pt", "pth", "bin"]

    /// Loads a model from `url`:
    /// - a folder with `config.json` and `model.safetensors` (or a sharded
    ///   `model.safetensors.index.json`, or `pytorch_model.bin`): Hugging Face `CLIPModel`;
    /// - a folder with `open_clip_config.json` and `open_clip_model.safetensors` (or
    ///   `open_clip_pytorch_model.bin`): open_clip;
    /// - a `.safetensors` file, or a `.pt` / `.pth` / `.bin` PyTorch checkpoint: a state dict
    ///   (possibly wrapped in `{"state_dict": …}`, with a `module.` prefix that is stripped) or an
    ///   OpenAI TorchScript archive (whose integer buffers `input_resolution`, `context_length`
    ///   and `vocab_size` are dropped). Keys may be OpenAI / open_clip or Hugging Face names.
    ///
    /// `configuration` overrides what the files say or imply; without it, a single file's
    /// architecture is read off its shapes (see ``CLIPConfiguration/init(inferringFrom:origin:activation:)``).
    /// Weights stored as F16 or BF16 are converted to F32. Every tensor's shape is checked and
    /// every tensor must be used exactly once.
    public static func load(from url: URL, configuration: CLIPConfiguration? = nil) throws -> CLIP {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelLoadingError.notFound(path: url.path)
        }
        if isDirectory.boolValue { return try loadFolder(url, configuration: configuration) }
        let tensors = try CheckpointNames.openAINames(fromAnyLayout: try loadWeightFile(url), origin: url.path)
        let resolved = try configuration ?? CLIPConfiguration(inferringFrom: tensors, origin: url.path)
        return try CLIP(configuration: resolved, tensors: tensors, origin: url.path)
    }

    /// Every weight of one safetensors or PyTorch file, as stored (names unchanged).
    static func loadWeightFile(_ url: URL) throws -> [String: Tensor] {
        let pathExtension = url.pathExtension.lowercased()
        if pathExtension == "safetensors" { return try loadSafeTensors(from: url) }
        if torchCheckpointExtensions.contains(pathExtension) { return try loadTorchWeights(from: url) }
        throw ModelLoadingError.unsupported(
            path: url.path, reason: "expected a model folder, a .safetensors file or a .pt/.pth/.bin checkpoint")
    }

    /// Integer buffers OpenAI's TorchScript archives carry beside the weights (`clip.load` reads
    /// the architecture from them); they are not parameters.
    public static let torchScriptBuffers: Set<String> = ["input_resolution", "context_length", "vocab_size"]

    /// The floating-point tensors of a PyTorch checkpoint. The TorchScript buffers above and
    /// Hugging Face's legacy `position_ids` are skipped by name; any other non-float tensor is
    /// an error naming it, since it cannot be a CLIP weight.
    static func loadTorchWeights(from url: URL) throws -> [String: Tensor] {
        let checkpoint = try TorchCheckpoint(url: url)
        var tensors: [String: Tensor] = [:]
        var others: [String] = []
        for name in checkpoint.names {
            let dtype = try checkpoint.info(name).dtype
            if dtype.convertsToFloat {
                tensors[name] = try Tensor(from: checkpoint, name: name)
            } else if !(checkpoint.format == .torchScript && torchScriptBuffers.contains(name))
                && !CheckpointNames.ignoredHuggingFace.contains(name)
            {
                others.append("\(name) (\(dtype.rawValue))")
            }
        }
        if !others.isEmpty {
            throw ModelLoadingError.unsupported(
                path: url.path,
                reason: "non-float tensors that are not CLIP weights: " + others.joined(separator: ", "))
        }
        return tensors
    }

    static func loadFolder(_ folder: URL, configuration: CLIPConfiguration?) throws -> CLIP {
        let hfConfig = folder.appendingPathComponent("config.json")
        let openCLIPConfig = folder.appendingPathComponent("open_clip_config.json")
        if exists(hfConfig) {
            let resolved = try configuration ?? CLIPConfiguration(
                huggingFaceJSON: try readFile(hfConfig), file: hfConfig.path)
            let tensors = try loadHuggingFaceWeights(folder)
            let converted = try CheckpointNames.openAINames(fromHuggingFace: tensors, origin: folder.path)
            return try CLIP(configuration: resolved, tensors: converted, origin: folder.path)
        }
        if exists(openCLIPConfig) {
            let resolved = try configuration ?? CLIPConfiguration(
                openCLIPJSON: try readFile(openCLIPConfig), file: openCLIPConfig.path)
            let weights = try firstExisting(
                ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"], in: folder)
            let tensors = CheckpointNames.strippingModulePrefix(try loadWeightFile(weights))
            return try CLIP(configuration: resolved, tensors: tensors, origin: weights.path)
        }
        throw ModelLoadingError.unsupported(
            path: folder.path, reason: "no config.json (Hugging Face) or open_clip_config.json (open_clip) in the folder")
    }

    /// The tensors of `model.safetensors`, of every shard named by `model.safetensors.index.json`,
    /// or of `pytorch_model.bin`, in that order of preference.
    static func loadHuggingFaceWeights(_ folder: URL) throws -> [String: Tensor] {
        let single = folder.appendingPathComponent("model.safetensors")
        if exists(single) { return try loadSafeTensors(from: single) }
        let indexURL = folder.appendingPathComponent("model.safetensors.index.json")
        if exists(indexURL) { return try loadShards(folder: folder, index: indexURL) }
        let torchFile = folder.appendingPathComponent("pytorch_model.bin")
        if exists(torchFile) { return try loadTorchWeights(from: torchFile) }
        throw ModelLoadingError.unsupported(
            path: folder.path,
            reason: "none of model.safetensors, model.safetensors.index.json, pytorch_model.bin is present")
    }

    static func loadShards(folder: URL, index indexURL: URL) throws -> [String: Tensor] {
        let index = try ShardIndex(data: try readFile(indexURL), file: indexURL.path)
        var tensors: [String: Tensor] = [:]
        for shard in index.shards {
            let shardURL = folder.appendingPathComponent(shard)
            for (name, tensor) in try loadSafeTensors(from: shardURL) {
                guard index.weightMap[name] == shard else {
                    throw ModelLoadingError.inconsistentShards(
                        path: shardURL.path, reason: "tensor '\(name)' is not assigned to this shard by the index")
                }
                tensors[name] = tensor
            }
        }
        // Legacy integer buffers (position_ids) are listed but hold no weights.
        let missing = Set(index.weightMap.keys).subtracting(tensors.keys).subtracting(CheckpointNames.ignoredHuggingFace)
        if let name = missing.sorted().first {
            throw ModelLoadingError.inconsistentShards(
                path: indexURL.path, reason: "tensor '\(name)' is listed but in no shard")
        }
        return tensors
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// The first of `names` present in `folder`.
    static func firstExisting(_ names: [String], in folder: URL) throws -> URL {
        guard let found = names.map({ folder.appendingPathComponent($0) }).first(where: exists) else {
            throw ModelLoadingError.unsupported(
                path: folder.path, reason: "none of " + names.joined(separator: ", ") + " is present")
        }
        return found
    }

    static func readFile(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw ModelLoadingError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// `model.safetensors.index.json`: which shard holds each tensor.
struct ShardIndex {
    let weightMap: [String: String]
    var shards: [String] { Array(Set(weightMap.values)).sorted() }

    init(data: Data, file: String) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let map = root["weight_map"] as? [String: String]
        else {
            throw ModelLoadingError.unreadable(path: file, reason: "expected a JSON object with a \"weight_map\" of strings")
        }
        if let bad = map.values.first(where: { $0.contains("/") || $0.hasPrefix(".") }) {
            throw ModelLoadingError.unreadable(path: file, reason: "shard name '\(bad)' is not a plain file name")
        }
        weightMap = map
    }
}

/// Errors from locating and reading model files.
public enum ModelLoadingError: Error, CustomStringConvertible {
    case notFound(path: String)
    case unsupported(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case inconsistentShards(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file or folder"
        case .unsupported(let path, let reason): "\(path): not a model this tool reads: \(reason)"
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .inconsistentShards(let path, let reason): "\(path): inconsistent sharded checkpoint: \(reason)"
        }
    }
}

extension CLIPConfiguration {
    /// Parses open_clip's `open_clip_config.json` (`{"model_cfg": {...}}`) for ViT models.
    public init(openCLIPJSON data: Data, file: String) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError.unreadable(file: file, reason: "not a JSON object")
        }
        let model = root["model_cfg"] as? [String: Any] ?? root
        let reader = HuggingFaceFields(file: file)
        guard let visionFields = model["vision_cfg"] as? [String: Any],
            let textFields = model["text_cfg"] as? [String: Any]
        else { throw ConfigurationError.missingField(file: file, field: "model_cfg.vision_cfg / text_cfg") }
        let activation: Activation = (model["quick_gelu"] as? Bool ?? false) ? .quickGELU : .gelu
        let visionWidth = try reader.int(visionFields, "width", default: 768, section: "vision_cfg")
        let headWidth = try reader.int(visionFields, "head_width", default: 64, section: "vision_cfg")
        let mlpRatio = (visionFields["mlp_ratio"] as? NSNumber)?.doubleValue ?? 4
        let vision = Vision(
            imageSize: try reader.int(visionFields, "image_size", default: 224, section: "vision_cfg"),
            patchSize: try reader.int(visionFields, "patch_size", default: 16, section: "vision_cfg"),
            width: visionWidth, layers: try reader.int(visionFields, "layers", default: 12, section: "vision_cfg"),
            heads: max(1, visionWidth / max(1, headWidth)), mlpWidth: Int(Double(visionWidth) * mlpRatio),
            activation: activation)
        let textWidth = try reader.int(textFields, "width", default: 512, section: "text_cfg")
        let text = Text(
            contextLength: try reader.int(textFields, "context_length", default: 77, section: "text_cfg"),
            vocabularySize: try reader.int(textFields, "vocab_size", default: 49_408, section: "text_cfg"),
            width: textWidth, layers: try reader.int(textFields, "layers", default: 12, section: "text_cfg"),
            heads: try reader.int(textFields, "heads", default: 8, section: "text_cfg"),
            mlpWidth: Int(Double(textWidth) * ((textFields["mlp_ratio"] as? NSNumber)?.doubleValue ?? 4)),
            activation: activation)
        self.init(
            embeddingWidth: try reader.int(model, "embed_dim", default: 512, section: "model_cfg"),
            vision: vision, text: text)
        try validate(origin: file)
    }
}
