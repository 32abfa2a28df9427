// The memory behind a tensor: one 64-byte-aligned Float32 block, immutable once filled.
// Large blocks are recycled through StoragePool: a forward pass allocates the same sizes pass
// after pass, and fresh pages from the operating system cost a page fault each on first touch.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A heap block of `count` Float32 values. Written once, by the operation that creates it,
/// and read-only afterwards, so tensors can share it freely across threads.
public final class TensorStorage: @unchecked Sendable {
    /// Number of Float32 values.
    public let count: Int
    /// Start of the block (64-byte aligned so vector loads never split cache lines).
    public let base: UnsafeMutablePointer<Float>

    /// Allocates `count` uninitialized values.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        self.count = count
        let raw = StoragePool.shared.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        self.base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit {
        StoragePool.shared.release(
            UnsafeMutableRawPointer(base), byteCount: max(count, 1) * MemoryLayout<Float>.stride)
    }
}

/// Freed tensor blocks of at least ``minimumPooledBytes``, kept for the next request of the same
/// size instead of going back to the allocator.
///
/// The C allocator returns blocks this large to the operating system at once, so every forward
/// pass paid a page fault per 4 KiB of its activations (about 800,000 per `bench encode-image`,
/// a tenth of its time). The pool keeps at most ``capacityBytes`` (default 1 GiB, or the
/// environment's `VLPROMPT_POOL_MB`; 0 turns pooling off); a block that does not fit empties the
/// pool of other sizes first, since sizes that stopped recurring belong to an earlier phase.
public final class StoragePool: Sendable {
    /// The pool every ``TensorStorage`` allocates from.
    public static let shared = StoragePool(
        capacityBytes: ProcessInfoEnvironment.megabytes("VLPROMPT_POOL_MB").map { $0 << 20 } ?? 1 << 30)

    /// Blocks smaller than this come from the allocator and go back to it: it recycles them well.
    public static let minimumPooledBytes = 1 << 18

    /// The most bytes the pool holds while nobody uses them.
    public let capacityBytes: Int

    /// Held blocks by size, as addresses (plain integers cross the lock without sendability
    /// questions; only this pool turns them back into pointers).
    private struct State {
        var blocks: [Int: [Int]] = [:]
        var cachedBytes = 0
    }
    private let state = Mutex(State())

    /// A pool that keeps at most `capacityBytes` of freed blocks.
    public init(capacityBytes: Int) {
        self.capacityBytes = max(0, capacityBytes)
    }

    /// Bytes held for reuse.
    public var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// A 64-byte-aligned uninitialized block of `byteCount` bytes: a recycled one of exactly that
    /// size when the pool has one.
    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= Self.minimumPooledBytes,
            let address = state.withLock({ state -> Int? in
                guard let address = state.blocks[byteCount]?.popLast() else { return nil }
                state.cachedBytes -= byteCount
                return address
            }),
            let block = UnsafeMutableRawPointer(bitPattern: address)
        {
            return block
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    /// Takes back a block from ``allocate(byteCount:)`` of the same `byteCount`.
    public func release(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= Self.minimumPooledBytes, byteCount <= capacityBytes else {
            block.deallocate()
            return
        }
        let address = Int(bitPattern: block)
        let evicted = state.withLock { state -> [Int] in
            var evicted: [Int] = []
            if state.cachedBytes + byteCount > capacityBytes {
                for (size, blocks) in state.blocks where size != byteCount {
                    evicted += blocks
                    state.cachedBytes -= size * blocks.count
                }
                state.blocks = state.blocks.filter { $0.key == byteCount }
            }
            guard state.cachedBytes + byteCount <= capacityBytes else {
                evicted.append(address)
                return evicted
            }
            state.blocks[byteCount, default: []].append(address)
            state.cachedBytes += byteCount
            return evicted
        }
        for address in evicted { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    /// Returns every held block to the allocator.
    public func drain() {
        let addresses = state.withLock { state -> [Int] in
            let all = state.blocks.values.flatMap { $0 }
            state = State()
            return all
        }
        for address in addresses { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }
}

/// Reads a whole number of megabytes from the environment.
enum ProcessInfoEnvironment {
    static func megabytes(_ name: String) -> Int? {
        guard let value = getenv(name) else { return nil }
        return Int(String(cString: value)).flatMap { $0 >= 0 ? $0 : nil }
    }
}
