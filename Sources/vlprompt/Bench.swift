// `vlprompt bench`: speed of the transformer block and of each fused kernel, as JSON lines.
// Every figure is a median over repetitions after warm-up, measured in the same process as the
// OpenBLAS sgemm ceiling it is compared with.

import ArgumentParser
import Foundation
import VLKernels

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernel and transformer-block throughput.",
        subcommands: [BenchBlock.self, BenchKernels.self, CoOpSpeed.self, CoCoOpSpeed.self])
}

/// Options every benchmark shares.
struct BenchmarkOptions: ParsableArguments {
    @OptionGroup var threading: ThreadOptions

    @Flag(help: "Print one JSON line instead of text.")
    var json = false

    @Option(help: "Untimed runs before measuring.")
    var warmups = 2

    @Option(help: "Timed runs; the median is reported.")
    var repetitions = 7

    func validate() throws {
        guard warmups >= 0, repetitions > 0 else {
            throw ValidationError("--warmups must be ≥ 0 and --repetitions > 0")
        }
    }

    /// Median wall time of `body` in milliseconds.
    func medianMilliseconds(_ body: () -> Void) -> Double {
        Stopwatch.median(warmups: warmups, repetitions: repetitions, body)
    }

    /// Prints `record` as one sorted-key JSON line, or `text` when `--json` is off.
    func report<Record: Encodable>(_ record: Record, text: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(record), as: UTF8.self))
        } else {
            print(text())
        }
    }
}

/// Wall-clock timing with warm-up and a median.
enum Stopwatch {
    static func median(warmups: Int, repetitions: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmups { body() }
        return median((0..<repetitions).map { _ in milliseconds(body) })
    }

    /// One timed call of `body`, in milliseconds.
    static func milliseconds(_ body: () -> Void) -> Double {
        let duration = ContinuousClock().measure(body)
        return Double(duration.components.seconds) * 1e3
            + Double(duration.components.attoseconds) * 1e-15
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// OpenBLAS's single-precision GEMM on 1024 × 1024 × 1024: the ceiling the block benchmark is
/// judged against.
final class SgemmCeiling {
    static let size = 1024
    /// Floating-point operations of one product, `2·n³`.
    let flops = 2 * Double(size * size * size)
    private let a, b, c: UnsafeMutablePointer<Float>

    init() {
        let count = Self.size * Self.size
        a = .allocate(capacity: count)
        b = .allocate(capacity: count)
        c = .allocate(capacity: count)
        for i in 0..<count {
            a[i] = Float(i % 7) * 0.25 - 0.75
            b[i] = Float(i % 5) * 0.5 - 1
        }
    }

    deinit {
        a.deallocate()
        b.deallocate()
        c.deallocate()
    }

    /// One product.
    func run() {
        Kernels.matmul(a, b, into: c, m: Self.size, n: Self.size, k: Self.size)
    }
}

/// `flops` floating-point operations in `ms` milliseconds, as GFLOP/s.
func gigaflopsPerSecond(_ flops: Double, _ ms: Double) -> Double { flops / (ms * 1e6) }
