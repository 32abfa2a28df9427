import Testing
@testable import VLTensor

@Suite("seeded random numbers")
struct RandomTests {
    @Test("the same seed gives the same values, a different seed different ones")
    func reproducible() {
        #expect(Tensor.normal([100], seed: 5).array == Tensor.normal([100], seed: 5).array)
        #expect(Tensor.normal([100], seed: 5).array != Tensor.normal([100], seed: 6).array)
    }

    @Test("normal draws have about the right mean and spread")
    func normalMoments() {
        let x = Tensor.normal([20_000], mean: 1, standardDeviation: 2, seed: 3).array
        let mean = x.reduce(0, +) / Float(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(x.count)
        #expect(abs(mean - 1) < 0.05)
        #expect(abs(variance.squareRoot() - 2) < 0.05)
    }
}
