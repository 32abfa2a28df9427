// GPT-2/CLIP's reversible byte → character map (`bytes_to_unicode` in OpenAI CLIP's
// simple_tokenizer): BPE symbols are strings over these 256 printable characters.

/// The 256 characters that stand for bytes in BPE symbols.
enum ByteAlphabet {
    /// Bytes that stand for themselves: `!`…`~`, `¡`…`¬`, `®`…`ÿ`.
    private static func isPrintable(_ byte: Int) -> Bool {
        (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
    }

    /// Bytes in vocabulary order: the printable ones ascending, then the other 68 ascending.
    /// The vocabulary lists byte symbols in this order, so `order[i]` has id `i`.
    static let order: [UInt8] = {
        let all = (0...255)
        return (all.filter(isPrintable) + all.filter { !isPrintable($0) }).map(UInt8.init)
    }()

    /// `character[byte]`: the scalar standing for `byte`. Printable bytes map to themselves; the
    /// others, in increasing byte order, to U+0100, U+0101, ….
    static let character: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0...255 {
            if isPrintable(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Inverse of ``character``: the byte a scalar stands for, if it is one of the 256.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 { return isPrintable(Int(value)) ? UInt8(value) : nil }
        guard value < 256 + 68 else { return nil }
        return byteForExtended[Int(value - 256)]
    }

    private static let byteForExtended: [UInt8] = order.filter { !isPrintable(Int($0)) }

    /// UTF-8 of the symbol string for `byte` (with `</w>` appended when `endOfWord`).
    static func symbol(for byte: UInt8, endOfWord: Bool) -> [UInt8] {
        var utf8 = Array(String(Character(character[Int(byte)])).utf8)
        if endOfWord { utf8 += endOfWordMarker }
        return utf8
    }

    /// The suffix CLIP's BPE appends to a word's last symbol.
    static let endOfWordMarker: [UInt8] = Array("</w>".utf8)
}
