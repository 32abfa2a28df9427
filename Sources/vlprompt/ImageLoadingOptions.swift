// The `--skip-bad-images`, `--cache`, `--no-cache` and `--cache-augmented` options of the commands that read
// datasets (zeroshot, linear-probe, train, eval), and the one warning line for skipped images.

import ArgumentParser
import Foundation
import VLData
import VLTraining

/// How dataset commands treat unreadable images and cached features.
struct ImageLoadingOptions: ParsableArguments {
    @Flag(help: "Skip unreadable or missing images with one warning giving their count, instead of stopping.")
    var skipBadImages = false

    @Option(
        help: ArgumentHelp(
            "Folder of cached image features (default: $VLPROMPT_CACHE, else ~/.cache/vlprompt/features).",
            valueName: "folder"))
    var cache: String?

    @Flag(help: "Neither read nor write cached image features.")
    var noCache = false

    @Flag(
        help: """
            Training: cache the features of every augmented pass too (one ~4 KB entry per image per epoch), \
            so rerunning the same seed and recipe, or another features-only method with the same \
            augmentation, skips decoding and encoding.
            """)
    var cacheAugmented = false

    func validate() throws {
        if noCache && cache != nil { throw ValidationError("give --cache or --no-cache, not both") }
        if noCache && cacheAugmented { throw ValidationError("give --cache-augmented or --no-cache, not both") }
    }

    /// The feature cache in use, if any.
    var featureCache: FeatureCache? {
        if noCache { return nil }
        return FeatureCache(directory: cache.map { URL(fileURLWithPath: $0) } ?? FeatureCache.defaultDirectory())
    }

    /// How dataset items are loaded: bad items skipped when asked.
    var dataOptions: LoadOptions { LoadOptions(skipBadItems: skipBadImages) }

    /// Loading options for `model` (its content hash keys the cache).
    func loading(for model: LoadedModel, modelHash: String? = nil) -> LoadingOptions {
        let cache = featureCache
        return LoadingOptions(
            cache: cache, modelHash: cache == nil ? nil : (modelHash ?? model.clip.contentHash()),
            cachesAugmentedPasses: cacheAugmented, skipBadImages: skipBadImages)
    }
}

/// One warning for images skipped as unreadable: the count and the first few paths with the
/// first reason; nothing when none were skipped.
func skippedImagesWarning(_ skipped: [SkippedImage]) -> String? {
    guard let first = skipped.first else { return nil }
    let paths = skipped.prefix(3).map(\.path).joined(separator: ", ")
    return "warning: skipped \(skipped.count) unreadable image\(skipped.count == 1 ? "" : "s") "
        + "(\(paths)\(skipped.count > 3 ? ", …" : "")); first: \(first.reason)"
}

/// Prints the dataset's skipped-item summary, if any, on standard error.
func warnSkippedItems(_ splits: DatasetSplits) {
    if let summary = splits.skippedSummary { note("warning: " + summary) }
}
