// PyTorch checkpoints read without executing code: torch.save state dicts, open_clip training
// checkpoints and a TorchScript archive shaped like OpenAI's JIT CLIP, compared with the values
// PyTorch recorded (checkpoints_expected.safetensors); damaged and hostile archives throw.

import Foundation
import Testing
import VLTestSupport
@testable import VLFormats

@Suite("PyTorch checkpoints")
struct TorchCheckpointTests {
    let expected: SafeTensorsFile

    init() throws {
        expected = try SafeTensorsFile(url: Fixture.url("formats/checkpoints_expected.safetensors"))
    }

    /// Compares every tensor of `checkpoint` with the expected values recorded under `prefix/`.
    private func expectMatches(_ checkpoint: TorchCheckpoint, prefix: String) throws {
        let wanted = expected.names.filter { $0.hasPrefix(prefix + "/") }.map { String($0.dropFirst(prefix.count + 1)) }
        #expect(Set(checkpoint.names) == Set(wanted))
        for name in wanted {
            let reference = try expected.info(prefix + "/" + name)
            #expect(try checkpoint.info(name).shape == reference.shape, "\(name)")
            if reference.dtype == .float32 {
                let values = try checkpoint.floats(name)
                #expect(values.map(\.bitPattern) == (try expected.floats(prefix + "/" + name)).map(\.bitPattern), "\(name)")
            } else {
                #expect(try checkpoint.integers(name) == (try expected.integers(prefix + "/" + name)), "\(name)")
            }
        }
    }

    @Test("a torch.save state dict loads with every layout and dtype")
    func stateDict() throws {
        let checkpoint = try TorchCheckpoint(url: Fixture.url("formats/state_dict.pt"))
        #expect(checkpoint.format == .stateDict)
        try expectMatches(checkpoint, prefix: "state_dict")
        #expect(Array(checkpoint.names.prefix(3)) == ["embed.weight", "norm.weight", "norm.bias"])
        let dtypes: [String: ElementType] = [
            "half": .float16, "brain": .bfloat16, "double": .float64, "ids": .int64,
            "small_ids": .int32, "mask": .bool, "base": .float32,
        ]
        for (name, dtype) in dtypes { #expect(try checkpoint.info(name).dtype == dtype, "\(name)") }
        // The views share one storage and need strided copies.
        let base = try checkpoint.info("base"), window = try checkpoint.info("window")
        #expect(window.storage == base.storage && window.offset == 8 && window.strides == [6, 1])
        #expect(try checkpoint.info("transposed").strides == [1, 6])
        #expect(try checkpoint.info("expanded").strides == [1, 0])
        #expect(try checkpoint.info("scalar").shape == [])
    }

    @Test("an archive rewritten by another ZIP writer (no alignment, no ZIP64) reads the same")
    func otherZipWriter() throws {
        try expectMatches(TorchCheckpoint(url: Fixture.url("formats/rezipped.pt")), prefix: "state_dict")
    }

    @Test("an archive with ZIP64 extra fields in every entry reads the same")
    func zip64() throws {
        try expectMatches(TorchCheckpoint(url: Fixture.url("formats/zip64.pt")), prefix: "state_dict")
    }

    @Test("a view reaching past its storage, or a storage entry of the wrong size, is rejected")
    func inconsistentViews() {
        let outOfBounds = Fixture.url("formats/view_out_of_bounds.pt")
        #expect(throws: TorchCheckpointError.invalidTensor(
            file: outOfBounds.path, tensor: "w",
            reason: "view (offset 0, shape [3], strides [2]) reaches element 4 of a storage of 4")) {
            try TorchCheckpoint(url: outOfBounds)
        }
        let tooSmall = Fixture.url("formats/storage_too_small.pt")
        #expect(throws: TorchCheckpointError.invalidTensor(
            file: tooSmall.path, tensor: "w", reason: "storage 'crafted/data/0' has 8 bytes, not 4 F32 elements")) {
            try TorchCheckpoint(url: tooSmall)
        }
    }

    @Test("an open_clip checkpoint is unwrapped from state_dict and loses the module. prefix")
    func openCLIP() throws {
        let checkpoint = try TorchCheckpoint(url: Fixture.url("formats/open_clip.pt"))
        #expect(checkpoint.format == .stateDict)
        try expectMatches(checkpoint, prefix: "open_clip")
        #expect(try checkpoint.info("positional_embedding").dtype == .float16)
    }

    @Test("a TorchScript archive flattens to OpenAI state-dict names, fp16 and bf16 widened")
    func torchScript() throws {
        let checkpoint = try TorchCheckpoint(url: Fixture.url("formats/script_module.pt"))
        #expect(checkpoint.format == .torchScript)
        try expectMatches(checkpoint, prefix: "script_module")
        #expect(checkpoint.contains("visual.transformer.resblocks.1.attn.in_proj_weight"))
        #expect(try checkpoint.info("visual.transformer.resblocks.0.attn.in_proj_weight").dtype == .float16)
        #expect(try checkpoint.info("visual.class_embedding").dtype == .bfloat16)
        #expect(try checkpoint.info("visual.ln_pre.weight").dtype == .float32)
        #expect(try checkpoint.info("visual.proj").strides == [1, 8])
        #expect(try checkpoint.integers("input_resolution") == [8])
    }

    @Test("asking for a missing tensor or the wrong conversion throws")
    func wrongRequests() throws {
        let url = Fixture.url("formats/state_dict.pt")
        let checkpoint = try TorchCheckpoint(url: url)
        #expect(throws: TorchCheckpointError.missingTensor(file: url.path, tensor: "nothing")) {
            try checkpoint.floats("nothing")
        }
        #expect(throws: TorchCheckpointError.unsupportedConversion(
            file: url.path, tensor: "ids", dtype: .int64, target: "Float")) { try checkpoint.floats("ids") }
        #expect(throws: TorchCheckpointError.unsupportedConversion(
            file: url.path, tensor: "half", dtype: .float16, target: "Int")) { try checkpoint.integers("half") }
    }

    @Test("a pickle calling os.system is refused by name, and nothing runs")
    func forbiddenGlobal() {
        let url = Fixture.url("formats/forbidden_global.pt")
        let error = TorchCheckpointError.invalidPickle(
            file: url.path, entry: "state_dict/data.pkl", error: .forbiddenGlobal("os.system"))
        #expect(throws: error) { try TorchCheckpoint(url: url) }
        #expect(error.description.contains("'os.system'"))
    }

    @Test("a missing storage entry is named")
    func missingStorage() {
        let url = Fixture.url("formats/missing_storage.pt")
        #expect(throws: TorchCheckpointError.missingEntry(file: url.path, entry: "state_dict/data/0")) {
            try TorchCheckpoint(url: url)
        }
    }

    @Test("a compressed entry gives a clear error")
    func compressedEntry() {
        let url = Fixture.url("formats/compressed.pt")
        let error = TorchCheckpointError.compressedEntry(file: url.path, entry: "state_dict/byteorder", method: 8)
        #expect(throws: error) { try TorchCheckpoint(url: url) }
        #expect(error.description.contains("compressed entry not supported"))
    }

    @Test("files that are not archives are rejected")
    func notArchives() throws {
        let directory = try TemporaryDirectory()
        let legacy = directory.file("legacy.pt")
        try Data([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]).write(to: legacy)
        #expect(throws: TorchCheckpointError.legacyFormat(file: legacy.path)) { try TorchCheckpoint(url: legacy) }
        let safetensors = Fixture.url("formats/dtypes.safetensors")
        #expect(throws: TorchCheckpointError.self) { try TorchCheckpoint(url: safetensors) }
        let missing = directory.file("absent.pt")
        #expect(throws: TorchCheckpointError.unreadable(file: missing.path, reason: "No such file or directory")) {
            try TorchCheckpoint(url: missing)
        }
    }

    @Test("every truncation and thousands of corruptions throw or load; loaded views stay in bounds",
          arguments: ["state_dict.pt", "script_module.pt"])
    func fuzz(fixture: String) throws {
        let original = try [UInt8](Data(contentsOf: Fixture.url("formats/" + fixture)))
        // Swift Testing's #expect is costly in a hot loop, so failures are collected first.
        let acceptedCuts = stride(from: 0, to: original.count, by: max(1, original.count / 500))
            .filter { open(Array(original[0..<$0])) != nil }
        #expect(acceptedCuts.isEmpty, "accepted \(fixture) cut to these lengths")
        var random = SeededGenerator(state: 29)
        var loaded = 0
        var wrongCounts: [String] = []
        for trial in 0..<1000 {
            var bytes = original
            for _ in 0..<(1 + trial % 3) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            guard let archive = open(bytes) else { continue }
            loaded += 1
            bytes.withUnsafeBytes { raw in
                for name in archive.names {
                    let tensor = archive.tensors[name]!
                    if tensor.dtype.convertsToFloat {
                        if archive.floats(tensor, fileBytes: raw).count != tensor.elementCount { wrongCounts.append(name) }
                    } else if tensor.dtype.convertsToInteger {
                        _ = archive.integers(tensor, fileBytes: raw)
                    }
                }
            }
        }
        #expect(wrongCounts.isEmpty)
        #expect(loaded > 0)  // most single-byte changes hit tensor data and leave a valid archive
    }

    private func open(_ bytes: [UInt8]) -> TorchArchive? {
        bytes.withUnsafeBytes { try? TorchArchive(bytes: $0, file: "fuzz", allowedClasses: []) }
    }
}
