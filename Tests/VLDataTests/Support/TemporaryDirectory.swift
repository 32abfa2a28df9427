// A scratch folder per test, removed when the value goes away; helpers to lay out fake
// datasets with tiny placeholder image files.

import Foundation

/// A fresh folder under the system temporary directory.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vldata-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `contents` at `path` (relative), creating folders.
    @discardableResult
    func write(_ path: String, _ contents: String = "placeholder") throws -> URL {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
        return file
    }

    /// Creates an empty folder at `path`.
    func folder(_ path: String) throws {
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent(path), withIntermediateDirectories: true)
    }

    /// Writes placeholder image files for every path.
    func images(_ paths: [String], under prefix: String) throws {
        for path in paths { try write(prefix + "/" + path) }
    }

    /// Writes a CoOp split file `{"train": …, "val": …, "test": …}` at `path`.
    func splitFile(
        _ path: String, train: [(String, Int, String)], val: [(String, Int, String)],
        test: [(String, Int, String)]
    ) throws {
        let encode = { (entries: [(String, Int, String)]) in entries.map { [$0.0, $0.1, $0.2] as [Any] } }
        let object: [String: Any] = ["train": encode(train), "val": encode(val), "test": encode(test)]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        try write(path, String(decoding: data, as: UTF8.self))
    }
}
