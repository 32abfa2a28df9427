// A thread-safe cache of BPE results per word, as the reference tokenizer's `self.cache`, but
// bounded so tokenizing an endless stream of unique words cannot grow memory without limit.

import Foundation

/// Merged symbol ids per word (keyed by the word's UTF-8 bytes), shared by copies of a tokenizer.
final class WordCache: @unchecked Sendable {
    /// Entries kept before the cache is emptied and refilled.
    static let capacity = 200_000
    /// Longer words are merged every time instead of stored.
    static let longestCachedWord = 128

    private let lock = NSLock()
    private var entries: [[UInt8]: [Int32]] = [:]

    func value(for word: [UInt8]) -> [Int32]? {
        lock.withLock { entries[word] }
    }

    func store(_ symbols: [Int32], for word: [UInt8]) {
        guard word.count <= Self.longestCachedWord else { return }
        lock.withLock {
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[word] = symbols
        }
    }
}
