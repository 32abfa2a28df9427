// Per-epoch checkpoints: the learned tensors, the optimizer's memory, the epochs completed and
// what identifies the run, written atomically into one safetensors file so a killed run
// resumes from its last finished epoch and ends bit-identical to an uninterrupted one.

import Foundation
import VLFormats
import VLMethods
import VLNN
import VLTensor

/// What makes two training runs the same run: resuming requires every field to match.
struct RunFingerprint: Codable, Equatable {
    var method: MethodConfiguration
    var classNames: [String]
    var recipe: TrainingRecipe
    var seed: UInt64
    /// SHA-256 of the training items' paths and labels, in order.
    var items: String

    /// The fields that differ from `other`, by name.
    func differences(from other: RunFingerprint) -> [String] {
        var fields: [String] = []
        if method != other.method { fields.append("method or options") }
        if classNames != other.classNames { fields.append("class names") }
        if recipe != other.recipe { fields.append("training recipe") }
        if seed != other.seed { fields.append("seed") }
        if items != other.items { fields.append("training items") }
        return fields
    }
}

/// The state saved after an epoch.
struct CheckpointState {
    /// Epochs finished; training resumes at this 0-based epoch.
    var epochsCompleted: Int
    var fingerprint: RunFingerprint
    var learned: [String: Tensor]
    var optimizer: [String: Tensor]
}

/// Where a run keeps its checkpoint: one file, replaced atomically after every epoch.
public struct CheckpointLocation: Sendable {
    /// The checkpoint file.
    public let url: URL

    /// `directory/checkpoint.safetensors`.
    public init(directory: URL) {
        url = directory.appendingPathComponent("checkpoint.safetensors")
    }

    /// A checkpoint at `url`.
    public init(file url: URL) { self.url = url }

    /// Whether a checkpoint exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: url.path) }

    static let format = "vlprompt-checkpoint"
    static let methodPrefix = "method/", optimizerPrefix = "optimizer/"

    func write(_ state: CheckpointState) throws {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in state.learned { tensors[Self.methodPrefix + name] = tensor }
        for (name, tensor) in state.optimizer { tensors[Self.optimizerPrefix + name] = tensor }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = [
            "format": Self.format,
            "format_version": "1",
            "epochs_completed": String(state.epochsCompleted),
            "run": String(decoding: try encoder.encode(state.fingerprint), as: UTF8.self),
            // Every random draw is a counter-based function of (seed, epoch, item), so the
            // epoch count is the whole random state.
            "rng": "splitmix64; sampler and augmentation derived from (seed \(state.fingerprint.seed), epoch, item)",
        ]
        try saveSafeTensors(tensors, metadata: metadata, to: url)
    }

    func read() throws -> CheckpointState {
        let path = url.path
        let file = try SafeTensorsFile(url: url)
        guard file.metadata["format"] == Self.format, file.metadata["format_version"] == "1" else {
            throw TrainingError.malformedCheckpoint(path: path, detail: "format is not \(Self.format) version 1")
        }
        guard let epochs = file.metadata["epochs_completed"].flatMap(Int.init), epochs >= 0 else {
            throw TrainingError.malformedCheckpoint(path: path, detail: "epochs_completed is missing or not a count")
        }
        let fingerprint: RunFingerprint
        do {
            fingerprint = try JSONDecoder().decode(RunFingerprint.self, from: Data((file.metadata["run"] ?? "").utf8))
        } catch {
            throw TrainingError.malformedCheckpoint(path: path, detail: "run description: \(error)")
        }
        var learned: [String: Tensor] = [:]
        var optimizer: [String: Tensor] = [:]
        for (name, tensor) in try loadSafeTensors(from: url) {
            if name.hasPrefix(Self.methodPrefix) {
                learned[String(name.dropFirst(Self.methodPrefix.count))] = tensor
            } else if name.hasPrefix(Self.optimizerPrefix) {
                optimizer[String(name.dropFirst(Self.optimizerPrefix.count))] = tensor
            } else {
                throw TrainingError.malformedCheckpoint(path: path, detail: "unexpected tensor \(name)")
            }
        }
        return CheckpointState(
            epochsCompleted: epochs, fingerprint: fingerprint, learned: learned, optimizer: optimizer)
    }
}
