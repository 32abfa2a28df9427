// Where the command line finds its datasets and images (models: `ModelResolver` in
// ModelOptions.swift), so the defaults are decided in exactly one place.

import ArgumentParser
import Foundation
import VLCLIP
import VLData
import VLEmbedded
import VLMethods
import VLText
import VLTraining
import VLWorld

enum DataResolution {
    /// Every dataset spelling: CoOp benchmarks, `folder:`, `list:` and `world:NAME`.
    static let catalog = DatasetCatalog(providers: ["world": { try WorldDatasetSource(name: $0) }])

    /// The source named `name`, with CoOp benchmarks under `root`.
    static func source(_ name: String, root: String?) throws -> any DatasetSource {
        try catalog.source(named: name, root: root.map { URL(fileURLWithPath: $0) })
    }

    /// Where the pixels of `source`'s items come from.
    static func images(for source: any DatasetSource) -> any ImageSource {
        if let world = source as? WorldDatasetSource { return WorldImages(dataset: world.dataset) }
        return ImageFiles()
    }
}

extension MethodKind: ExpressibleByArgument {}
extension ClassSubsample: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

/// Prints a progress or warning line on standard error (standard output carries results).
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// One sorted-key JSON line.
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
