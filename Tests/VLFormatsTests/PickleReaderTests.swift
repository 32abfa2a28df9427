// The non-executing pickle reader: Python-written pickles of protocols 2 and 5 decode to the
// same values Python rendered, forbidden globals are refused by name, bad streams throw.

import Foundation
import Testing
import VLTestSupport
@testable import VLFormats

/// The canonical text form tools/fixtures/formats.py `render` produces, computed on our tree.
private func render(_ value: PickleValue, in pickle: Pickle) -> String {
    func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
    switch value {
    case .none: return "None"
    case .bool(let flag): return flag ? "True" : "False"
    case .int(let integer): return String(integer)
    case .float(let real):
        return "f" + hex(withUnsafeBytes(of: real.bitPattern.bigEndian, Array.init))
    case .string(let text): return "s" + hex(text.utf8)
    case .bytes(let bytes): return "b" + hex(bytes)
    case .list: return "[" + pickle.elements(of: value)!.map { render($0, in: pickle) }.joined(separator: ",") + "]"
    case .tuple: return "(" + pickle.elements(of: value)!.map { render($0, in: pickle) }.joined(separator: ",") + ")"
    case .set: return "set(" + pickle.elements(of: value)!.map { render($0, in: pickle) }.sorted().joined(separator: ",") + ")"
    case .dict:
        let items = pickle.items(of: value)!.map { render($0.key, in: pickle) + ":" + render($0.value, in: pickle) }
        return "{" + items.joined(separator: ",") + "}"
    case .object, .global, .storage, .tensor: return "<\(value)>"
    }
}

private func read(_ bytes: [UInt8], reader: PickleReader = PickleReader()) throws(PickleError) -> Pickle {
    do {
        return try bytes.withUnsafeBytes { raw in try reader.read(raw) }
    } catch let error as PickleError {
        throw error
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
}

@Suite("pickle reader")
struct PickleReaderTests {
    @Test("pickles written by Python decode to the same values", arguments: [2, 5])
    func pythonPickles(protocolVersion: Int) throws {
        let expected = try JSONDecoder().decode(
            [String: String].self, from: Data(contentsOf: Fixture.url("formats/pickle_expected.json")))
        let bytes = try [UInt8](Data(contentsOf: Fixture.url("formats/pickle_protocol\(protocolVersion).pkl")))
        let pickle = try read(bytes)
        #expect(render(pickle.root, in: pickle) == expected["render"])
    }

    @Test("memoized containers are shared, not copied")
    func sharing() throws {
        let pickle = try read([UInt8](Data(contentsOf: Fixture.url("formats/pickle_protocol2.pkl"))))
        let shared = try #require(pickle.value(forKey: "shared", in: pickle.root))
        let elements = try #require(pickle.elements(of: shared))
        #expect(elements.count == 2 && elements[0] == elements[1])
    }

    @Test("globals outside the allow-list are refused by name", arguments: [
        ("cos\nsystem\n", "os.system"),
        ("cbuiltins\neval\n", "builtins.eval"),
        ("c__builtin__\ngetattr\n", "__builtin__.getattr"),
        ("ctorch._utils\n_rebuild_qtensor\n", "torch._utils._rebuild_qtensor"),
        ("\u{8C}\u{02}os\u{94}\u{8C}\u{06}system\u{94}\u{93}", "os.system"),
    ])
    func forbiddenGlobals(opcodes: String, name: String) {
        let bytes = [0x80, 0x02] + opcodes.unicodeScalars.map { UInt8($0.value) } + Array("N\u{85}R.".utf8)
        #expect(throws: PickleError.forbiddenGlobal(name)) { try read(bytes) }
    }

    @Test("classes become opaque objects only when allowed")
    func allowedClasses() throws {
        // Datum() then BUILD {"_label": 3}, as Dassl's few-shot pickles store examples.
        let bytes: [UInt8] = [0x80, 0x02] + Array("cdassl.data.datasets.base_dataset\nDatum\n".utf8)
            + [UInt8(ascii: ")"), 0x81, UInt8(ascii: "}"), 0x8C, 6] + Array("_label".utf8)
            + [UInt8(ascii: "K"), 3, UInt8(ascii: "s"), UInt8(ascii: "b"), UInt8(ascii: ".")]
        #expect(throws: PickleError.forbiddenGlobal("dassl.data.datasets.base_dataset.Datum")) {
            try read(bytes)
        }
        let reader = PickleReader(allowedClasses: ["dassl.data.datasets.base_dataset.Datum"])
        let pickle = try read(bytes, reader: reader)
        #expect(pickle.object(pickle.root)?.className == "dassl.data.datasets.base_dataset.Datum")
        let attributes = try #require(pickle.stringKeyedItems(of: pickle.root))
        #expect(attributes.map(\.key) == ["_label"] && attributes.first?.value == .int(3))
        let strict = PickleReader(allowsTorchScriptClasses: false)
        #expect(throws: PickleError.forbiddenGlobal("__torch__.Model")) {
            try read([0x80, 0x02] + Array("c__torch__\nModel\n).".utf8), reader: strict)
        }
    }

    @Test("damaged streams throw instead of crashing", arguments: [
        ([0x80, 0x02, UInt8(ascii: "X"), 0xFF, 0xFF, 0xFF, 0x7F, 0x41], "truncated"),  // 2 GB string claimed
        ([0x80, 0x02, UInt8(ascii: "K")], "truncated"),
        ([0x80, 0x02, UInt8(ascii: "N")], "truncated"),  // no STOP
        ([0x80, 0x02, UInt8(ascii: "I"), UInt8(ascii: "1"), 0x0A, UInt8(ascii: ".")], "unsupported"),  // protocol 0 INT
        ([0x80, 0x02, UInt8(ascii: ".")], "malformed"),  // STOP with an empty stack
        ([0x80, 0x02, UInt8(ascii: "h"), 9, UInt8(ascii: ".")], "malformed"),  // memo key never stored
        ([0x80, 0x02, UInt8(ascii: "t"), UInt8(ascii: ".")], "malformed"),  // TUPLE without MARK
        ([0x80, 0x02, UInt8(ascii: "N"), UInt8(ascii: "a"), UInt8(ascii: ".")], "malformed"),  // APPEND to None
        ([0x80, 0x02, UInt8(ascii: "("), UInt8(ascii: "N"), 0x87, UInt8(ascii: ".")], "malformed"),  // TUPLE3 across MARK
        ([0x80, 0x02, 0x8A, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, UInt8(ascii: ".")], "malformed"),  // 72-bit integer
        ([0x80, 0x02, 0x8C, 2, 0xC3, 0x28, UInt8(ascii: ".")], "malformed"),  // invalid UTF-8
        ([0x80, 0x02, UInt8(ascii: "c"), UInt8(ascii: "o"), UInt8(ascii: "s")], "truncated"),  // GLOBAL without newline
    ] as [([UInt8], String)])
    func damagedStreams(bytes: [UInt8], kind: String) {
        do {
            _ = try read(bytes)
            Issue.record("accepted \(bytes)")
        } catch {
            switch (error, kind) {
            case (.truncated, "truncated"), (.unsupportedOpcode, "unsupported"), (.malformed, "malformed"): break
            default: Issue.record("expected \(kind), got \(error)")
            }
        }
    }

    @Test("cycles and very deep nesting decode without recursion")
    func cyclesAndDepth() throws {
        // A list that contains itself: EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP.
        let cycle = try read([0x80, 0x02, UInt8(ascii: "]"), UInt8(ascii: "q"), 0, UInt8(ascii: "h"), 0,
                              UInt8(ascii: "a"), UInt8(ascii: ".")])
        #expect(cycle.elements(of: cycle.root)?.first == cycle.root)
        // 200,000 nested lists.
        let depth = 200_000
        let nested = [UInt8](repeating: UInt8(ascii: "]"), count: depth) + [UInt8](repeating: UInt8(ascii: "a"), count: depth - 1)
        let deep = try read([0x80, 0x02] + nested + [UInt8(ascii: ".")])
        #expect(deep.elements(of: deep.root)?.count == 1)
    }

    @Test("LONG1 integers decode with their sign")
    func longIntegers() throws {
        let cases: [([UInt8], Int)] = [
            ([0], 0), ([0xFF], -1), ([0x00, 0x80, 0x00], 32768), ([0x00, 0x80], -32768),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], Int.max), ([0, 0, 0, 0, 0, 0, 0, 0x80], Int.min),
        ]
        for (payload, value) in cases {
            let pickle = try read([0x80, 0x02, 0x8A, UInt8(payload.count)] + payload + [UInt8(ascii: ".")])
            #expect(pickle.root == .int(value))
        }
    }
}
