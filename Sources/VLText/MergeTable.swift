// Byte-pair merging of one word (OpenAI CLIP simple_tokenizer `bpe`): repeatedly take the adjacent
// pair with the lowest merge rank and merge all its occurrences left to right, until no adjacent
// pair has a rank. Done with a heap over pair positions, so long words cost O(n log n), not O(n²).

/// Merge ranks and results over symbol ids.
struct MergeTable: Sendable {
    /// What a ranked pair becomes.
    struct Merge: Sendable, Equatable {
        /// Priority: lower merges first (the merge's line index in the file, from 0).
        var rank: Int32
        /// Id of the concatenated symbol.
        var result: Int32
    }

    private var merges: [UInt64: Merge] = [:]

    /// Number of ranked pairs.
    var count: Int { merges.count }

    /// Records `left right → merge`, replacing an earlier entry for the same pair (as Python's
    /// `dict(zip(merges, ranks))` keeps the last rank).
    mutating func insert(left: Int32, right: Int32, _ merge: Merge) {
        merges[Self.key(left, right)] = merge
    }

    /// The merge for `left right`, if the pair is ranked.
    func merge(_ left: Int32, _ right: Int32) -> Merge? {
        merges[Self.key(left, right)]
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// The symbols of a word after all merges.
    ///
    /// Each round takes the lowest rank present and merges every occurrence of that pair left to
    /// right, skipping overlaps, before pairs created by those merges are considered: exactly the
    /// reference's round structure, even for merge lists whose ranks are not in creation order.
    func apply(to word: [Int32]) -> [Int32] {
        guard word.count > 1 else { return word }
        var state = MergeState(word)
        var heap = MinHeap()
        for left in 0..<(word.count - 1) { push(left, in: state, to: &heap) }
        var mergedThisRound: [Int] = []
        while let top = heap.minimum {
            let rank = Int32(truncatingIfNeeded: top >> 32)
            mergedThisRound.removeAll(keepingCapacity: true)
            while let entry = heap.minimum, Int32(truncatingIfNeeded: entry >> 32) == rank {
                heap.removeMinimum()
                let left = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                guard let merge = pairMerge(at: left, in: state), merge.rank == rank else { continue }
                state.merge(at: left, into: merge.result)
                mergedThisRound.append(left)
            }
            pushPairs(around: mergedThisRound, in: state, to: &heap)
        }
        return state.symbols()
    }

    /// The merge of the pair starting at `left`, if `left` still starts a ranked pair.
    private func pairMerge(at left: Int, in state: MergeState) -> Merge? {
        guard state.alive[left], state.next[left] >= 0 else { return nil }
        return merge(state.ids[left], state.ids[Int(state.next[left])])
    }

    private func push(_ left: Int, in state: MergeState, to heap: inout MinHeap) {
        guard let merge = pairMerge(at: left, in: state) else { return }
        heap.insert(UInt64(UInt32(merge.rank)) << 32 | UInt64(left))
    }

    /// Queues the pairs on both sides of each merged symbol, each pair once. `merged` is in
    /// position order, so a merged left neighbour is the entry just before.
    private func pushPairs(around merged: [Int], in state: MergeState, to heap: inout MinHeap) {
        for (order, left) in merged.enumerated() {
            push(left, in: state, to: &heap)
            let previous = Int(state.previous[left])
            let previousWasMerged = order > 0 && merged[order - 1] == previous
            if previous >= 0 && !previousWasMerged { push(previous, in: state, to: &heap) }
        }
    }
}

/// A word as a doubly linked list of symbol ids; merging keeps the left position.
private struct MergeState {
    var ids: [Int32]
    var next: [Int32]
    var previous: [Int32]
    var alive: [Bool]

    init(_ word: [Int32]) {
        ids = word
        next = (0..<word.count).map { $0 + 1 < word.count ? Int32($0 + 1) : -1 }
        previous = (0..<word.count).map { Int32($0 - 1) }
        alive = Array(repeating: true, count: word.count)
    }

    /// Replaces the pair starting at `left` by `result`, unlinking its right symbol.
    mutating func merge(at left: Int, into result: Int32) {
        let right = Int(next[left])
        ids[left] = result
        alive[right] = false
        next[left] = next[right]
        if next[right] >= 0 { previous[Int(next[right])] = Int32(left) }
    }

    /// Surviving ids in order; position 0 always survives because only right symbols are removed.
    func symbols() -> [Int32] {
        var result: [Int32] = []
        var index = 0
        while index >= 0 {
            result.append(ids[index])
            index = Int(next[index])
        }
        return result
    }
}

/// A binary min-heap of packed `(rank << 32) | position` keys.
private struct MinHeap {
    private var storage: [UInt64] = []

    var minimum: UInt64? { storage.first }

    mutating func insert(_ value: UInt64) {
        storage.append(value)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeMinimum() {
        let last = storage.removeLast()
        guard !storage.isEmpty else { return }
        storage[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < storage.count && storage[left] < storage[smallest] { smallest = left }
            if right < storage.count && storage[right] < storage[smallest] { smallest = right }
            if smallest == parent { return }
            storage.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
