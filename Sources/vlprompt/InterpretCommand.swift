// `vlprompt interpret`: the vocabulary tokens nearest each learned context vector, by Euclidean
// distance to the token embeddings (CoOp's interpret_prompt.py).

import ArgumentParser
import Foundation
import VLMethods
import VLTensor
import VLText

struct InterpretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpret",
        abstract: "Show the vocabulary words nearest each learned context vector (Euclidean distance).")

    @Option(help: "Prompt file written by `vlprompt train`.") var prompt: String
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Nearest tokens to show per vector.") var top = 3
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var threading: ThreadOptions

    struct Vector: Encodable {
        var tensor: String
        var index: [Int]
        var nearest: [Neighbour]
        struct Neighbour: Encodable {
            var token: String
            var id: Int
            var distance: Double
        }
    }

    func run() throws { print(try execute(), terminator: "") }

    /// The nearest tokens of every learned vector, as text or one JSON line.
    func execute() throws -> String {
        try threading.apply()
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: prompt))
        let resolved = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let table = resolved.clip.text.tokenEmbedding.detached()
        let width = table.shape[1]
        var vectors: [Vector] = []
        for name in file.tensors.keys.sorted() {
            let tensor = file.tensors[name]!
            guard tensor.shape.last == width, tensor.rank >= 2 else { continue }
            let rows = tensor.reshaped([-1, width])
            let distances = Self.squaredDistances(rows, table)
            let leading = Array(tensor.shape.dropLast())
            for row in 0..<rows.shape[0] {
                let scores = Array(distances[(row * table.shape[0])..<((row + 1) * table.shape[0])])
                let nearest = scores.indices.sorted { scores[$0] < scores[$1] }.prefix(top).map { id in
                    Vector.Neighbour(
                        token: Self.spelling(id, resolved.tokenizer), id: id,
                        distance: Double(max(scores[id], 0)).squareRoot())
                }
                vectors.append(Vector(tensor: name, index: Self.unflatten(row, leading), nearest: nearest))
            }
        }
        guard !vectors.isEmpty else { throw ValidationError("\(prompt) holds no vectors of the text width \(width)") }
        if json { return try jsonLine(vectors) + "\n" }
        return vectors.map { vector in
            let words = vector.nearest.map { "\($0.token) (\(String(format: "%.4f", $0.distance)))" }
            return "\(vector.tensor)\(vector.index): " + words.joined(separator: ", ") + "\n"
        }.joined()
    }

    /// `‖v‖² − 2 v·e + ‖e‖²` for every vector row and table row, row-major `[vectors, table]`.
    static func squaredDistances(_ vectors: Tensor, _ table: Tensor) -> [Float] {
        let products = vectors.matmul(table, transposeOther: true).array
        let vectorNorms = vectors.squared().sum(alongAxis: 1).array
        let tableNorms = table.squared().sum(alongAxis: 1).array
        var result = products
        for i in vectorNorms.indices {
            for j in tableNorms.indices {
                result[i * tableNorms.count + j] =
                    vectorNorms[i] - 2 * products[i * tableNorms.count + j] + tableNorms[j]
            }
        }
        return result
    }

    static func spelling(_ id: Int, _ tokenizer: any TextTokenizer) -> String {
        if let bpe = tokenizer as? BPETokenizer, let token = bpe.token(for: id) { return token }
        return (try? tokenizer.decode([id])) ?? "<\(id)>"
    }

    static func unflatten(_ index: Int, _ shape: [Int]) -> [Int] {
        var rest = index
        return shape.reversed().map { extent in
            defer { rest /= extent }
            return rest % extent
        }.reversed()
    }
}
