// TEMPORARY stand-in for VLTestSupport.Fixture (being written on another branch): the same API
// over a minimal safetensors reader. Delete once main has "formats phase 1".

import Foundation
import VLTensor

struct Fixture: Sendable {
    let name: String
    nonisolated(unsafe) private let header: [String: Any]
    private let payload: Data

    init(_ name: String) throws {
        self.name = name
        let data = try Data(contentsOf: Fixture.url(name + ".safetensors"))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        payload = data.subdata(in: (8 + length)..<data.count)
    }

    private func entry(_ key: String) -> (dtype: String, shape: [Int], bytes: Data) {
        guard let info = header[key] as? [String: Any] else { preconditionFailure("fixture \(name): no key \(key)") }
        let offsets = info["data_offsets"] as! [Int]
        return (info["dtype"] as! String, info["shape"] as! [Int], payload.subdata(in: offsets[0]..<offsets[1]))
    }

    subscript(_ key: String) -> Tensor {
        let (dtype, shape, bytes) = entry(key)
        precondition(dtype == "F32", "fixture \(name): \(key) is \(dtype)")
        let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return Tensor(values, shape: shape)
    }

    func integers(_ key: String) -> [Int] {
        let (dtype, _, bytes) = entry(key)
        precondition(dtype == "U8", "fixture \(name): \(key) is \(dtype)")
        return bytes.map { Int($0) }
    }

    func has(_ key: String) -> Bool { header[key] != nil }

    var metadata: [String: String] { header["__metadata__"] as? [String: String] ?? [:] }

    static func url(_ relativePath: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }
}
