// The CPU check that runs before any numeric code: on x86-64 the numeric modules are compiled
// for AVX2 and FMA (Package.swift, vectorFlags), which an older CPU cannot execute. Without this
// check such a CPU would die on an illegal instruction with no word of why.

import Foundation

enum CPUFeatures {
    /// The instruction-set extensions this build's numeric modules use (empty for a portable
    /// build and on ARM64).
    static var required: [String] {
        #if VLPROMPT_AVX2_FMA
            ["avx2", "fma"]
        #else
            []
        #endif
    }

    /// The extensions in `required` that /proc/cpuinfo's `flags` line does not list; empty where
    /// there is no such file (the check is then left to the kernel).
    static func missing(cpuinfo path: String = "/proc/cpuinfo") -> [String] {
        guard !required.isEmpty, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return []
        }
        return missing(fromCPUInfo: text)
    }

    /// The required extensions absent from the first `flags` line of a /proc/cpuinfo text.
    static func missing(fromCPUInfo text: String) -> [String] {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return required.filter { !flags.contains($0) }
    }

    /// Exits with status 1 and a message naming the missing extensions if this CPU cannot run
    /// the build.
    static func requireSupported() {
        let absent = missing()
        guard !absent.isEmpty else { return }
        FileHandle.standardError.write(
            Data(("vlprompt: this build uses x86-64 instructions this CPU lacks (\(absent.joined(separator: ", "))); "
                + "rebuild for any x86-64 CPU with VLPROMPT_PORTABLE=1 swift build -c release\n").utf8))
        exit(1)
    }
}
