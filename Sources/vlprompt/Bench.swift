// `vlprompt bench`: speed of the transformer block and of each fused kernel, as JSON lines.
// Every figure is a median over repetitions after warm-up, measured in the same process as the
// OpenBLAS sgemm ceiling it is compared with.

import ArgumentParser
import Foundation
import VLKernels

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernel, transformer-block and image-encoding throughput.",
        subcommands: [BenchBlock.self, BenchKernels.self, BenchEncodeImage.self])
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
        let clock = ContinuousClock()
        let times = (0..<repetitions).map { _ in
            let duration = clock.measure(body)
            return Double(duration.components.seconds) * 1e3
                + Double(duration.components.attoseconds) * 1e-15
        }.sorted()
        return times.count % 2 == 1
            ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    /// OpenBLAS's single-precision GEMM rate on 1024 × 1024 × 1024, in GFLOP/s: the ceiling
    /// the block benchmark is judged against.
    static func sgemmCeiling(warmups: Int, repetitions: Int) -> Double {
        let n = 1024
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(n * n) {
            a[i] = Float(i % 7) * 0.25 - 0.75
            b[i] = Float(i % 5) * 0.5 - 1
        }
        let ms = median(warmups: max(warmups, 2), repetitions: max(repetitions, 10)) {
            Kernels.matmul(a, b, into: c, m: n, n: n, k: n)
        }
        return 2 * Double(n * n * n) / (ms * 1e6)
    }
}

/// `flops` floating-point operations in `ms` milliseconds, as GFLOP/s.
func gigaflopsPerSecond(_ flops: Double, _ ms: Double) -> Double { flops / (ms * 1e6) }
