// The progress line: its text, in-place redraws on a terminal, sparse lines in logs, quiet mode.

import Foundation
import Synchronization
import Testing
@testable import VLProgress

/// A fake clock and an output recorder.
private final class Harness: Sendable {
    let time = Mutex(0.0)
    let output = Mutex<[String]>([])

    func line(mode: ProgressLine.Mode, terminal: Bool, total: Int? = 100) -> ProgressLine {
        ProgressLine(
            "encode test", total: total, unit: "images", mode: mode, outputIsTerminal: terminal,
            write: { text in self.output.withLock { $0.append(text) } },
            now: { self.time.withLock { $0 } })
    }

    func advance(_ line: ProgressLine, by count: Int, seconds: Double) {
        time.withLock { $0 += seconds }
        line.advance(by: count)
    }

    var written: [String] { output.withLock { $0 } }
}

@Suite("progress line")
struct ProgressLineTests {
    @Test("the line shows items done, rate and time left")
    func text() {
        let harness = Harness()
        let line = harness.line(mode: .log, terminal: false, total: 8100)
        #expect(line.render(done: 3200, at: 8) == "encode test  3,200/8,100  400.0 images/s  0:12 left")
        #expect(line.render(done: 8100, at: 20) == "encode test  8,100/8,100  405.0 images/s  0:20 elapsed")
        #expect(ProgressLine.clock(3725) == "1:02:05")
        #expect(ProgressLine.grouped(1_234_567) == "1,234,567")
    }

    @Test("on a terminal it redraws in place, at most every redraw interval")
    func terminal() {
        let harness = Harness()
        let line = harness.line(mode: .automatic, terminal: true)
        harness.advance(line, by: 10, seconds: 1)
        harness.advance(line, by: 10, seconds: 0.01)
        harness.advance(line, by: 10, seconds: 0.5)
        line.finish()
        line.finish()
        let written = harness.written
        #expect(written.count == 3)
        #expect(written.allSatisfy { $0.hasPrefix("\r") })
        #expect(written.last!.hasSuffix("\n") && written.dropLast().allSatisfy { !$0.hasSuffix("\n") })
        #expect(line.done == 30)
    }

    @Test("log mode writes a plain line per tenth; off a terminal automatic and quiet write nothing")
    func logAndQuiet() {
        let harness = Harness()
        let line = harness.line(mode: .log, terminal: false)
        for _ in 0..<100 { harness.advance(line, by: 1, seconds: 0.01) }
        line.finish()
        #expect(harness.written.count == 11)
        #expect(harness.written.allSatisfy { !$0.contains("\r") && $0.hasSuffix("\n") })

        let piped = Harness()
        let automatic = piped.line(mode: .automatic, terminal: false)
        for _ in 0..<100 { piped.advance(automatic, by: 1, seconds: 0.01) }
        automatic.finish()
        #expect(piped.written.isEmpty)

        let quiet = Harness()
        let silent = quiet.line(mode: .quiet, terminal: true)
        silent.advance(by: 5)
        silent.finish()
        #expect(quiet.written.isEmpty)
    }

    @Test("without a total, logs print every log interval")
    func unknownTotal() {
        let harness = Harness()
        let line = harness.line(mode: .log, terminal: false, total: nil)
        harness.advance(line, by: 1, seconds: 10)
        harness.advance(line, by: 1, seconds: 25)
        harness.advance(line, by: 1, seconds: 10)
        #expect(harness.written == ["encode test  2  0.1 images/s  0:35 elapsed\n"])
    }
}
