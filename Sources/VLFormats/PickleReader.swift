// A restricted, non-executing pickle virtual machine (CPython Lib/pickle.py opcodes of
// protocols 2–5, as torch.save and torch.jit.save write them). Globals go through an
// allow-list and are interpreted, never imported or called.

/// Decodes pickles without executing anything.
///
/// Allowed globals: the PyTorch rebuild functions and storage classes, `collections.OrderedDict`,
/// `torch.device`, `builtins.set`/`frozenset`, `_codecs.encode`, TorchScript's typed-list
/// builders (`torch.jit._pickle.build_intlist`, …); TorchScript classes
/// (`__torch__.*`) when ``allowsTorchScriptClasses`` is set; and the classes listed in
/// ``allowedClasses``, which become opaque ``PickleObject``s. Any other global is an error.
public struct PickleReader: Sendable {
    /// Extra `module.name` classes that may be instantiated as opaque objects.
    public var allowedClasses: Set<String>
    /// Whether `__torch__.*` classes (TorchScript module types) may be instantiated.
    public var allowsTorchScriptClasses: Bool

    /// A reader allowing PyTorch checkpoints and, optionally, further classes.
    public init(allowedClasses: Set<String> = [], allowsTorchScriptClasses: Bool = true) {
        self.allowedClasses = allowedClasses
        self.allowsTorchScriptClasses = allowsTorchScriptClasses
    }

    /// Decodes one pickle from `bytes`.
    public func read(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> Pickle {
        var machine = PickleMachine(bytes: bytes, reader: self)
        return try machine.run()
    }

    /// How an allowed global behaves when called.
    enum Callable {
        case orderedDict, rebuildTensor, rebuildParameter, device, set, encode
        /// TorchScript's typed-list builders and type tags return their first argument.
        case identity
        case storageType(ElementType)
        case objectClass
    }

    /// Storage classes of torch.save pickles and their element types.
    static let storageTypes: [String: ElementType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "DoubleStorage": .float64, "LongStorage": .int64, "IntStorage": .int32,
        "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    /// The behaviour of `module.name`, or nil when it is not allowed.
    func callable(module: String, name: String) -> Callable? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            return .rebuildParameter
        case ("torch", "device"): return .device
        case ("builtins", "set"), ("builtins", "frozenset"), ("__builtin__", "set"), ("__builtin__", "frozenset"):
            return .set
        case ("_codecs", "encode"): return .encode
        case ("torch.jit._pickle", "build_intlist"), ("torch.jit._pickle", "build_doublelist"),
            ("torch.jit._pickle", "build_boollist"), ("torch.jit._pickle", "build_tensorlist"),
            ("torch.jit._pickle", "build_genericlist"), ("torch.jit._pickle", "restore_type_tag"):
            return .identity
        case ("torch", _):
            if let dtype = PickleReader.storageTypes[name] { return .storageType(dtype) }
        default: break
        }
        let qualified = "\(module).\(name)"
        if allowsTorchScriptClasses && (module == "__torch__" || module.hasPrefix("__torch__.")) {
            return .objectClass
        }
        return allowedClasses.contains(qualified) ? .objectClass : nil
    }
}

/// The running state of one decode: input position, value stack, marks and memo.
struct PickleMachine {
    private let bytes: UnsafeRawBufferPointer
    private let reader: PickleReader
    private var position = 0
    private var opcodeStart = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var nodes: [PickleNode] = []

    init(bytes: UnsafeRawBufferPointer, reader: PickleReader) {
        self.bytes = bytes
        self.reader = reader
    }

    /// Executes opcodes until `STOP` and returns the decoded tree.
    mutating func run() throws(PickleError) -> Pickle {
        while true {
            opcodeStart = position
            let opcode = try readByte()
            if opcode == Opcode.stop {
                let root = try pop()
                return Pickle(root: root, nodes: nodes)
            }
            try execute(opcode)
        }
    }

    // MARK: - Dispatch

    private enum Opcode {
        static let stop = UInt8(ascii: ".")
    }

    private mutating func execute(_ opcode: UInt8) throws(PickleError) {
        switch opcode {
        case 0x80: _ = try readByte()  // PROTO
        case 0x95: _ = try read(UInt64.self)  // FRAME: a length hint only
        case UInt8(ascii: "("): marks.append(stack.count)  // MARK
        case UInt8(ascii: "0"): _ = try pop()  // POP
        case UInt8(ascii: "1"): _ = try popMark()  // POP_MARK
        case UInt8(ascii: "2"): stack.append(try top())  // DUP
        case UInt8(ascii: "N"): stack.append(.none)
        case 0x88: stack.append(.bool(true))
        case 0x89: stack.append(.bool(false))
        case UInt8(ascii: "J"): stack.append(.int(Int(Int32(bitPattern: try read(UInt32.self)))))
        case UInt8(ascii: "K"): stack.append(.int(Int(try readByte())))
        case UInt8(ascii: "M"): stack.append(.int(Int(try read(UInt16.self))))
        case 0x8A: stack.append(.int(try readLong(byteCount: Int(try readByte()))))  // LONG1
        case 0x8B: stack.append(.int(try readLong(byteCount: try readLength(UInt32.self))))  // LONG4
        case UInt8(ascii: "G"): stack.append(.float(Double(bitPattern: UInt64(bigEndian: try readRaw(UInt64.self)))))
        default: try executeData(opcode)
        }
    }

    /// Strings, bytes, containers and memo opcodes.
    private mutating func executeData(_ opcode: UInt8) throws(PickleError) {
        switch opcode {
        case UInt8(ascii: "X"): stack.append(.string(try readUTF8(try readLength(UInt32.self))))  // BINUNICODE
        case 0x8C: stack.append(.string(try readUTF8(Int(try readByte()))))  // SHORT_BINUNICODE
        case 0x8D: stack.append(.string(try readUTF8(try readLength(UInt64.self))))  // BINUNICODE8
        case UInt8(ascii: "T"): stack.append(.string(try readLatin1(try readLength(UInt32.self))))  // BINSTRING
        case UInt8(ascii: "U"): stack.append(.string(try readLatin1(Int(try readByte()))))  // SHORT_BINSTRING
        case UInt8(ascii: "B"): stack.append(.bytes(try readBytes(try readLength(UInt32.self))))  // BINBYTES
        case UInt8(ascii: "C"): stack.append(.bytes(try readBytes(Int(try readByte()))))  // SHORT_BINBYTES
        case 0x8E, 0x96: stack.append(.bytes(try readBytes(try readLength(UInt64.self))))  // BINBYTES8, BYTEARRAY8
        case UInt8(ascii: "q"): try put(Int(try readByte()))  // BINPUT
        case UInt8(ascii: "r"): try put(Int(try read(UInt32.self)))  // LONG_BINPUT
        case 0x94: try put(memo.count)  // MEMOIZE
        case UInt8(ascii: "h"): try get(Int(try readByte()))  // BINGET
        case UInt8(ascii: "j"): try get(Int(try read(UInt32.self)))  // LONG_BINGET
        default: try executeContainer(opcode)
        }
    }

    private mutating func executeContainer(_ opcode: UInt8) throws(PickleError) {
        switch opcode {
        case UInt8(ascii: "}"): stack.append(.dict(add(.dict(PickleDict()))))  // EMPTY_DICT
        case UInt8(ascii: "]"): stack.append(.list(add(.sequence([]))))  // EMPTY_LIST
        case UInt8(ascii: ")"): stack.append(.tuple(add(.sequence([]))))  // EMPTY_TUPLE
        case 0x8F: stack.append(.set(add(.sequence([]))))  // EMPTY_SET
        case UInt8(ascii: "t"): stack.append(.tuple(add(.sequence(try popMark()))))  // TUPLE
        case 0x85, 0x86, 0x87: try pushTuple(count: Int(opcode - 0x84))  // TUPLE1..3
        case UInt8(ascii: "l"): stack.append(.list(add(.sequence(try popMark()))))  // LIST
        case 0x91: stack.append(.set(add(.sequence(try popMark()))))  // FROZENSET
        case UInt8(ascii: "d"): stack.append(.dict(add(.dict(try dict(pairs: try popMark())))))  // DICT
        case UInt8(ascii: "a"): try append([try pop()])  // APPEND
        case UInt8(ascii: "e"), 0x90: try append(try popMark())  // APPENDS, ADDITEMS
        case UInt8(ascii: "s"):  // SETITEM
            let value = try pop()
            let key = try pop()
            try setItems([key, value])
        case UInt8(ascii: "u"): try setItems(try popMark())  // SETITEMS
        default: try executeCall(opcode)
        }
    }

    /// Globals, calls, object state and persistent ids.
    private mutating func executeCall(_ opcode: UInt8) throws(PickleError) {
        switch opcode {
        case UInt8(ascii: "c"):  // GLOBAL "module\nname\n"
            let module = try readLine()
            try pushGlobal(module: module, name: try readLine())
        case 0x93:  // STACK_GLOBAL
            let name = try pop()
            let module = try pop()
            guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                throw malformed("STACK_GLOBAL needs two strings")
            }
            try pushGlobal(module: moduleName, name: globalName)
        case UInt8(ascii: "R"):  // REDUCE
            let arguments = try pop()
            let callable = try pop()
            stack.append(try call(callable, arguments: try tupleElements(arguments)))
        case 0x81:  // NEWOBJ
            let arguments = try pop()
            let type = try pop()
            stack.append(try instantiate(type, arguments: try tupleElements(arguments)))
        case 0x92:  // NEWOBJ_EX (keyword arguments are ignored)
            _ = try pop()
            let arguments = try pop()
            let type = try pop()
            stack.append(try instantiate(type, arguments: try tupleElements(arguments)))
        case UInt8(ascii: "b"):  // BUILD
            let state = try pop()
            try build(try top(), state: state)
        case UInt8(ascii: "Q"):  // BINPERSID
            stack.append(try persistentLoad(try pop()))
        default:
            throw .unsupportedOpcode(opcode, offset: opcodeStart)
        }
    }

    // MARK: - Stack, marks and memo

    private func malformed(_ reason: String) -> PickleError { .malformed(reason, offset: opcodeStart) }

    private mutating func pop() throws(PickleError) -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw malformed("stack underflow")
        }
        return value
    }

    private func top() throws(PickleError) -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw malformed("stack underflow") }
        return value
    }

    private mutating func popMark() throws(PickleError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK on the stack") }
        let values = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return values
    }

    private mutating func put(_ key: Int) throws(PickleError) {
        memo[key] = try top()
    }

    private mutating func get(_ key: Int) throws(PickleError) {
        guard let value = memo[key] else { throw malformed("memo key \(key) was never stored") }
        stack.append(value)
    }

    private mutating func add(_ node: PickleNode) -> PickleHandle {
        nodes.append(node)
        return PickleHandle(index: nodes.count - 1)
    }

    private mutating func pushTuple(count: Int) throws(PickleError) {
        guard stack.count - count >= (marks.last ?? 0) else { throw malformed("stack underflow") }
        let elements = Array(stack.suffix(count))
        stack.removeLast(count)
        stack.append(.tuple(add(.sequence(elements))))
    }

    private func dict(pairs: [PickleValue]) throws(PickleError) -> PickleDict {
        guard pairs.count % 2 == 0 else { throw malformed("odd number of dict items") }
        var dict = PickleDict()
        for index in stride(from: 0, to: pairs.count, by: 2) { dict.set(pairs[index], pairs[index + 1]) }
        return dict
    }

    /// APPEND(S)/ADDITEMS onto the list or set on top of the stack.
    private mutating func append(_ values: [PickleValue]) throws(PickleError) {
        switch try top() {
        case .list(let handle), .set(let handle):
            guard case .sequence(var elements) = nodes[handle.index] else { throw malformed("bad list") }
            nodes[handle.index] = .sequence([])  // release the copy so the append is in place
            elements.append(contentsOf: values)
            nodes[handle.index] = .sequence(elements)
        default:
            throw malformed("APPEND to a value that is not a list")
        }
    }

    /// SETITEM(S) onto the dict on top of the stack.
    private mutating func setItems(_ pairs: [PickleValue]) throws(PickleError) {
        guard case .dict(let handle) = try top(), case .dict(var dict) = nodes[handle.index] else {
            throw malformed("SETITEM on a value that is not a dict")
        }
        guard pairs.count % 2 == 0 else { throw malformed("odd number of dict items") }
        nodes[handle.index] = .dict(PickleDict())  // release the copy so the update is in place
        for index in stride(from: 0, to: pairs.count, by: 2) { dict.set(pairs[index], pairs[index + 1]) }
        nodes[handle.index] = .dict(dict)
    }

    private func tupleElements(_ value: PickleValue) throws(PickleError) -> [PickleValue] {
        guard case .tuple(let handle) = value, case .sequence(let elements) = nodes[handle.index] else {
            throw malformed("expected an argument tuple")
        }
        return elements
    }

    // MARK: - Globals and calls

    private mutating func pushGlobal(module: String, name: String) throws(PickleError) {
        guard reader.callable(module: module, name: name) != nil else {
            throw .forbiddenGlobal("\(module).\(name)")
        }
        stack.append(.global(module: module, name: name))
    }

    private mutating func call(_ callable: PickleValue, arguments: [PickleValue]) throws(PickleError) -> PickleValue {
        guard case .global(let module, let name) = callable,
            let behaviour = reader.callable(module: module, name: name)
        else { throw malformed("REDUCE of a value that is not an allowed global") }
        switch behaviour {
        case .orderedDict: return .dict(add(.dict(PickleDict())))
        case .rebuildTensor: return .tensor(try rebuildTensor(arguments))
        case .rebuildParameter:
            guard case .tensor? = arguments.first else { throw malformed("_rebuild_parameter without a tensor") }
            return arguments[0]
        case .device:
            guard case .string? = arguments.first else { throw malformed("torch.device without a name") }
            return arguments[0]
        case .set:
            let elements = arguments.first.flatMap { nodesElements($0) } ?? []
            return .set(add(.sequence(elements)))
        case .encode: return .bytes(try latin1Bytes(arguments))
        case .identity:
            guard let first = arguments.first else { throw malformed("\(module).\(name) without an argument") }
            return first
        case .objectClass: return .object(add(.object(PickleObject(
            className: "\(module).\(name)", arguments: arguments, state: nil))))
        case .storageType: throw malformed("storage class \(module).\(name) called directly")
        }
    }

    private mutating func instantiate(_ type: PickleValue, arguments: [PickleValue]) throws(PickleError) -> PickleValue {
        guard case .global(let module, let name) = type else { throw malformed("NEWOBJ of a non-class") }
        switch reader.callable(module: module, name: name) {
        case .objectClass?:
            return .object(add(.object(PickleObject(className: "\(module).\(name)", arguments: arguments, state: nil))))
        case .orderedDict?:
            return .dict(add(.dict(PickleDict())))
        default:
            throw malformed("NEWOBJ of \(module).\(name), which is not a class")
        }
    }

    /// BUILD: an object takes the state; a dict (an OrderedDict with instance attributes such
    /// as a state dict's `_metadata`) ignores it.
    private mutating func build(_ target: PickleValue, state: PickleValue) throws(PickleError) {
        switch target {
        case .object(let handle):
            guard case .object(let object) = nodes[handle.index] else { throw malformed("bad object") }
            nodes[handle.index] = .object(PickleObject(
                className: object.className, arguments: object.arguments, state: state))
        case .dict, .tensor: break
        default: throw malformed("BUILD on a value that takes no state")
        }
    }

    private func nodesElements(_ value: PickleValue) -> [PickleValue]? {
        switch value {
        case .list(let handle), .tuple(let handle), .set(let handle):
            if case .sequence(let elements) = nodes[handle.index] { return elements }
            return nil
        default: return nil
        }
    }

    /// `_codecs.encode(text, "latin1")`, how protocol 2 stores Python 3 bytes.
    private func latin1Bytes(_ arguments: [PickleValue]) throws(PickleError) -> [UInt8] {
        guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let codec) = arguments[1],
            ["latin1", "latin-1", "iso-8859-1"].contains(codec.lowercased())
        else { throw malformed("_codecs.encode with unsupported arguments") }
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard scalar.value < 256 else { throw malformed("character outside latin-1") }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }

    // MARK: - PyTorch

    /// `('storage', storage_type, key, location, numel)` → the storage it names.
    private func persistentLoad(_ id: PickleValue) throws(PickleError) -> PickleValue {
        let fields = try tupleElements(id)
        guard fields.count == 5, fields[0] == .string("storage"),
            case .global(let module, let name) = fields[1],
            case .storageType(let dtype)? = reader.callable(module: module, name: name),
            case .string(let key) = fields[2], case .int(let count) = fields[4], count >= 0
        else { throw malformed("unsupported persistent id") }
        return .storage(TorchStorage(key: key, dtype: dtype, count: count))
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])`.
    private func rebuildTensor(_ arguments: [PickleValue]) throws(PickleError) -> TorchTensorReference {
        guard arguments.count >= 4, case .storage(let storage) = arguments[0],
            case .int(let offset) = arguments[1], offset >= 0,
            let shape = try integers(arguments[2]), let strides = try integers(arguments[3]),
            shape.count == strides.count
        else { throw malformed("_rebuild_tensor_v2 with unexpected arguments") }
        return TorchTensorReference(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    /// A tuple of non-negative integers, or nil.
    private func integers(_ value: PickleValue) throws(PickleError) -> [Int]? {
        var result: [Int] = []
        for element in try tupleElements(value) {
            guard case .int(let integer) = element, integer >= 0 else { return nil }
            result.append(integer)
        }
        return result
    }

    // MARK: - Reading the stream

    private mutating func readByte() throws(PickleError) -> UInt8 {
        guard position < bytes.count else { throw .truncated(offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func readRaw<T: FixedWidthInteger>(_: T.Type) throws(PickleError) -> T {
        guard bytes.count - position >= MemoryLayout<T>.size else { throw .truncated(offset: position) }
        defer { position += MemoryLayout<T>.size }
        return bytes.loadUnaligned(fromByteOffset: position, as: T.self)
    }

    private mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(PickleError) -> T {
        T(littleEndian: try readRaw(type))
    }

    /// A length field, checked against the bytes that remain so no allocation can be huge.
    private mutating func readLength<T: FixedWidthInteger>(_ type: T.Type) throws(PickleError) -> Int {
        let length = try read(type)
        guard let count = Int(exactly: length), count <= bytes.count - position else {
            throw .truncated(offset: position)
        }
        return count
    }

    private mutating func readBytes(_ count: Int) throws(PickleError) -> [UInt8] {
        guard count <= bytes.count - position else { throw .truncated(offset: position) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    private mutating func readUTF8(_ count: Int) throws(PickleError) -> String {
        let raw = try readBytes(count)
        guard let text = String(validating: raw, as: UTF8.self) else { throw malformed("invalid UTF-8 string") }
        return text
    }

    private mutating func readLatin1(_ count: Int) throws(PickleError) -> String {
        String(String.UnicodeScalarView(try readBytes(count).map { Unicode.Scalar($0) }))
    }

    /// A `\n`-terminated ASCII line (the operands of GLOBAL).
    private mutating func readLine() throws(PickleError) -> String {
        guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw .truncated(offset: position)
        }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// Little-endian two's-complement integer of `byteCount` bytes (LONG1/LONG4).
    private mutating func readLong(byteCount: Int) throws(PickleError) -> Int {
        let raw = try readBytes(byteCount)
        guard raw.count <= 8 else { throw malformed("integer wider than 64 bits") }
        guard let last = raw.last else { return 0 }
        var value: UInt64 = last & 0x80 != 0 ? .max : 0
        for byte in raw.reversed() { value = value << 8 | UInt64(byte) }
        return Int(Int64(bitPattern: value))
    }
}
