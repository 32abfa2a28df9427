// gzip (RFC 1952) decompression through zlib's inflate, for `bpe_simple_vocab_16e6.txt.gz`.

import CZlib

/// Whole-buffer gzip decompression.
enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1F 8B.
    static func isCompressed(_ data: [UInt8]) -> Bool {
        data.count >= 2 && data[0] == 0x1F && data[1] == 0x8B
    }

    /// The decompressed bytes of every gzip member in `data`; `path` names the file in errors.
    static func decompress(_ data: [UInt8], path: String) throws -> [UInt8] {
        var stream = z_stream()
        let windowBitsForGzip: Int32 = 15 + 16
        let streamSize = Int32(MemoryLayout<z_stream>.size)
        guard inflateInit2_(&stream, windowBitsForGzip, zlibVersion(), streamSize) == Z_OK else {
            throw TokenizerError.unreadableFile(path: path, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(data.count * 3)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var input = data
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = UInt32(chunkBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END where stream.avail_in > 0:
                    inflateReset(&stream)  // another gzip member follows
                case Z_STREAM_END:
                    return
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw TokenizerError.unreadableFile(path: path, reason: "corrupt gzip data (\(message))")
                }
            }
        }
        return output
    }
}
