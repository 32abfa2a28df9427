// Malformed safetensors files, written by hand: each must give its specific thrown error
// (formats.md §3.1 validation rules), and no byte sequence may crash the reader.

import Foundation
import Testing
import VLTestSupport
@testable import VLFormats

@Suite("safetensors validation")
struct SafeTensorsCorruptionTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// Writes `bytes` to a new file and tries to open it.
    private func open(_ bytes: [UInt8], _ name: String = "bad.safetensors") throws -> SafeTensorsFile {
        let url = directory.file(name)
        try Data(bytes).write(to: url)
        return try SafeTensorsFile(url: url)
    }

    private var path: String { directory.file("bad.safetensors").path }

    private func entry(_ name: String, _ dtype: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        #""\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":[\#(begin),\#(end)]}"#
    }

    @Test("a file shorter than the length field is truncated")
    func tooShort() {
        #expect(throws: SafeTensorsError.truncated(file: path, size: 5)) { try open([1, 2, 3, 4, 5]) }
        #expect(throws: SafeTensorsError.truncated(file: path, size: 0)) { try open([]) }
    }

    @Test("a header longer than the file is rejected")
    func headerBeyondEnd() {
        let bytes = safeTensorsBytes(header: "{}", declaredLength: 1000)
        #expect(throws: SafeTensorsError.headerBeyondEnd(file: path, headerLength: 1000, fileSize: 10)) {
            try open(bytes)
        }
    }

    @Test("a header length over 100 MB is rejected before anything is read")
    func oversizedHeader() {
        let bytes = safeTensorsBytes(header: "{}", declaredLength: 100_000_001)
        #expect(throws: SafeTensorsError.headerTooLarge(file: path, length: 100_000_001)) { try open(bytes) }
        let huge = safeTensorsBytes(header: "{}", declaredLength: .max)
        #expect(throws: SafeTensorsError.headerTooLarge(file: path, length: .max)) { try open(huge) }
    }

    @Test("a file cut inside its data is rejected")
    func truncatedData() {
        let header = "{" + entry("w", "F32", [4], 0, 16) + "}"
        #expect(throws: SafeTensorsError.bufferLengthMismatch(file: path, dataEnd: 16, bufferLength: 10)) {
            try open(safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 10)))
        }
    }

    @Test("extra bytes after the last tensor are rejected")
    func trailingBytes() {
        let header = "{" + entry("w", "F32", [1], 0, 4) + "}"
        #expect(throws: SafeTensorsError.bufferLengthMismatch(file: path, dataEnd: 4, bufferLength: 8)) {
            try open(safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test("overlapping tensors are rejected")
    func overlap() {
        let header = "{" + entry("a", "F32", [2], 0, 8) + "," + entry("b", "F32", [2], 4, 12) + "}"
        #expect(throws: SafeTensorsError.overlappingTensors(file: path, tensor: "b", previous: "a")) {
            try open(safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 12)))
        }
        let same = "{" + entry("a", "F32", [2], 0, 8) + "," + entry("b", "F32", [2], 0, 8) + "}"
        #expect(throws: SafeTensorsError.self) {
            try open(safeTensorsBytes(header: same, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test("a hole between tensors is rejected")
    func hole() {
        let header = "{" + entry("a", "F32", [1], 0, 4) + "," + entry("b", "F32", [1], 8, 12) + "}"
        #expect(throws: SafeTensorsError.gapBeforeTensor(file: path, tensor: "b", bytes: 4)) {
            try open(safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 12)))
        }
        let late = "{" + entry("a", "F32", [1], 4, 8) + "}"
        #expect(throws: SafeTensorsError.gapBeforeTensor(file: path, tensor: "a", bytes: 4)) {
            try open(safeTensorsBytes(header: late, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test("a byte count that disagrees with shape and dtype is rejected")
    func wrongByteCount() {
        let header = "{" + entry("w", "F32", [3], 0, 8) + "}"
        #expect(throws: SafeTensorsError.byteCountMismatch(file: path, tensor: "w", expected: 12, actual: 8)) {
            try open(safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8)))
        }
        let half = "{" + entry("h", "F16", [2, 2], 0, 16) + "}"
        #expect(throws: SafeTensorsError.byteCountMismatch(file: path, tensor: "h", expected: 8, actual: 16)) {
            try open(safeTensorsBytes(header: half, data: [UInt8](repeating: 0, count: 16)))
        }
        let packed = "{" + entry("q", "F4", [3], 0, 2) + "}"
        #expect(throws: SafeTensorsError.self) {
            try open(safeTensorsBytes(header: packed, data: [0, 0]))
        }
        let overflow = "{" + entry("o", "F32", [1 << 40, 1 << 40], 0, 0) + "}"
        #expect(throws: SafeTensorsError.self) { try open(safeTensorsBytes(header: overflow)) }
    }

    @Test("an unknown dtype is rejected by name")
    func unknownDType() {
        let header = "{" + entry("w", "F17", [1], 0, 4) + "}"
        #expect(throws: SafeTensorsError.unknownDType(file: path, tensor: "w", dtype: "F17")) {
            try open(safeTensorsBytes(header: header, data: [0, 0, 0, 0]))
        }
    }

    @Test("headers that are not valid JSON objects are rejected", arguments: [
        #"{"w": "#, "[1, 2]", #"{"a":1} x"#, "\u{7B}\"a\":tru}", #"{"a":01}"#, #"{"a":"\q"}"#,
        #"{"a":"\ud800"}"#, #"{"a":1,}"#, "{" + String(repeating: "[", count: 10_000),
    ])
    func invalidJSON(header: String) {
        #expect(throws: SafeTensorsError.self) { try open(safeTensorsBytes(header: header)) }
        do {
            _ = try open(safeTensorsBytes(header: header))
        } catch let error as SafeTensorsError {
            guard case .invalidHeader(let file, _) = error else {
                Issue.record("expected invalidHeader, got \(error)")
                return
            }
            #expect(file == path)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("a header that is not UTF-8 is rejected")
    func invalidUTF8() {
        let bytes = withUnsafeBytes(of: UInt64(4).littleEndian, Array.init) + [0x7B, 0xFF, 0xFE, 0x7D]
        #expect(throws: SafeTensorsError.invalidHeader(file: path, reason: "not valid UTF-8")) {
            try open(bytes)
        }
    }

    @Test("duplicate keys are rejected, at the top level and inside entries")
    func duplicateKeys() {
        let header = "{" + entry("w", "F32", [1], 0, 4) + "," + entry("w", "F32", [1], 4, 8) + "}"
        #expect(throws: SafeTensorsError.duplicateKey(file: path, key: "w")) {
            try open(safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8)))
        }
        let inner = #"{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}"#
        #expect(throws: SafeTensorsError.duplicateKey(file: path, key: "dtype")) {
            try open(safeTensorsBytes(header: inner, data: [0, 0, 0, 0]))
        }
    }

    @Test("metadata must map strings to strings")
    func metadataTypes() {
        let number = #"{"__metadata__":{"format":"pt","epoch":3}}"#
        #expect(throws: SafeTensorsError.invalidMetadata(
            file: path, key: "epoch", reason: "value is a number, not a string")) {
            try open(safeTensorsBytes(header: number))
        }
        let list = #"{"__metadata__":["pt"]}"#
        #expect(throws: SafeTensorsError.invalidMetadata(
            file: path, key: "__metadata__", reason: "is an array, not an object")) {
            try open(safeTensorsBytes(header: list))
        }
    }

    @Test("malformed entries name the tensor", arguments: [
        #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#,
        #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
        #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
        #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
        #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
        #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}"#,
        #"{"w":[1]}"#,
    ])
    func malformedEntry(header: String) {
        do {
            _ = try open(safeTensorsBytes(header: header, data: [0, 0, 0, 0]))
            Issue.record("accepted \(header)")
        } catch let error as SafeTensorsError {
            guard case .invalidEntry(_, let tensor, _) = error else {
                Issue.record("expected invalidEntry, got \(error)")
                return
            }
            #expect(tensor == "w")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("a missing file or a directory is unreadable, not a crash")
    func unreadable() {
        let missing = directory.file("absent.safetensors")
        #expect(throws: SafeTensorsError.unreadable(file: missing.path, reason: "No such file or directory")) {
            try SafeTensorsFile(url: missing)
        }
        #expect(throws: SafeTensorsError.unreadable(file: directory.url.path, reason: "not a regular file")) {
            try SafeTensorsFile(url: directory.url)
        }
    }

    @Test("every truncation and thousands of random corruptions of a valid file throw or validate")
    func fuzz() throws {
        let original = try [UInt8](Data(contentsOf: Fixture.url("formats/writer_reference.safetensors")))
        // Swift Testing's #expect is costly in a hot loop, so failures are collected first.
        let acceptedCuts = (0..<original.count).filter { parse(Array(original[0..<$0])) != nil }
        #expect(acceptedCuts.isEmpty, "accepted truncated files")
        var random = SeededGenerator(state: 17)
        var accepted = 0
        var outOfBounds: [String] = []
        for trial in 0..<5000 {
            var bytes = original
            // Even trials hit the length field and the start of the header, odd ones anywhere.
            let span = trial % 2 == 0 ? 72 : bytes.count
            for _ in 0..<(1 + trial % 4) {
                bytes[Int(random.next() % UInt64(span))] = UInt8(truncatingIfNeeded: random.next())
            }
            guard let header = parse(bytes) else { continue }
            accepted += 1
            for info in header.tensors {
                guard header.dataStart + info.byteRange.upperBound <= bytes.count else {
                    outOfBounds.append(info.name)
                    continue
                }
                decodeAll(bytes, header.dataStart, info)
            }
        }
        #expect(outOfBounds.isEmpty)
        #expect(accepted > 0)  // mutations inside the data buffer leave a valid file
    }

    /// Validates a header in memory (the path `SafeTensorsFile` takes after reading the file).
    private func parse(_ bytes: [UInt8]) -> SafeTensorsHeader? {
        bytes.withUnsafeBytes { try? SafeTensorsHeader(fileBytes: $0, file: "fuzz") }
    }

    private func decodeAll(_ bytes: [UInt8], _ dataStart: Int, _ info: SafeTensorInfo) {
        bytes.withUnsafeBytes { raw in
            let start = dataStart + info.byteRange.lowerBound
            let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + info.byteRange.count)])
            if info.dtype.convertsToFloat {
                var output = [Float](repeating: 0, count: info.elementCount)
                output.withUnsafeMutableBufferPointer {
                    ElementCoding.decodeFloats(slice, as: info.dtype, into: $0)
                }
            } else if info.dtype.convertsToInteger {
                _ = ElementCoding.decodeIntegers(slice, as: info.dtype)
            }
        }
    }
}
