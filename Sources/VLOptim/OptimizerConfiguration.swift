// The typed optimizer choice a method or run configuration names (Dassl's OPTIM.NAME and its
// hyperparameters), decoded from JSON like {"sgd": {"momentum": 0.9, "weightDecay": 5e-4}}.

import VLTensor

/// Which optimizer to train with, and its hyperparameters (the learning rate lives in the
/// ``LearningRateSchedule``).
///
/// Encoded as a one-key object whose key is `sgd`, `adam` or `adamw` (Dassl's names) and whose
/// value holds the options; absent options take PyTorch's defaults for that optimizer.
public enum OptimizerConfiguration: Codable, Sendable, Equatable {
    /// ``SGD``.
    case sgd(SGD.Options)
    /// ``Adam`` (L2 weight decay added to the gradient).
    case adam(AdamOptions)
    /// ``AdamW`` (decoupled weight decay).
    case adamW(AdamOptions)

    /// A fresh optimizer, with empty memory.
    ///
    /// - Throws: ``OptimizerConfigurationError`` when an option is out of range.
    public func makeOptimizer() throws(OptimizerConfigurationError) -> any Optimizer {
        switch self {
        case .sgd(let options):
            try options.validate()
            return SGD(options)
        case .adam(let options):
            try options.validate()
            return Adam(options)
        case .adamW(let options):
            try options.validate()
            return AdamW(options)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sgd, adam, adamW = "adamw"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            let names = CodingKeys.allCases.map(\.stringValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "an optimizer is an object with exactly one key of \(names); "
                        + "found \(container.allKeys.map(\.stringValue))"))
        }
        let options = try container.superDecoder(forKey: key)
        switch key {
        case .sgd: self = .sgd(try SGD.Options(from: options))
        case .adam: self = .adam(try AdamOptions(from: options, defaults: AdamOptions()))
        case .adamW: self = .adamW(try AdamOptions(from: options, defaults: .adamW))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .sgd(let options): try container.encode(options, forKey: .sgd)
        case .adam(let options): try container.encode(options, forKey: .adam)
        case .adamW(let options): try container.encode(options, forKey: .adamW)
        }
    }
}

/// An optimizer or schedule option outside the range PyTorch (or the schedule) accepts.
public struct OptimizerConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The option's name, as spelled in JSON.
    public var option: String
    /// The offending value, printed.
    public var value: String
    /// What the value must satisfy.
    public var requirement: String

    public var description: String { "\(option) = \(value) must be \(requirement)" }

    /// Throws unless `condition` holds.
    static func require(
        _ condition: Bool, _ option: String, _ value: Any, _ requirement: String
    ) throws(OptimizerConfigurationError) {
        guard condition else {
            throw OptimizerConfigurationError(
                option: option, value: "\(value)", requirement: requirement)
        }
    }
}

/// Options that can check their own values.
protocol ValidatableOptions {
    func validate() throws(OptimizerConfigurationError)
}

extension ValidatableOptions {
    /// ``validate()``, reported as the `DecodingError` of the key that holds the bad value.
    func validate(decodingWith decoder: any Decoder) throws {
        do {
            try validate()
        } catch {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [OptionKey(stringValue: error.option)],
                    debugDescription: error.description))
        }
    }
}

/// A coding key named at run time, to point a decoding error at an option.
struct OptionKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
