// Writing safetensors files: round trips, byte-for-byte agreement with the reference writer
// (Python safetensors), and rejection of inconsistent tensors.

import Foundation
import Testing
import VLTestSupport
@testable import VLFormats

@Suite("safetensors writing")
struct SafeTensorsWriteTests {
    @Test("tensors of every writable dtype survive a write and a read")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("round.safetensors")
        let floats: [Float] = [0.5, -1.75, 3, 1024, -0.0, 0x1p-14]
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "note": "quote \" and \\ and é"])
        try writer.add("weight", floats: floats, shape: [2, 3])
        try writer.add("half", floats: floats, shape: [6], as: .float16)
        try writer.add("brain", floats: floats, shape: [3, 2], as: .bfloat16)
        try writer.add("double", floats: floats, shape: [6], as: .float64)
        try writer.add("ids", integers: [Int.max, Int.min, 0], shape: [3])
        try writer.add("small", integers: [-5, 9], shape: [2], as: .int32)
        try writer.add("scalar", floats: [4.5], shape: [])
        try writer.add("empty", floats: [], shape: [0, 4])
        try writer.write(to: url)

        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata == writer.metadata)
        #expect(try file.floats("weight") == floats)
        #expect(try file.floats("half") == floats)  // every value is exact in F16 and BF16
        #expect(try file.floats("brain") == floats)
        #expect(try file.floats("double") == floats)
        #expect(try file.info("brain").shape == [3, 2])
        #expect(try file.integers("ids") == [Int.max, Int.min, 0])
        #expect(try file.integers("small") == [-5, 9])
        #expect(try file.info("small").dtype == .int32)
        #expect(try file.floats("scalar") == [4.5] && file.info("scalar").shape == [])
        #expect(try file.info("empty").shape == [0, 4])
        #expect(try directory.contents() == ["round.safetensors"])
    }

    @Test("the header is padded with spaces to a multiple of 8")
    func padding() throws {
        for nameLength in 1...9 {
            var writer = SafeTensorsWriter()
            try writer.add(String(repeating: "n", count: nameLength), floats: [1], shape: [1])
            let bytes = [UInt8](writer.encoded())
            let length = Int(bytes[0..<8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            #expect(length % 8 == 0)
            #expect(bytes[8 + length - 1] == UInt8(ascii: " ") || bytes[8 + length - 1] == UInt8(ascii: "}"))
            #expect(bytes.count == 8 + length + 4)
        }
    }

    @Test("rewriting a file from the Python writer reproduces it byte for byte")
    func matchesReferenceWriter() throws {
        let url = Fixture.url("formats/writer_reference.safetensors")
        let reference = try SafeTensorsFile(url: url)
        var writer = SafeTensorsWriter(metadata: reference.metadata)
        // Add in reverse file order so the writer has to establish the order itself.
        for name in reference.names.reversed() {
            let info = try reference.info(name)
            if info.dtype.convertsToFloat {
                try writer.add(name, floats: reference.floats(name), shape: info.shape, as: info.dtype)
            } else {
                try writer.add(name, integers: reference.integers(name), shape: info.shape, as: info.dtype)
            }
        }
        #expect(writer.encoded() == (try Data(contentsOf: url)))
    }

    @Test("BF16 and F16 narrowing rounds to nearest, ties to even")
    func narrowingRounds() throws {
        // 1 + 2⁻⁸ lies halfway between the BF16 neighbours 1 and 1 + 2⁻⁷: the even one (1) wins;
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶: again the even one (1 + 2⁻⁶).
        let ties: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-8 + 0x1p-20]
        var writer = SafeTensorsWriter()
        try writer.add("brain", floats: ties, shape: [3], as: .bfloat16)
        try writer.add("half", floats: [1 + 0x1p-11, 1 + 3 * 0x1p-11], shape: [2], as: .float16)
        let directory = try TemporaryDirectory()
        let url = directory.file("ties.safetensors")
        try writer.write(to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(try file.floats("brain") == [1, 1 + 0x1p-6, 1 + 0x1p-7])
        #expect(try file.floats("half") == [1, 1 + 0x1p-9])
        #expect(ElementCoding.bfloat16Bits(.nan) == 0x7FC0)
    }

    @Test("inconsistent tensors are rejected with the tensor's name")
    func rejectsInconsistentTensors() throws {
        var writer = SafeTensorsWriter()
        #expect(throws: SafeTensorsError.invalidTensorData(
            tensor: "w", reason: "3 values cannot have shape [2, 2]")) {
            try writer.add("w", floats: [1, 2, 3], shape: [2, 2])
        }
        try writer.add("w", floats: [1], shape: [1])
        #expect(throws: SafeTensorsError.invalidTensorData(tensor: "w", reason: "added twice")) {
            try writer.add("w", floats: [1], shape: [1])
        }
        #expect(throws: SafeTensorsError.self) { try writer.add("__metadata__", floats: [1], shape: [1]) }
        #expect(throws: SafeTensorsError.self) { try writer.add("n", floats: [], shape: [-1, 0]) }
        #expect(throws: SafeTensorsError.self) { try writer.add("h", floats: [], shape: [Int.max, 4]) }
        #expect(throws: SafeTensorsError.invalidTensorData(
            tensor: "i", reason: "value 70000 does not fit in I16")) {
            try writer.add("i", integers: [1, 70_000], shape: [2], as: .int16)
        }
        #expect(throws: SafeTensorsError.self) { try writer.add("f", floats: [1], shape: [1], as: .int8) }
        #expect(throws: SafeTensorsError.self) { try writer.add("u", integers: [1], shape: [1], as: .uint64) }
    }
}
