// Few-shot sampling in the spirit of Dassl's `generate_fewshot_dataset` (repeat off): K items
// per class without replacement, classes with fewer than K give all they have; validation gets
// min(K, 4) per class (CoOp). Seeded with SplitMix64, so subsets match on every machine.

import Foundation
import VLTensor

/// Draws K-shot subsets.
///
/// Each class is sampled from its own stream, `RandomGenerator(seed:).derived(stream)` with
/// `stream = 2·label` for train and `2·label + 1` for validation, by a partial Fisher–Yates
/// shuffle over the class's items in dataset order. So a class's draw depends only on
/// (seed, split, label, its items), never on other classes or on threads, and the K-shot
/// subset is the first K of the K′-shot one for K < K′ (1 ⊂ 2 ⊂ 4 ⊂ 8 ⊂ 16 shots).
public enum FewShotSampler {
    /// The validation shots CoOp pairs with `shots` training shots: min(K, 4).
    public static func validationShots(for shots: Int) -> Int { min(shots, 4) }

    /// A `shots`-per-class subset of `splits`' train and validation items.
    ///
    /// Validation is left empty in the subset when the dataset's validation set is its test
    /// set (ImageNet), as CoOp samples only ImageNet's train split.
    public static func sample(_ splits: DatasetSplits, shots: Int, seed: UInt64) throws -> FewShotSubset {
        guard shots >= 1 else {
            throw DataError.invalidArgument("shots must be at least 1, got \(shots)")
        }
        guard !splits.isTestOnly else {
            throw DataError.invalidArgument(
                "\(splits.dataset) has no training split (it is test-only), so it cannot be sampled")
        }
        let validation = splits.validationIsTest
            ? []
            : select(splits.validation, shots: validationShots(for: shots), seed: seed, stream: 1)
        return FewShotSubset(
            dataset: splits.dataset, shots: shots, seed: seed, classNames: splits.classNames,
            train: select(splits.train, shots: shots, seed: seed, stream: 0).map(FewShotSubset.Entry.init),
            validation: validation.map(FewShotSubset.Entry.init))
    }

    /// Up to `shots` items per label, labels ascending; `stream` 0 for train, 1 for validation.
    static func select(_ items: [LabeledItem], shots: Int, seed: UInt64, stream: UInt64) -> [LabeledItem] {
        var byLabel: [Int: [LabeledItem]] = [:]
        for item in items { byLabel[item.label, default: []].append(item) }
        let base = RandomGenerator(seed: seed)
        var selected: [LabeledItem] = []
        for label in byLabel.keys.sorted() {
            let pool = byLabel[label]!
            var generator = RandomGenerator(seed: base.derived(2 * UInt64(label) + stream))
            selected += firstDraws(from: pool, count: shots, using: &generator)
        }
        return selected
    }

    /// The first `count` positions of a Fisher–Yates shuffle of `pool` (all of it, in order,
    /// when `count` ≥ its size).
    static func firstDraws(
        from pool: [LabeledItem], count: Int, using generator: inout RandomGenerator
    ) -> [LabeledItem] {
        guard count < pool.count else { return pool }
        var order = Array(pool.indices)
        for i in 0..<count {
            order.swapAt(i, i + generator.nextInt(below: pool.count - i))
        }
        return order[..<count].map { pool[$0] }
    }
}
