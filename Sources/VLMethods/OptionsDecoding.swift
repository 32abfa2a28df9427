// Decoding method options where every absent key takes the paper's default, so an `--options`
// file names only what it changes.

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the key is absent or null.
    func decode<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
