// AtomicFile: complete replacement on success; on failure the target is untouched and no
// temporary file is left behind.

import Foundation
import Testing
@testable import VLFormats

@Suite("atomic file writes")
struct AtomicFileTests {
    struct Interrupted: Error {}

    @Test("a write creates the file, and a second write replaces it")
    func writesAndReplaces() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("out.bin")
        try AtomicFile.write(Data("first".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("first".utf8))
        try AtomicFile.write(to: url) { sink in
            try sink.write(Data("sec".utf8))
            try sink.write([UInt8]("ond".utf8))
        }
        #expect(try Data(contentsOf: url) == Data("second".utf8))
        #expect(try directory.contents() == ["out.bin"])
    }

    @Test("a failing body leaves the old file and no temporary file")
    func failingBody() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("out.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: url) { sink in
                try sink.write(Data("partial new cont".utf8))
                throw Interrupted()
            }
        }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
        #expect(try directory.contents() == ["out.bin"])
    }

    @Test("a missing directory gives an error naming the target and creates nothing")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("absent/out.bin")
        do {
            try AtomicFile.write(Data("x".utf8), to: url)
            Issue.record("write into a missing directory succeeded")
        } catch let error as AtomicFileError {
            #expect(error.file == url.path)
            #expect(error.description.contains("No such file or directory"))
        }
        #expect(try directory.contents() == [])
    }

    @Test("when the final rename fails the temporary file is removed")
    func failingRename() throws {
        let directory = try TemporaryDirectory()
        let target = directory.file("occupied")
        try FileManager.default.createDirectory(
            at: target.appendingPathComponent("child"), withIntermediateDirectories: true)
        #expect(throws: AtomicFileError.self) { try AtomicFile.write(Data("x".utf8), to: target) }
        #expect(try directory.contents() == ["occupied"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["child"])
    }
}
