// A one-line progress report on stderr for long work (encoding, training, evaluation):
// items done, rate and time left. Redraws in place with `\r` only when stderr is a terminal.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thread-safe progress line: `encode test  3,200/8,100  412.3 images/s  0:12 left`.
///
/// On a terminal the line is redrawn in place at most every ``ProgressLine/Style/redrawInterval``
/// seconds; when standard error is not a terminal (a pipe, a log file, CI) ``Mode/automatic``
/// prints nothing. ``Mode/log`` asks for plain lines anyway: one at each tenth of the total and at
/// most every ``ProgressLine/Style/logInterval`` seconds, so logs stay short. ``Mode/quiet`` prints
/// nothing. Any module may use it; it depends on Foundation only.
public final class ProgressLine: Sendable {
    /// Where the line goes and how it is drawn.
    public enum Mode: Sendable, Equatable {
        /// Redraw in place when the output is a terminal, nothing otherwise.
        case automatic
        /// Always redraw in place with `\r`.
        case terminal
        /// Always write plain lines.
        case log
        /// Write nothing.
        case quiet
    }

    /// Timing of updates, in seconds.
    public struct Style: Sendable {
        /// The shortest time between two in-place redraws.
        public var redrawInterval: Double = 0.1
        /// The shortest time between two plain log lines (tenths of the total always print).
        public var logInterval: Double = 30

        /// The default timing.
        public init() {}
    }

    private struct State {
        var done = 0
        var lastDrawTime = -Double.infinity
        var lastLoggedTenth = 0
        var finished = false
        var lineWidth = 0
    }

    private let label: String
    private let total: Int?
    private let unit: String
    private let inPlace: Bool
    private let quiet: Bool
    private let style: Style
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Double
    private let start: Double
    private let state = Mutex(State())

    /// Creates a progress line for `total` items (or an unknown total) written to stderr.
    ///
    /// - Parameters:
    ///   - label: what is being done, e.g. `encode test`.
    ///   - total: the number of items, or `nil` when unknown (no time left is shown).
    ///   - unit: the plural noun for the rate, e.g. `images`.
    ///   - mode: terminal detection, forced styles or quiet.
    public convenience init(
        _ label: String, total: Int?, unit: String = "items", mode: Mode = .automatic,
        style: Style = Style()
    ) {
        let terminal = isatty(STDERR_FILENO) == 1
        self.init(
            label, total: total, unit: unit, mode: mode, style: style, outputIsTerminal: terminal,
            write: { text in FileHandle.standardError.write(Data(text.utf8)) },
            now: { ProgressLine.monotonicSeconds() })
    }

    /// Creates a progress line with an injected output and clock (tests use this).
    ///
    /// - Parameters:
    ///   - outputIsTerminal: whether `.automatic` should redraw in place.
    ///   - write: receives every piece of text the line prints.
    ///   - now: the current time in seconds on any monotonic clock.
    public init(
        _ label: String, total: Int?, unit: String = "items", mode: Mode = .automatic,
        style: Style = Style(), outputIsTerminal: Bool,
        write: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Double
    ) {
        self.label = label
        self.total = total.map { max(0, $0) }
        self.unit = unit
        self.quiet = mode == .quiet || (mode == .automatic && !outputIsTerminal)
        self.inPlace = mode == .terminal || (mode == .automatic && outputIsTerminal)
        self.style = style
        self.write = write
        self.now = now
        self.start = now()
    }

    /// Items counted so far.
    public var done: Int { state.withLock { $0.done } }

    /// Counts `count` more finished items and redraws when it is time to.
    public func advance(by count: Int = 1) {
        guard !quiet else { return }
        let text: String? = state.withLock { state in
            guard !state.finished else { return nil }
            state.done += count
            let time = now()
            return shouldDraw(&state, at: time) ? render(done: state.done, at: time) : nil
        }
        if let text { emit(text, final: false) }
    }

    /// Prints the final line (with a newline) once; later calls do nothing.
    public func finish() {
        guard !quiet else { return }
        let text: String? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            return render(done: state.done, at: now())
        }
        if let text { emit(text, final: true) }
    }

    // MARK: - Drawing

    private func shouldDraw(_ state: inout State, at time: Double) -> Bool {
        if inPlace {
            guard time - state.lastDrawTime >= style.redrawInterval else { return false }
            state.lastDrawTime = time
            return true
        }
        if let total, total > 0 {
            let tenth = min(10, state.done * 10 / total)
            if tenth > state.lastLoggedTenth {
                state.lastLoggedTenth = tenth
                state.lastDrawTime = time
                return true
            }
        }
        guard time - state.lastDrawTime >= style.logInterval, time - start >= style.logInterval
        else { return false }
        state.lastDrawTime = time
        return true
    }

    private func emit(_ text: String, final: Bool) {
        guard inPlace else { return write(text + "\n") }
        let padded = state.withLock { state -> String in
            let padding = max(0, state.lineWidth - text.count)
            state.lineWidth = text.count
            return text + String(repeating: " ", count: padding)
        }
        write("\r" + padded + (final ? "\n" : ""))
    }

    /// The text of the line for `done` items at `time`.
    func render(done: Int, at time: Double) -> String {
        let elapsed = max(0, time - start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var parts = [label]
        if let total {
            parts.append("\(Self.grouped(done))/\(Self.grouped(total))")
        } else {
            parts.append(Self.grouped(done))
        }
        parts.append(String(format: "%.1f", rate) + " \(unit)/s")
        if let total, rate > 0, done < total {
            parts.append("\(Self.clock(Double(total - done) / rate)) left")
        } else {
            parts.append("\(Self.clock(elapsed)) elapsed")
        }
        return parts.joined(separator: "  ")
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Seconds as `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.isFinite ? max(0, seconds.rounded()) : 0)
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, secs)
            : String(format: "%d:%02d", minutes, secs)
    }

    private static let origin = ContinuousClock.now

    /// Seconds on the monotonic clock since the first progress line of the process.
    static func monotonicSeconds() -> Double {
        let elapsed = origin.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}
