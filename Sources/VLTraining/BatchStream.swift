// Batches pulled one at a time from an `ImageBatchLoader`, the next one decoding on a
// background thread while the caller computes on the current one: the pattern of PyTorch's
// DataLoader with one worker and a prefetch factor of one, without processes.

import Dispatch

/// The batches of a list of requests, in order, each decoded while the previous one is used.
///
/// At most two batches exist at once: the one returned by the last ``next()`` and the one
/// loading behind it. Not thread-safe: one consumer pulls.
public final class BatchStream {
    private let loader: ImageBatchLoader
    private let requests: [BatchRequest]
    private var position = 0
    private var pending: Prefetch<Result<LoadedBatch, any Error>>?

    /// A stream over `requests`; the first one starts loading now when prefetching.
    public init(_ loader: ImageBatchLoader, requests: [BatchRequest]) {
        self.loader = loader
        self.requests = requests
        startNext()
    }

    deinit { finish() }

    /// The next batch, or `nil` after the last; throws the batch's first unreadable image
    /// unless the loader skips them.
    public func next() throws -> LoadedBatch? {
        guard position < requests.count else { return nil }
        let result = pending?.wait() ?? loader.load(requests[position])
        pending = nil
        position += 1
        startNext()
        return try result.get()
    }

    /// Waits for background work to end (call before abandoning the stream early).
    public func finish() {
        _ = pending?.wait()
        pending = nil
    }

    private func startNext() {
        guard loader.options.prefetch, position < requests.count else { return }
        let (loader, request) = (self.loader, requests[position])
        pending = Prefetch { loader.load(request) }
    }
}

/// Work started on a background thread whose result is collected once.
private final class Prefetch<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the worker before `done` is signalled, read after waiting on it.
    private var value: Value?
    private var collected = false

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.value = work()
            self.done.signal()
        }
    }

    /// The value, waiting for it the first time.
    func wait() -> Value {
        if !collected {
            done.wait()
            collected = true
        }
        return value!
    }
}
