// Reproducible per-class train/validation/test split for custom data without split files, in
// the spirit of CoOp's `read_and_split_data` (50/20/30 per class) but seeded with SplitMix64.

import Foundation
import VLTensor

/// Fractions of each class's items that go to train, validation and test.
public struct SplitFractions: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The training fraction.
    public var train: Double
    /// The validation fraction.
    public var validation: Double
    /// The test fraction.
    public var test: Double

    /// Creates fractions; ``validate()`` checks them.
    public init(train: Double, validation: Double, test: Double) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// CoOp's split for labelled pools: 50% train, 20% validation, 30% test per class.
    public static let coop = SplitFractions(train: 0.5, validation: 0.2, test: 0.3)

    public var description: String {
        "\(Int((train * 100).rounded()))/\(Int((validation * 100).rounded()))/"
            + "\(Int((test * 100).rounded())) train/val/test"
    }

    /// Throws unless every fraction is in [0, 1], train is positive, and they sum to 1.
    public func validate() throws {
        let parts = [train, validation, test]
        guard parts.allSatisfy({ $0 >= 0 && $0 <= 1 }), train > 0,
            abs(parts.reduce(0, +) - 1) < 1e-9
        else {
            throw DataError.invalidArgument(
                "split fractions must be in [0, 1], train > 0, and sum to 1; got \(parts)")
        }
    }

    /// How `count` items divide: train and validation rounded, test the rest; at least one
    /// training item, and one test item whenever the test fraction is positive and
    /// `count` ≥ 2.
    func counts(for count: Int) -> (train: Int, validation: Int, test: Int) {
        var train = max(1, Int((Double(count) * self.train).rounded()))
        var validation = Int((Double(count) * self.validation).rounded())
        train = min(train, count)
        validation = min(validation, count - train)
        var test = count - train - validation
        if test == 0, self.test > 0, count >= 2 {
            if validation > 0 { validation -= 1 } else { train -= 1 }
            test = 1
        }
        return (train, validation, test)
    }
}

/// Splits `itemsByClass` (one list per label) with `fractions`, shuffling each class's items
/// (sorted by path first) with its own SplitMix64 stream derived from `seed` and the label.
func seededSplit(
    _ itemsByClass: [[LabeledItem]], fractions: SplitFractions, seed: UInt64, classNames: [String]
) -> (train: [LabeledItem], validation: [LabeledItem], test: [LabeledItem], notes: [String]) {
    var train: [LabeledItem] = [], validation: [LabeledItem] = [], test: [LabeledItem] = []
    var small: [String] = []
    let base = RandomGenerator(seed: seed)
    for (label, items) in itemsByClass.enumerated() {
        var shuffled = items.sorted { byteOrder($0.path, $1.path) }
        var generator = RandomGenerator(seed: base.derived(UInt64(label)))
        shuffled.shuffleDeterministically(using: &generator)
        let counts = fractions.counts(for: shuffled.count)
        train += shuffled[..<counts.train]
        validation += shuffled[counts.train..<(counts.train + counts.validation)]
        test += shuffled[(counts.train + counts.validation)...]
        if counts.test == 0, fractions.test > 0 { small.append(classNames[label]) }
    }
    let notes = small.isEmpty ? [] : [
        "\(small.count) class(es) too small for a test item: \(small.prefix(5).joined(separator: ", "))"
    ]
    return (train, validation, test, notes)
}

extension Array {
    /// Fisher–Yates with SplitMix64, identical on every machine (unlike `shuffle()`, whose
    /// algorithm the standard library does not promise).
    mutating func shuffleDeterministically(using generator: inout RandomGenerator) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            swapAt(i, generator.nextInt(below: i + 1))
        }
    }
}
