// The git commit is read from .git directly: a plain checkout, a packed ref, and a worktree.

import Foundation
import Testing
@testable import VLEvaluation

@Suite("run environment")
struct RunEnvironmentTests {
    private let commit = String(repeating: "ab12", count: 10)

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlgit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("repo/sub/dir"), withIntermediateDirectories: true)
        return url
    }

    private func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test("a branch ref, found from a subfolder")
    func looseRef() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try write("ref: refs/heads/main\n", root.appendingPathComponent("repo/.git/HEAD"))
        try write(commit + "\n", root.appendingPathComponent("repo/.git/refs/heads/main"))
        #expect(GitCommit.find(from: root.appendingPathComponent("repo/sub/dir")) == commit)
    }

    @Test("a packed ref in a worktree's common directory")
    func worktreePackedRef() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let common = root.appendingPathComponent("main/.git")
        try write("gitdir: \(common.path)/worktrees/data\n", root.appendingPathComponent("repo/.git"))
        try write("ref: refs/heads/data\n", common.appendingPathComponent("worktrees/data/HEAD"))
        try write("../..\n", common.appendingPathComponent("worktrees/data/commondir"))
        try write("# pack-refs with: peeled\n\(commit) refs/heads/data\n", common.appendingPathComponent("packed-refs"))
        #expect(GitCommit.find(from: root.appendingPathComponent("repo/sub")) == commit)
        let environment = RunEnvironment.current(threads: 3, directory: root.appendingPathComponent("repo"))
        #expect(environment.gitCommit == commit && environment.threads == 3 && environment.cores >= 1)
        #expect(environment.toolchain.hasPrefix("Swift 6"))
    }

    @Test("no repository gives no commit")
    func none() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try write("ref: refs/heads/gone\n", root.appendingPathComponent("repo/.git/HEAD"))
        #expect(GitCommit.find(from: root.appendingPathComponent("repo")) == nil)
    }
}
