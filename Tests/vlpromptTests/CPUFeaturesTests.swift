// The start-up check for the instruction-set extensions the numeric modules are compiled for.

import Testing

@testable import vlprompt

@Suite struct CPUFeaturesTests {
    @Test func cpuWithoutTheExtensionsMissesAllOfThem() {
        let text = "processor\t: 0\nflags\t\t: fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx\n"
        #expect(CPUFeatures.missing(fromCPUInfo: text) == CPUFeatures.required)
    }

    @Test func cpuWithTheExtensionsMissesNone() {
        let text = "processor\t: 0\nflags\t\t: fpu sse sse2 avx fma bmi1 avx2 bmi2\nbugs\t\t: spectre_v1\n"
        #expect(CPUFeatures.missing(fromCPUInfo: text).isEmpty)
    }

    @Test func onlyTheFirstFlagsLineIsRead() {
        let text = "flags\t: fma\nflags\t: avx2 fma\n"
        #expect(CPUFeatures.missing(fromCPUInfo: text) == CPUFeatures.required.filter { $0 != "fma" })
    }

    @Test func textWithoutFlagsIsLeftToTheKernel() {
        #expect(CPUFeatures.missing(fromCPUInfo: "processor\t: 0\nvendor_id\t: ARM\n").isEmpty)
    }

    @Test func thisBuildOnX86UsesAVX2AndFMA() {
        #if arch(x86_64) && VLPROMPT_AVX2_FMA
            #expect(CPUFeatures.required == ["avx2", "fma"])
        #else
            #expect(CPUFeatures.required.isEmpty)
        #endif
    }
}
