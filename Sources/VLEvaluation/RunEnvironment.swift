// Where a run ran: toolchain, OS, cores and threads, and the git commit of the checkout (read
// from `.git` directly, no `git` process), like the header Dassl prints into every log.

import Foundation

/// The machine and code a run used.
public struct RunEnvironment: Sendable, Equatable, Codable {
    /// The Swift compiler the binary was built with, e.g. `Swift 6.3`.
    public var toolchain: String
    /// The operating system description.
    public var operatingSystem: String
    /// The CPU architecture, e.g. `x86_64`.
    public var architecture: String
    /// Online cores.
    public var cores: Int
    /// Threads the run used for kernels and BLAS.
    public var threads: Int
    /// The checkout's commit, when the run started inside a git working tree.
    public var gitCommit: String?

    /// Creates an environment record.
    public init(
        toolchain: String, operatingSystem: String, architecture: String, cores: Int, threads: Int,
        gitCommit: String?
    ) {
        self.toolchain = toolchain
        self.operatingSystem = operatingSystem
        self.architecture = architecture
        self.cores = cores
        self.threads = threads
        self.gitCommit = gitCommit
    }

    /// This process's environment; the commit is looked up from `directory` upwards.
    public static func current(
        threads: Int, directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> RunEnvironment {
        RunEnvironment(
            toolchain: compilerVersion, operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString,
            architecture: architectureName, cores: ProcessInfo.processInfo.activeProcessorCount,
            threads: threads, gitCommit: GitCommit.find(from: directory))
    }

    static var compilerVersion: String {
        #if compiler(>=6.5)
            "Swift 6.5 or later"
        #elseif compiler(>=6.4)
            "Swift 6.4"
        #elseif compiler(>=6.3)
            "Swift 6.3"
        #elseif compiler(>=6.2)
            "Swift 6.2"
        #else
            "Swift 6.1 or earlier"
        #endif
    }

    static var architectureName: String {
        #if arch(x86_64)
            "x86_64"
        #elseif arch(arm64)
            "arm64"
        #else
            "unknown"
        #endif
    }
}

/// Reads the checked-out commit from a `.git` directory (or a worktree's `.git` file).
enum GitCommit {
    /// The commit of the working tree containing `directory`, or `nil`.
    static func find(from directory: URL) -> String? {
        var current = directory.standardizedFileURL
        while true {
            let dotGit = current.appendingPathComponent(".git")
            if let gitDirectory = resolveGitDirectory(dotGit) { return head(in: gitDirectory) }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// `.git` itself, or the directory a worktree's `.git` file points to (`gitdir: …`).
    static func resolveGitDirectory(_ dotGit: URL) -> URL? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isDirectory) else {
            return nil
        }
        if isDirectory.boolValue { return dotGit }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:")
        else { return nil }
        let path = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return path.hasPrefix("/")
            ? URL(fileURLWithPath: path)
            : dotGit.deletingLastPathComponent().appendingPathComponent(path)
    }

    /// The commit `HEAD` names: detached, a loose ref, or a packed ref (also in the common
    /// directory a worktree shares).
    static func head(in gitDirectory: URL) -> String? {
        guard let head = read(gitDirectory.appendingPathComponent("HEAD")) else { return nil }
        guard head.hasPrefix("ref:") else { return isCommit(head) ? head : nil }
        let reference = head.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
        var directories = [gitDirectory]
        if let common = read(gitDirectory.appendingPathComponent("commondir")) {
            directories.append(
                common.hasPrefix("/") ? URL(fileURLWithPath: common)
                    : gitDirectory.appendingPathComponent(common))
        }
        for directory in directories {
            if let commit = read(directory.appendingPathComponent(reference)), isCommit(commit) {
                return commit
            }
            if let packed = read(directory.appendingPathComponent("packed-refs")) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + reference) {
                    let commit = String(line.prefix { $0 != " " })
                    if isCommit(commit) { return commit }
                }
            }
        }
        return nil
    }

    private static func read(_ url: URL) -> String? {
        (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isCommit(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }
}
