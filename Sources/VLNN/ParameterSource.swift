// Where a model's parameters come from when it is built: a checkpoint (checked) or a
// seeded initializer. Models describe each tensor once; the source decides its values.

import VLTensor

/// How a freshly initialized parameter is drawn (ignored when loading a checkpoint).
public enum Initialization: Sendable, Equatable {
    case normal(standardDeviation: Float)
    case uniform(bound: Float)
    case constant(Float)
}

/// Supplies the tensor for each named parameter a model asks for.
public protocol ParameterSource {
    /// The tensor named `name` with exactly `shape`.
    mutating func tensor(named name: String, shape: [Int], initialization: Initialization) throws -> Tensor
}

/// Errors from building a model out of named tensors.
public enum ParameterError: Error, CustomStringConvertible, Equatable {
    case missing(name: String, source: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int], source: String)
    case unexpected(names: [String], source: String)

    public var description: String {
        switch self {
        case .missing(let name, let source):
            "\(source): missing parameter '\(name)'"
        case .shapeMismatch(let name, let expected, let found, let source):
            "\(source): parameter '\(name)' has shape \(found), the configuration expects \(expected)"
        case .unexpected(let names, let source):
            "\(source): \(names.count) unexpected parameter(s): "
                + names.sorted().prefix(10).joined(separator: ", ")
                + (names.count > 10 ? ", …" : "")
        }
    }
}

/// Parameters taken from a dictionary of loaded tensors; each must be used exactly once.
public struct LoadedParameters: ParameterSource {
    private var remaining: [String: Tensor]
    /// Names the errors use for the origin (usually a file path).
    public let origin: String

    public init(_ tensors: [String: Tensor], origin: String) {
        self.remaining = tensors
        self.origin = origin
    }

    public mutating func tensor(named name: String, shape: [Int], initialization: Initialization) throws -> Tensor {
        guard let tensor = remaining.removeValue(forKey: name) else {
            throw ParameterError.missing(name: name, source: origin)
        }
        if tensor.shape == shape { return tensor }
        // A one-element tensor stored as `[1]` where a scalar is expected (or the reverse) is the
        // same value; open_clip and OpenAI disagree on `logit_scale`.
        if tensor.scalarCount == 1 && shape.reduce(1, *) == 1 {
            return tensor.reshaped(shape)
        }
        throw ParameterError.shapeMismatch(name: name, expected: shape, found: tensor.shape, source: origin)
    }

    /// Throws when any loaded tensor was never asked for.
    public func finish() throws {
        if !remaining.isEmpty {
            throw ParameterError.unexpected(names: Array(remaining.keys), source: origin)
        }
    }
}

/// Freshly drawn parameters: each name gets its own reproducible stream of the seed.
public struct InitializedParameters: ParameterSource {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public mutating func tensor(named name: String, shape: [Int], initialization: Initialization) throws -> Tensor {
        let stream = RandomGenerator(seed: seed).derived(InitializedParameters.hash(name))
        switch initialization {
        case .normal(let standardDeviation):
            return Tensor.normal(shape, standardDeviation: standardDeviation, seed: stream)
        case .uniform(let bound):
            return Tensor.uniform(shape, in: -bound...bound, seed: stream)
        case .constant(let value):
            return Tensor(repeating: value, shape: shape)
        }
    }

    /// FNV-1a over the name's UTF-8 bytes: stable across runs and platforms (unlike `hashValue`).
    static func hash(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
