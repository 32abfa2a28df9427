// The CLIP shipped inside VLPrompt (`world-clip`, pretrained on the procedural world by
// `vlprompt pretrain`), found by name so every command works with no downloads.

import Foundation
import VLCLIP

/// Models that ship with VLPrompt, resolved by name to their Hugging Face folder.
public enum EmbeddedModel {
    /// The names that resolve, with the folder each one means.
    public static let names: [String: String] = ["world-clip": "world-clip", "default": "world-clip"]

    /// Environment variable that, when set, names the folder to use for `world-clip` instead.
    public static let overrideVariable = "VLPROMPT_WORLD_CLIP"

    /// Errors resolving an embedded model.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unknownName(String, known: [String])
        case notFound(name: String, searched: [String])

        public var description: String {
            switch self {
            case .unknownName(let name, let known):
                "'\(name)' is not an embedded model (known: \(known.joined(separator: ", ")))"
            case .notFound(let name, let searched):
                "the embedded model '\(name)' is missing; looked in: \(searched.joined(separator: ", "))"
            }
        }
    }

    /// Whether `name` is one of ``names``.
    public static func isEmbedded(_ name: String) -> Bool { names[name] != nil }

    /// The folder (config.json + model.safetensors) of the embedded model `name`.
    ///
    /// Looks, in order, at the ``overrideVariable`` folder, the resource bundle SwiftPM copies
    /// beside the executable, and the package's source tree.
    public static func folder(named name: String) throws -> URL {
        guard let folderName = names[name] else {
            throw Failure.unknownName(name, known: names.keys.sorted())
        }
        let candidates = candidateFolders(folderName)
        let file = FileManager.default
        let found = candidates.first { file.fileExists(atPath: $0.appendingPathComponent("config.json").path) }
        if let found { return found }
        throw Failure.notFound(name: name, searched: candidates.map(\.path))
    }

    /// Loads the embedded model `name` (weights widened from F16 to F32).
    public static func load(named name: String = "world-clip") throws -> CLIP {
        try CLIP.load(from: folder(named: name))
    }

    static func candidateFolders(_ folderName: String) -> [URL] {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment[overrideVariable], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let bundleName = "VLPrompt_VLEmbedded.resources"
        let executable = Bundle.main.bundleURL
        candidates.append(executable.appendingPathComponent(bundleName).appendingPathComponent(folderName))
        let parent = executable.deletingLastPathComponent()
        candidates.append(parent.appendingPathComponent(bundleName).appendingPathComponent(folderName))
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        candidates.append(sources.appendingPathComponent("Resources").appendingPathComponent(folderName))
        return candidates
    }
}
