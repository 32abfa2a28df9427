// Loader for the PyTorch reference fixtures in Tests/Fixtures (safetensors files written by
// tools/fixtures/*.py), located relative to this source file so tests need no resources.

import Foundation
import VLFormats
import VLNN
import VLTensor

/// A fixture file `Tests/Fixtures/<name>.safetensors` holding reference tensors.
///
/// ```swift
/// let f = try Fixture("ops/layernorm")
/// expectClose(f["x"].layerNorm(weight: f["weight"], bias: f["bias"]), f["y"], .forward)
/// ```
public struct Fixture: Sendable {
    /// The fixture's name relative to `Tests/Fixtures`, without extension.
    public let name: String
    private let file: SafeTensorsFile

    /// Opens `Tests/Fixtures/<name>.safetensors`, e.g. `Fixture("ops/layernorm")`.
    public init(_ name: String) throws {
        let url = Fixture.url(name + ".safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing(path: url.path)
        }
        self.name = name
        self.file = try SafeTensorsFile(url: url)
    }

    /// The floating-point tensor `key` (F32, F16, BF16 or F64) as Float32. A missing key or a
    /// non-float tensor stops the test, naming the fixture and the key.
    public subscript(_ key: String) -> Tensor {
        do {
            return try Tensor(from: file, name: key)
        } catch {
            preconditionFailure("fixture '\(name)', key '\(key)': \(error)\(availableKeys)")
        }
    }

    /// The integer tensor `key` (I64, I32 and other integer types) as `Int` values.
    public func integers(_ key: String) -> [Int] {
        do {
            return try file.integers(key)
        } catch {
            preconditionFailure("fixture '\(name)', key '\(key)': \(error)\(availableKeys)")
        }
    }

    /// Whether the fixture holds a tensor called `key`.
    public func has(_ key: String) -> Bool { file.contains(key) }

    /// The fixture's metadata (generator, versions, seed, and any recorded settings).
    public var metadata: [String: String] { file.metadata }

    /// `<repository>/Tests/Fixtures/<relativePath>`, for fixtures in other formats (JSON).
    public static func url(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relativePath)
    }

    /// Three levels up from `Sources/VLTestSupport/Fixture.swift`.
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private var availableKeys: String {
        let names = file.sortedNames
        let more = names.count > 20 ? ", … (\(names.count) in all)" : ""
        return "; available keys: " + names.prefix(20).joined(separator: ", ") + more
    }
}

/// Why a fixture could not be loaded.
public enum FixtureError: Error, CustomStringConvertible {
    /// The fixture file does not exist.
    case missing(path: String)

    public var description: String {
        switch self {
        case .missing(let path):
            "fixture \(path) does not exist; regenerate the fixtures with `make fixtures` "
                + "(needs the Python environment described in tools/fixtures/README.md)"
        }
    }
}
