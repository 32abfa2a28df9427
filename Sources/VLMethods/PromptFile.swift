// The portable prompt file: a .safetensors file holding a method's learned tensors under their
// official names, with JSON metadata (method, options, class names, the model's identity and
// content hash, provenance) that any safetensors reader can use without VLPrompt's training code.

import Foundation
import VLCLIP
import VLFormats
import VLNN
import VLTensor
import VLText

/// The toolkit's version, recorded in the files it writes.
public enum ToolkitVersion {
    /// Semantic version of VLPrompt.
    public static let current = "0.1.0"
}

/// Learned prompts, portable between programs and machines.
///
/// On disk: tensors as F32 under ``AdaptationMethod/trainable`` and ``AdaptationMethod/fitted``
/// names (`ctx`, `meta_net.linear1.weight`, Tip-Adapter's `cache_keys`, …) and `__metadata__`
/// string entries:
///
/// | key | value |
/// |---|---|
/// | `format` | `vlprompt-prompt` |
/// | `format_version` | `1` |
/// | `method` | `coop`, `cocoop`, … |
/// | `options` | the method's resolved options, JSON |
/// | `class_names` | JSON array, label order |
/// | `model` | JSON `{"name", "path", "sha256"}` |
/// | `vlprompt_version` | e.g. `0.1.0` |
/// | `training` | JSON `{"dataset", "shots", "seed", "subsample", "epochs"}`, when trained |
public struct PromptFile: Sendable {
    /// The `format` tag.
    public static let formatName = "vlprompt-prompt"
    /// The version this code writes and reads.
    public static let formatVersion = 1

    /// The model a prompt was learned on.
    public struct Model: Codable, Sendable, Equatable {
        /// A short name (`ViT-B/16`, `world`, …).
        public var name: String
        /// The weights' path as given, if any.
        public var path: String?
        /// ``CLIP/contentHash()`` of the weights.
        public var sha256: String?

        /// Describes a model.
        public init(name: String, path: String? = nil, sha256: String? = nil) {
            self.name = name
            self.path = path
            self.sha256 = sha256
        }
    }

    /// Where a prompt came from.
    public struct Training: Codable, Sendable, Equatable {
        /// The dataset identifier.
        public var dataset: String
        /// Shots per class.
        public var shots: Int?
        /// The run's seed.
        public var seed: UInt64
        /// `all`, `base` or `novel`.
        public var subsample: String
        /// Epochs trained.
        public var epochs: Int

        /// Describes a training run.
        public init(dataset: String, shots: Int?, seed: UInt64, subsample: String, epochs: Int) {
            self.dataset = dataset
            self.shots = shots
            self.seed = seed
            self.subsample = subsample
            self.epochs = epochs
        }
    }

    /// The method and its resolved options.
    public var configuration: MethodConfiguration
    /// The classes the prompt was learned for.
    public var classNames: [String]
    /// The learned and fitted tensors by name.
    public var tensors: [String: Tensor]
    /// The model it was learned on.
    public var model: Model
    /// How it was trained, if recorded.
    public var training: Training?
    /// The VLPrompt version that wrote it.
    public var toolkitVersion: String

    /// The learned state of `method`.
    public init(_ method: some AdaptationMethod, model: Model, training: Training? = nil) {
        configuration = method.configuration
        classNames = method.classNames
        tensors = method.learnedTensors
        self.model = model
        self.training = training
        toolkitVersion = ToolkitVersion.current
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json(_ value: some Encodable) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        var metadata = [
            "format": Self.formatName,
            "format_version": String(Self.formatVersion),
            "method": configuration.kind.rawValue,
            "options": String(decoding: try configuration.optionsJSON(), as: UTF8.self),
            "class_names": try json(classNames),
            "model": try json(model),
            "vlprompt_version": toolkitVersion,
        ]
        if let training { metadata["training"] = try json(training) }
        try saveSafeTensors(tensors, metadata: metadata, to: url)
    }

    /// Reads a prompt file, checking its format, version and metadata.
    public init(contentsOf url: URL) throws {
        let file = try SafeTensorsFile(url: url)
        let metadata = file.metadata
        let path = url.path
        guard metadata["format"] == Self.formatName else {
            throw PromptFileError.notAPromptFile(path: path, format: metadata["format"])
        }
        guard metadata["format_version"] == String(Self.formatVersion) else {
            throw PromptFileError.unsupportedVersion(path: path, version: metadata["format_version"] ?? "none")
        }
        func field(_ key: String) throws -> String {
            guard let value = metadata[key] else { throw PromptFileError.missingMetadata(path: path, key: key) }
            return value
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do {
                return try JSONDecoder().decode(T.self, from: Data(try field(key).utf8))
            } catch let error as PromptFileError {
                throw error
            } catch {
                throw PromptFileError.malformedMetadata(path: path, key: key, detail: "\(error)")
            }
        }
        guard let kind = MethodKind(rawValue: try field("method")) else {
            throw PromptFileError.malformedMetadata(
                path: path, key: "method",
                detail: "'\(metadata["method"]!)' is not one of "
                    + MethodKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        do {
            configuration = try MethodConfiguration(kind: kind, optionsJSON: Data(try field("options").utf8))
        } catch let error as PromptFileError {
            throw error
        } catch {
            throw PromptFileError.malformedMetadata(path: path, key: "options", detail: "\(error)")
        }
        classNames = try decode([String].self, "class_names")
        model = try decode(Model.self, "model")
        training = metadata["training"] == nil ? nil : try decode(Training.self, "training")
        toolkitVersion = metadata["vlprompt_version"] ?? "unknown"
        tensors = try loadSafeTensors(from: url)
    }

    /// The method with the learned tensors in place, for `classNames` (default: the classes it
    /// was learned for; others rebuild the prompts, as cross-dataset evaluation does).
    public func makeMethod(
        clip: CLIP, tokenizer: any TextTokenizer, classNames targets: [String]? = nil, origin: String = "prompt file"
    ) throws -> any AdaptationMethod {
        var method = try configuration.makeMethod(clip: clip, tokenizer: tokenizer, classNames: classNames, seed: 0)
        for name in method.learnedTensors.keys.sorted() where tensors[name] == nil {
            throw MethodError.missingTensor(name: name, file: origin)
        }
        try method.setLearnedTensors(tensors)
        if let targets { try method.setClassNames(targets, clip: clip, tokenizer: tokenizer) }
        return method
    }
}

/// Why a prompt file could not be read.
public enum PromptFileError: Error, Equatable, CustomStringConvertible {
    /// The safetensors file is not a VLPrompt prompt file.
    case notAPromptFile(path: String, format: String?)
    /// A format version this code does not read.
    case unsupportedVersion(path: String, version: String)
    /// A required metadata entry is absent.
    case missingMetadata(path: String, key: String)
    /// A metadata entry does not decode.
    case malformedMetadata(path: String, key: String, detail: String)

    public var description: String {
        switch self {
        case .notAPromptFile(let path, let format):
            "\(path) is not a VLPrompt prompt file (metadata format is \(format.map { "'\($0)'" } ?? "absent"), "
                + "expected '\(PromptFile.formatName)')"
        case .unsupportedVersion(let path, let version):
            "\(path) has prompt format version \(version); this VLPrompt reads version \(PromptFile.formatVersion)"
        case .missingMetadata(let path, let key):
            "\(path) lacks the metadata entry '\(key)'"
        case .malformedMetadata(let path, let key, let detail):
            "\(path): metadata entry '\(key)' is malformed: \(detail)"
        }
    }
}
