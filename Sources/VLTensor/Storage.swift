// The memory behind a tensor: one 64-byte-aligned Float32 block, immutable once filled.

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
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        self.base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}
