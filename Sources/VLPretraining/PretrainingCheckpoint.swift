// Pretraining checkpoints: one safetensors file holding the model (OpenAI names under
// `model.`), the optimizer memory (under `optimizer.`), the step and the run's configuration
// (JSON metadata), written atomically so an interrupted write never replaces a good checkpoint.

import Foundation
import VLCLIP
import VLFormats
import VLNN
import VLTensor

/// Saving and restoring a ``Pretrainer`` exactly (F32 storage).
public enum PretrainingCheckpoint {
    static let modelPrefix = "model."
    static let optimizerPrefix = "optimizer."

    /// Writes `trainer`'s model, optimizer memory, step and configuration to `url` atomically.
    public static func save(_ trainer: Pretrainer, to url: URL) throws {
        let configuration = String(decoding: try JSONEncoder().encode(trainer.configuration), as: UTF8.self)
        var writer = SafeTensorsWriter(metadata: [
            "format": "vlprompt-pretraining", "step": "\(trainer.step)", "configuration": configuration,
        ])
        for (name, tensor) in trainer.model.namedParameters() {
            try writer.add(modelPrefix + name, floats: tensor.scalars, shape: tensor.shape)
        }
        for (key, tensor) in trainer.optimizerState {
            try writer.add(optimizerPrefix + key, floats: tensor.scalars, shape: tensor.shape)
        }
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writer.write(to: url)
    }

    /// The step and configuration recorded in the checkpoint at `url`.
    public static func header(at url: URL) throws -> (step: Int, configuration: PretrainingConfiguration) {
        let file = try SafeTensorsFile(url: url)
        let metadata = file.metadata
        guard metadata["format"] == "vlprompt-pretraining" else {
            throw PretrainingError.invalidCheckpoint(
                file: url.path, reason: "metadata 'format' is not vlprompt-pretraining")
        }
        guard let stepText = metadata["step"], let step = Int(stepText), step >= 0 else {
            throw PretrainingError.invalidCheckpoint(file: url.path, reason: "metadata 'step' is missing or invalid")
        }
        guard let json = metadata["configuration"],
            let configuration = try? JSONDecoder().decode(PretrainingConfiguration.self, from: Data(json.utf8))
        else {
            throw PretrainingError.invalidCheckpoint(
                file: url.path, reason: "metadata 'configuration' is missing or invalid")
        }
        return (step, configuration)
    }

    /// Restores the checkpoint at `url` into `trainer`, which must run the same configuration.
    public static func restore(_ trainer: inout Pretrainer, from url: URL) throws {
        let (step, configuration) = try header(at: url)
        guard configuration == trainer.configuration else {
            throw PretrainingError.configurationMismatch(
                file: url.path, reason: differences(configuration, trainer.configuration))
        }
        let tensors = try loadSafeTensors(from: url)
        var modelTensors: [String: Tensor] = [:], optimizerTensors: [String: Tensor] = [:]
        for (name, tensor) in tensors {
            if name.hasPrefix(modelPrefix) {
                modelTensors[String(name.dropFirst(modelPrefix.count))] = tensor
            } else if name.hasPrefix(optimizerPrefix) {
                optimizerTensors[String(name.dropFirst(optimizerPrefix.count))] = tensor
            } else {
                throw PretrainingError.invalidCheckpoint(file: url.path, reason: "unexpected tensor '\(name)'")
            }
        }
        let model = try CLIP(configuration: configuration.model, tensors: modelTensors, origin: url.path)
        try trainer.restore(model: model, optimizerState: optimizerTensors, step: step)
    }

    /// A short account of how two configurations differ, for error messages.
    static func differences(_ saved: PretrainingConfiguration, _ current: PretrainingConfiguration) -> String {
        var parts: [String] = []
        if saved.model != current.model { parts.append("model architecture") }
        if saved.steps != current.steps { parts.append("steps \(saved.steps) vs \(current.steps)") }
        if saved.batchSize != current.batchSize { parts.append("batch \(saved.batchSize) vs \(current.batchSize)") }
        if saved.seed != current.seed { parts.append("seed \(saved.seed) vs \(current.seed)") }
        if saved.learningRate != current.learningRate {
            parts.append("lr \(saved.learningRate) vs \(current.learningRate)")
        }
        return parts.isEmpty ? "optimizer settings differ" : parts.joined(separator: ", ")
    }
}
