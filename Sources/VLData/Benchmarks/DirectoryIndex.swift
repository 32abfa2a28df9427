// Fast existence checks and folder scans for datasets with tens of thousands of images: one
// directory listing per folder instead of one `stat` per file.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Answers "does this file exist?" for many paths under one root, listing each folder once.
struct DirectoryIndex {
    let root: URL
    private let rootPath: String
    private var listings: [Substring: Set<Substring>] = [:]

    init(root: URL) {
        self.root = root
        rootPath = root.path
    }

    /// Whether `path` (relative to the root, or absolute) names an existing entry.
    mutating func contains(_ path: String) -> Bool {
        let full = path.hasPrefix("/") ? Substring(path) : Substring(rootPath + "/" + path)
        let slash = full.lastIndex(of: "/")!
        let folder = full[..<slash], name = full[full.index(after: slash)...]
        if let listing = listings[folder] { return listing.contains(name) }
        let listing = Self.entries(of: String(folder))
        listings[folder] = listing
        return listing.contains(name)
    }

    /// The names in `folder` (empty when it cannot be read), straight from `readdir`.
    private static func entries(of folder: String) -> Set<Substring> {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names = Set<Substring>()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            names.insert(Substring(name))
        }
        return names
    }

    /// Splits `candidates` into items whose file exists and `missingImage` issues for the rest.
    mutating func keepExisting(
        _ candidates: [(item: LabeledItem, location: String)], listedIn file: URL
    ) -> (items: [LabeledItem], issues: [DataIssue]) {
        var items: [LabeledItem] = [], issues: [DataIssue] = []
        items.reserveCapacity(candidates.count)
        for (item, location) in candidates {
            if contains(item.path) {
                items.append(item)
            } else {
                issues.append(DataIssue(
                    .missingImage, file: file, location: location,
                    detail: "\(item.path) does not exist under \(root.path)"))
            }
        }
        return (items, issues)
    }
}

/// File name extensions treated as images (lowercased).
let imageExtensions: Set<String> = [
    "jpg", "jpeg", "png", "bmp", "gif", "webp", "tif", "tiff", "ppm", "pgm",
]

/// Whether `name` looks like an image file (not hidden, known extension).
func isImageFileName(_ name: String) -> Bool {
    guard !name.hasPrefix("."), let dot = name.lastIndex(of: ".") else { return false }
    return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
}

/// The visible subfolders of `directory`, sorted by name (Python's `sorted`, byte order),
/// and the number of plain files beside them other than `ignoring` (CoOp ignores ImageNet-A's
/// and -R's `README.txt`).
func subfolders(
    of directory: URL, ignoring: Set<String> = ["README.txt"]
) throws -> (folders: [String], otherFiles: Int) {
    let entries: [URL]
    do {
        entries = try FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.isDirectoryKey], options: [])
    } catch {
        throw DataError.missing(directory, expected: "a readable folder with one subfolder per class")
    }
    var folders: [String] = [], otherFiles = 0
    for entry in entries
    where !entry.lastPathComponent.hasPrefix(".") && !ignoring.contains(entry.lastPathComponent) {
        if (try? entry.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
            folders.append(entry.lastPathComponent)
        } else {
            otherFiles += 1
        }
    }
    return (folders.sorted(by: byteOrder), otherFiles)
}

/// The image files directly in `directory`, sorted, and how many other entries were ignored.
func imageFiles(in directory: URL) -> (names: [String], ignored: Int) {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    let names = entries.filter(isImageFileName).sorted(by: byteOrder)
    let ignored = entries.count - names.count - entries.filter { $0.hasPrefix(".") }.count
    return (names, ignored)
}

/// Byte-wise string order, as Python's `sorted` orders folder names (locale-independent).
func byteOrder(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// Fails with a layout message when `url` does not exist.
func requireExists(_ url: URL, expected: @autoclosure () -> String) throws {
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw DataError.missing(url, expected: expected())
    }
}
