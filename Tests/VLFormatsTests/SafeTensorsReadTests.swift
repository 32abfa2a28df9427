// Reading safetensors files written by the Python safetensors package (tools/fixtures/formats.py):
// every converted dtype, rank-0 and zero-size tensors, metadata, unaligned data.

import Foundation
import Testing
import VLTestSupport
@testable import VLFormats

/// The reference values the generator stored in the fixture's `expected` metadata.
fileprivate struct Expected: Decodable {
    /// A JSON number (kept both as written integer and as Double, so "-0.0" keeps its sign)
    /// or one of the strings "nan", "inf", "-inf".
    struct Value: Decodable {
        var integer: Int?
        var double: Double

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let real = try? container.decode(Double.self) {
                double = real
                integer = try? container.decode(Int.self)
            } else {
                switch try container.decode(String.self) {
                case "inf": double = .infinity
                case "-inf": double = -.infinity
                default: double = .nan
                }
            }
        }
    }

    var shape: [Int]
    var values: [Value]

    static func load(from file: SafeTensorsFile) throws -> [String: Expected] {
        let text = try #require(file.metadata["expected"])
        return try JSONDecoder().decode([String: Expected].self, from: Data(text.utf8))
    }
}

@Suite("safetensors reading")
struct SafeTensorsReadTests {
    let file: SafeTensorsFile
    fileprivate let expected: [String: Expected]

    init() throws {
        file = try SafeTensorsFile(url: Fixture.url("formats/dtypes.safetensors"))
        expected = try Expected.load(from: file)
    }

    @Test("floating-point tensors (F32, F16, BF16, F64) convert exactly, signs and non-finites kept")
    func floats() throws {
        let names = file.names.filter { (try? file.info($0).dtype.convertsToFloat) == true }
        #expect(Set(names) == ["float32", "float16", "bfloat16", "float64", "float16_nonfinite",
                               "bfloat16_nonfinite", "scalar", "empty"])
        for name in names {
            let reference = try #require(expected[name])
            let values = try file.floats(name)
            #expect(try file.info(name).shape == reference.shape, "\(name)")
            #expect(values.count == reference.values.count, "\(name)")
            for (actual, value) in zip(values, reference.values) {
                let wanted = Float(value.double)
                #expect(actual.bitPattern == wanted.bitPattern || (actual.isNaN && wanted.isNaN),
                        "\(name): \(actual) vs \(wanted)")
            }
        }
    }

    @Test("integer and boolean tensors convert exactly")
    func integers() throws {
        let names = file.names.filter { (try? file.info($0).dtype.convertsToInteger) == true }
        #expect(Set(names) == ["int64", "int32", "int16", "int8", "uint8", "bool"])
        for name in names {
            let reference = try #require(expected[name])
            let wanted = reference.values.map { $0.integer }
            #expect(try file.integers(name).map(Optional.some) == wanted, "\(name)")
            #expect(try file.info(name).shape == reference.shape, "\(name)")
        }
    }

    @Test("dtypes, rank-0 and zero-size tensors are described as written")
    func descriptions() throws {
        #expect(try file.info("bfloat16").dtype == .bfloat16)
        #expect(try file.info("bool").dtype == .bool)
        let scalar = try file.info("scalar")
        #expect(scalar.shape == [] && scalar.elementCount == 1 && scalar.byteRange.count == 4)
        let empty = try file.info("empty")
        #expect(empty.shape == [0, 3] && empty.elementCount == 0 && empty.byteRange.isEmpty)
        #expect(try file.floats("empty") == [])
        #expect(file.sortedNames == file.names.sorted())
        #expect(file.contains("int64") && !file.contains("missing"))
    }

    @Test("metadata records the generator")
    func metadata() {
        #expect(file.metadata["generator"] == "tools/fixtures/formats.py")
        #expect(file.metadata["seed"] != nil && file.metadata["torch"] != nil)
    }

    @Test("asking for a missing tensor or the wrong conversion throws, naming file and tensor")
    func wrongRequests() {
        let path = file.url.path
        #expect(throws: SafeTensorsError.missingTensor(file: path, tensor: "nothing")) {
            try file.floats("nothing")
        }
        #expect(throws: SafeTensorsError.unsupportedConversion(
            file: path, tensor: "int64", dtype: .int64, target: "Float")) { try file.floats("int64") }
        #expect(throws: SafeTensorsError.unsupportedConversion(
            file: path, tensor: "float32", dtype: .float32, target: "Int")) { try file.integers("float32") }
    }

    @Test("data at unaligned addresses is read correctly")
    func unaligned() throws {
        let directory = try TemporaryDirectory()
        let values: [Double] = [1.25, -3.5e-3]
        let f64 = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let f32 = values.flatMap { withUnsafeBytes(of: Float($0).bitPattern.littleEndian, Array.init) }
        // An odd header length puts the data buffer at an odd byte, so neither tensor is aligned.
        var header = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""y":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}"#
        if header.utf8.count % 2 == 0 { header += " " }
        let url = directory.file("unaligned.safetensors")
        try Data(safeTensorsBytes(header: header, data: f32 + f64)).write(to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(try file.floats("x") == values.map { Float($0) })
        #expect(try file.floats("y") == values.map { Float($0) })
    }
}
