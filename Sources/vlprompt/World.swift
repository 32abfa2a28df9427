// `vlprompt world`: look at the built-in procedural world: contact sheets of its datasets or
// pretraining stream, sample captions, and the list of its datasets.

import ArgumentParser
import Foundation
import VLWorld

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "Inspect the built-in procedural world (pretraining data and world:NAME datasets).",
        subcommands: [Preview.self, Captions.self, List.self, Bench.self])
}

extension WorldDatasetName: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    public static var allValueStrings: [String] { allCases.map(\.description) }
}

extension WorldSplit: ExpressibleByArgument {}

/// Flags every `world` subcommand shares.
struct WorldArguments: ParsableArguments {
    @Option(help: "Seed of the world.") var seed: UInt64 = 0
    @Option(help: "Image side in pixels.") var size = World.defaultImageSize

    func validate() throws {
        guard size >= 8 && size <= 512 else { throw ValidationError("--size must be in 8...512, got \(size)") }
    }

    var world: World { World(seed: seed, imageSize: size) }
}

extension WorldCommand {
    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a contact sheet PNG of a dataset split or of the pretraining stream.")

        @Option(help: "Dataset to show (world:NAME); the pretraining stream when omitted.")
        var dataset: WorldDatasetName?
        @Option(help: "Split to show.") var split: WorldSplit = .test
        @Option(help: "Number of images.") var count = 64
        @Option(help: "Images per row (default: about the square root of --count).") var columns: Int?
        @Option(help: "Pixel magnification.") var scale = 2
        @Option(help: "Output PNG path.") var out: String
        @OptionGroup var options: WorldArguments

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
            guard scale > 0 && scale <= 16 else { throw ValidationError("--scale must be in 1...16, got \(scale)") }
            if let columns, columns <= 0 { throw ValidationError("--columns must be positive, got \(columns)") }
        }

        func run() throws {
            let (images, labels) = try samples()
            let perRow = columns ?? Int(Double(count).squareRoot().rounded(.up))
            let sheet = ContactSheet.compose(images, size: options.size, columns: perRow, scale: scale)
            try PNGWriter.write(pixels: sheet.pixels, width: sheet.width, height: sheet.height, to: out)
            for row in stride(from: 0, to: labels.count, by: perRow) {
                let names = labels[row..<min(row + perRow, labels.count)]
                print("row \(row / perRow + 1): " + names.joined(separator: " | "))
            }
            print("wrote \(out) (\(sheet.width)×\(sheet.height))")
        }

        /// The images and, for each, its class name or caption.
        private func samples() throws -> ([[UInt8]], [String]) {
            let world = options.world
            guard let dataset else {
                let pairs = (0..<count).map { world.pretrainingPair(index: $0) }
                return (pairs.map(\.pixels), pairs.map(\.caption))
            }
            let data = world.dataset(dataset)
            let available = data.count(split: split)
            guard count <= available else {
                throw ValidationError(
                    "--count \(count) exceeds the \(available) \(split.rawValue) examples of \(data.name)")
            }
            let examples = (0..<count).map { data.example(split: split, index: $0) }
            return (examples.map(\.pixels), examples.map { data.classNames[$0.label] })
        }
    }

    struct Captions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print captions of the pretraining stream.")

        @Option(help: "Number of captions.") var count = 10
        @Option(help: "Index of the first pretraining example.") var start = 0
        @OptionGroup var options: WorldArguments

        func run() throws {
            let world = options.world
            for index in start..<(start + max(count, 0)) {
                print("\(index)\t\(world.pretrainingCaption(index: index))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the world's datasets and their classes.")

        @OptionGroup var options: WorldArguments

        func run() throws {
            for name in WorldDatasetName.allCases {
                let data = options.world.dataset(name)
                let sizes = WorldSplit.allCases.map { "\($0.rawValue) \(data.count(split: $0))" }
                print("\(data.name): \(data.classNames.count) classes (base \(data.baseClassCount)), "
                    + sizes.joined(separator: ", "))
                print("  " + data.classNames.joined(separator: ", "))
            }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time scene sampling, rendering and captioning on one thread.")

        @Option(help: "Number of examples to time.") var count = 5000
        @OptionGroup var options: WorldArguments

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        }

        func run() throws {
            let world = options.world
            let shapes = world.dataset(.shapes)
            let scenes = (0..<count).map { world.pretrainingScene(index: $0) }
            var checksum = 0
            report("pretraining scenes") {
                for index in 0..<count { checksum &+= world.pretrainingScene(index: index).count }
            }
            report("pretraining renders") {
                for scene in scenes { checksum &+= Int(render(scene, size: world.imageSize)[0]) }
            }
            report("pretraining captions") {
                for index in 0..<count { checksum &+= world.pretrainingCaption(index: index).count }
            }
            report("pretraining pairs") {
                for index in 0..<count { checksum &+= world.pretrainingPair(index: index).caption.count }
            }
            let testCount = min(count, shapes.count(split: .test))
            report("world:shapes test examples", count: testCount) {
                for index in 0..<testCount { checksum &+= shapes.example(split: .test, index: index).label }
            }
            print("checksum \(checksum)")
        }

        /// Prints the rate of `body` in CPU time of this process, which other load on the
        /// machine does not inflate the way wall time would.
        private func report(_ what: String, count: Int? = nil, _ body: () -> Void) {
            let start = processorSeconds()
            body()
            let seconds = processorSeconds() - start
            let items = Double(count ?? self.count)
            let perItem = String(format: "%.4f", seconds / items * 1e3)
            print("\(what): \(Int(items / seconds)) per CPU second (\(perItem) ms each, \(options.size) px)")
        }

        private func processorSeconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
        }
    }
}
