// The memory an optimizer keeps per parameter (momentum buffers, moments, step counts): updated
// in place by the kernels, yet held as a value through copy-on-write, and converted to and from
// named tensors in the layout of PyTorch's optimizer state_dict.

import VLTensor

/// The slots of one parameter: buffers shaped like it, and the number of steps it has taken.
struct ParameterSlots {
    var shape: [Int]
    /// One buffer per slot name of the owning ``SlotTable``, in that order.
    var buffers: [TensorStorage]
    var step: Int
}

/// Named per-parameter buffers with value semantics.
///
/// Copies share one box until either writes; the writer first copies every buffer, so an
/// optimizer copied for test-time tuning never sees the original's later steps, and exported
/// ``state`` tensors are snapshots.
struct SlotTable: @unchecked Sendable {
    /// Slot names of the buffers, in buffer order (PyTorch's names).
    let bufferNames: [String]
    /// Whether a `step` count is kept and exported.
    let countsSteps: Bool
    // Mutated only after `isKnownUniquelyReferenced`, so sharing copies across threads is safe.
    private var box = Box(entries: [:])

    static let stepName = "step"
    /// The largest step count a Float32 `step` tensor holds exactly.
    static let maximumStep = 1 << 24

    init(bufferNames: [String], countsSteps: Bool) {
        self.bufferNames = bufferNames
        self.countsSteps = countsSteps
    }

    private final class Box {
        var entries: [String: ParameterSlots]
        init(entries: [String: ParameterSlots]) { self.entries = entries }

        func copy() -> Box {
            Box(entries: entries.mapValues { slots in
                var copied = slots
                copied.buffers = slots.buffers.map(SlotTable.copy)
                return copied
            })
        }
    }

    /// Runs `body` on the slots of `name`, first creating them zero-filled with step 0 when the
    /// parameter has none yet. `body` receives whether they were just created.
    mutating func withSlots<Result>(
        of name: String, shape: [Int], _ body: (inout ParameterSlots, Bool) -> Result
    ) -> Result {
        if !isKnownUniquelyReferenced(&box) { box = box.copy() }
        let isNew = box.entries[name] == nil
        if isNew {
            let count = shape.reduce(1, *)
            box.entries[name] = ParameterSlots(
                shape: shape, buffers: bufferNames.map { _ in SlotTable.zeros(count) }, step: 0)
        }
        precondition(
            box.entries[name]!.shape == shape,
            "parameter '\(name)' changed shape from \(box.entries[name]!.shape) to \(shape)")
        return body(&box.entries[name]!, isNew)
    }

    // MARK: - Named tensors

    /// Every slot as `"<parameter>.<slot>"`, copied.
    var tensors: [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, slots) in box.entries {
            for (slot, buffer) in zip(bufferNames, slots.buffers) {
                result["\(name).\(slot)"] = Tensor.computed(shape: slots.shape) {
                    $0.baseAddress!.update(from: buffer.base, count: buffer.count)
                }
            }
            if countsSteps {
                result["\(name).\(SlotTable.stepName)"] = Tensor(scalar: Float(slots.step))
            }
        }
        return result
    }

    /// Replaces every slot with the values of `tensors`, checked against `parameters`; on error
    /// the table is unchanged.
    mutating func restore(_ tensors: [String: Tensor], parameters: [String: Tensor]) throws {
        var grouped: [String: [String: Tensor]] = [:]
        for (key, tensor) in tensors {
            let (name, slot) = try split(key)
            guard parameters[name] != nil else { throw OptimizerStateError.unknownParameter(key: key) }
            grouped[name, default: [:]][slot] = tensor
        }
        var entries: [String: ParameterSlots] = [:]
        for (name, slots) in grouped {
            entries[name] = try parameterSlots(name, slots, shape: parameters[name]!.shape)
        }
        box = Box(entries: entries)
    }

    private var slotNames: [String] { bufferNames + (countsSteps ? [SlotTable.stepName] : []) }

    private func split(_ key: String) throws -> (name: String, slot: String) {
        guard let dot = key.lastIndex(of: "."), slotNames.contains(String(key[key.index(after: dot)...]))
        else { throw OptimizerStateError.unknownSlot(key: key, expected: slotNames) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }

    private func parameterSlots(
        _ name: String, _ slots: [String: Tensor], shape: [Int]
    ) throws -> ParameterSlots {
        let buffers = try bufferNames.map { slot in
            let key = "\(name).\(slot)"
            guard let tensor = slots[slot] else { throw OptimizerStateError.missingSlot(key: key) }
            guard tensor.shape == shape else {
                throw OptimizerStateError.shapeMismatch(key: key, expected: shape, found: tensor.shape)
            }
            return SlotTable.copy(tensor.storage)
        }
        let step = countsSteps ? try SlotTable.step(slots[SlotTable.stepName], key: "\(name).step") : 0
        return ParameterSlots(shape: shape, buffers: buffers, step: step)
    }

    private static func step(_ tensor: Tensor?, key: String) throws -> Int {
        guard let tensor else { throw OptimizerStateError.missingSlot(key: key) }
        guard tensor.scalarCount == 1, tensor.rank <= 1 else {
            throw OptimizerStateError.invalidStep(key: key, value: "shape \(tensor.shape)")
        }
        let value = tensor.item
        guard value >= 1, value <= Float(maximumStep), value == value.rounded() else {
            throw OptimizerStateError.invalidStep(key: key, value: "\(value)")
        }
        return Int(value)
    }

    // MARK: - Storage

    private static func zeros(_ count: Int) -> TensorStorage {
        let storage = TensorStorage(uninitializedCount: count)
        storage.base.initialize(repeating: 0, count: count)
        return storage
    }

    private static func copy(_ source: TensorStorage) -> TensorStorage {
        let storage = TensorStorage(uninitializedCount: source.count)
        storage.base.initialize(from: source.base, count: source.count)
        return storage
    }
}
