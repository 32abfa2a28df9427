// Turns a decoded checkpoint pickle into state-dict entries: dotted attribute paths of a
// TorchScript module tree, or the keys of a (possibly wrapped, possibly DDP-prefixed) dict,
// following the loading conventions of openai/CLIP and open_clip (formats.md §3.3–3.4).

/// Collects the tensors of a checkpoint pickle under their state-dict keys.
struct StateDictFlattener {
    /// Nesting deeper than this is refused (real module trees are a few levels deep).
    static let maximumDepth = 100
    /// Upper bound on values visited, so shared sub-trees cannot multiply the work.
    static let maximumVisits = 10_000_000

    struct Result {
        var format: TorchCheckpoint.Format
        var tensors: [(name: String, tensor: TorchTensorReference)]
    }

    private let pickle: Pickle
    private let file: String
    private var tensors: [(name: String, tensor: TorchTensorReference)] = []
    private var seenNames: Set<String> = []
    private var onPath: Set<PickleHandle> = []
    private var visits = 0

    /// A TorchScript root object is walked through its attributes; a dict root is a state dict,
    /// unwrapped from `{"state_dict": …}` (open_clip, Dassl) with a leading `module.` (from
    /// DistributedDataParallel) removed from every key.
    static func flatten(_ pickle: Pickle, file: String) throws(TorchCheckpointError) -> Result {
        var flattener = StateDictFlattener(pickle: pickle, file: file)
        switch pickle.root {
        case .object:
            try flattener.walk(pickle.root, path: "", depth: 0)
            return Result(format: .torchScript, tensors: flattener.tensors)
        case .dict:
            var root = pickle.root
            if let wrapped = pickle.value(forKey: "state_dict", in: root), case .dict = wrapped { root = wrapped }
            try flattener.walk(root, path: "", depth: 0)
            let stripped = flattener.tensors.map { entry in
                (name: entry.name.hasPrefix("module.") ? String(entry.name.dropFirst(7)) : entry.name, entry.tensor)
            }
            guard Set(stripped.map(\.name)).count == stripped.count else {
                throw .unexpectedContent(file: file, reason: "keys collide once the 'module.' prefix is removed")
            }
            return Result(format: .stateDict, tensors: stripped)
        default:
            throw .unexpectedContent(file: file, reason: "the pickle holds neither a state dict nor a module")
        }
    }

    private init(pickle: Pickle, file: String) {
        self.pickle = pickle
        self.file = file
    }

    /// Records tensors and descends into string-keyed dicts and object attributes; other values
    /// (numbers, flags, lists, None) carry no weights and are skipped.
    private mutating func walk(_ value: PickleValue, path: String, depth: Int) throws(TorchCheckpointError) {
        visits += 1
        guard visits <= StateDictFlattener.maximumVisits else {
            throw .unexpectedContent(file: file, reason: "the object graph is too large")
        }
        switch value {
        case .tensor(let tensor):
            try record(tensor, at: path)
        case .dict(let handle), .object(let handle):
            guard !onPath.contains(handle) else { return }  // a cycle adds nothing new
            guard depth < StateDictFlattener.maximumDepth else {
                throw .unexpectedContent(file: file, reason: "nesting deeper than \(StateDictFlattener.maximumDepth) at '\(path)'")
            }
            onPath.insert(handle)
            defer { onPath.remove(handle) }
            for (key, child) in pickle.stringKeyedItems(of: value) ?? [] {
                try walk(child, path: path.isEmpty ? key : path + "." + key, depth: depth + 1)
            }
        default:
            break
        }
    }

    private mutating func record(_ tensor: TorchTensorReference, at path: String) throws(TorchCheckpointError) {
        guard !path.isEmpty else {
            throw .unexpectedContent(file: file, reason: "the pickle holds a bare tensor, not a state dict")
        }
        guard seenNames.insert(path).inserted else {
            throw .unexpectedContent(file: file, reason: "key '\(path)' appears twice")
        }
        tensors.append((path, tensor))
    }
}
