// The value tree produced by the non-executing pickle reader (Python `pickle` protocols 2–5),
// with PyTorch storages and tensors as first-class leaves.

/// A value decoded from a pickle. Containers and objects live in the owning ``Pickle`` and are
/// referred to by handle, so shared and even cyclic structures are represented faithfully and
/// no value nests deeper than one level.
public enum PickleValue: Hashable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list(PickleHandle)
    case tuple(PickleHandle)
    case dict(PickleHandle)
    case set(PickleHandle)
    case object(PickleHandle)
    /// An allowed class or function named by `GLOBAL` that has not been called.
    case global(module: String, name: String)
    /// A PyTorch storage named by a persistent id.
    case storage(TorchStorage)
    /// A tensor rebuilt by `torch._utils._rebuild_tensor_v2`.
    case tensor(TorchTensorReference)
}

/// Refers to a container or object inside a ``Pickle``.
public struct PickleHandle: Hashable, Sendable {
    let index: Int
}

/// A PyTorch storage: the raw data of one `data/<key>` archive entry.
public struct TorchStorage: Hashable, Sendable {
    /// Name of the archive entry under `data/`.
    public let key: String
    /// Element type from the storage class (`torch.HalfStorage` → `.float16`, …).
    public let dtype: ElementType
    /// Number of elements the pickle says the storage holds.
    public let count: Int
}

/// A view into a storage, as `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`
/// describes it. Offset and strides count elements, not bytes.
public struct TorchTensorReference: Hashable, Sendable {
    /// The storage the tensor views.
    public let storage: TorchStorage
    /// Index of the first element in the storage.
    public let offset: Int
    /// Extent of each axis.
    public let shape: [Int]
    /// Distance in elements between neighbours along each axis.
    public let strides: [Int]

    /// Element type of the stored data.
    public var dtype: ElementType { storage.dtype }
    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// An instance of an allowed class: its constructor arguments and the state `BUILD` gave it.
public struct PickleObject: Sendable {
    /// `module.name` of the class, e.g. `__torch__.torch.nn.modules.linear.Linear`.
    public let className: String
    /// Arguments passed by `REDUCE` or `NEWOBJ`.
    public let arguments: [PickleValue]
    /// The state set by `BUILD` (usually a dict of attributes), or nil.
    public let state: PickleValue?
}

/// A decoded pickle: its root value and the containers and objects the values refer to.
public struct Pickle: Sendable {
    /// The value the pickle's `STOP` returned.
    public let root: PickleValue
    let nodes: [PickleNode]

    /// Elements of a list, tuple or set; nil for other values.
    public func elements(of value: PickleValue) -> [PickleValue]? {
        switch value {
        case .list(let handle), .tuple(let handle), .set(let handle):
            switch nodes[handle.index] {
            case .sequence(let elements): return elements
            default: return nil
            }
        default: return nil
        }
    }

    /// Key–value pairs of a dict in insertion order; nil for other values.
    public func items(of value: PickleValue) -> [(key: PickleValue, value: PickleValue)]? {
        guard case .dict(let handle) = value, case .dict(let dict) = nodes[handle.index] else { return nil }
        return zip(dict.keys, dict.values).map { ($0, $1) }
    }

    /// The instance behind an object value; nil for other values.
    public func object(_ value: PickleValue) -> PickleObject? {
        guard case .object(let handle) = value, case .object(let object) = nodes[handle.index] else {
            return nil
        }
        return object
    }

    /// The attributes of an object whose state is a dict with string keys, or the string-keyed
    /// items of a dict; nil otherwise. Non-string keys are skipped.
    public func stringKeyedItems(of value: PickleValue) -> [(key: String, value: PickleValue)]? {
        let source = object(value)?.state ?? value
        guard let items = items(of: source) else { return nil }
        return items.compactMap { item in
            guard case .string(let key) = item.key else { return nil }
            return (key, item.value)
        }
    }

    /// The value stored under string `key` in a dict, or nil.
    public func value(forKey key: String, in dict: PickleValue) -> PickleValue? {
        guard case .dict(let handle) = dict, case .dict(let storage) = nodes[handle.index],
            let position = storage.positions[.string(key)]
        else { return nil }
        return storage.values[position]
    }
}

/// Storage behind a handle.
enum PickleNode: Sendable {
    case sequence([PickleValue])
    case dict(PickleDict)
    case object(PickleObject)
}

/// An insertion-ordered dict; assigning an existing key replaces its value in place.
struct PickleDict: Sendable {
    var keys: [PickleValue] = []
    var values: [PickleValue] = []
    var positions: [PickleValue: Int] = [:]

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        if let position = positions[key] {
            values[position] = value
        } else {
            positions[key] = keys.count
            keys.append(key)
            values.append(value)
        }
    }
}

/// Why a pickle could not be decoded. Offsets are byte positions in the pickle stream.
public enum PickleError: Error, Equatable, CustomStringConvertible {
    /// The stream ended inside an opcode or before `STOP`.
    case truncated(offset: Int)
    /// An opcode this reader does not implement (text protocols 0–1, or not a pickle at all).
    case unsupportedOpcode(UInt8, offset: Int)
    /// A `GLOBAL` outside the allow-list; nothing is ever imported or called.
    case forbiddenGlobal(String)
    /// The opcodes are inconsistent (stack underflow, wrong operand types, unknown memo key).
    case malformed(String, offset: Int)

    public var description: String {
        switch self {
        case .truncated(let offset):
            "pickle ends unexpectedly at byte \(offset)"
        case .unsupportedOpcode(let opcode, let offset):
            "unsupported pickle opcode 0x\(String(opcode, radix: 16)) at byte \(offset)"
        case .forbiddenGlobal(let name):
            "pickle refers to '\(name)', which is not on the allow-list (nothing was executed)"
        case .malformed(let reason, let offset):
            "malformed pickle at byte \(offset): \(reason)"
        }
    }
}
