import Foundation
import Testing
import VLTestSupport
@testable import VLOptim

@Suite("learning-rate schedules")
struct LearningRateScheduleTests {
    static func expectRate(
        _ actual: Double, _ expected: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            Tolerance.doublePrecision.accepts(actual, expected), "\(label): \(actual) vs \(expected)",
            sourceLocation: sourceLocation)
    }

    @Test("CoOp's schedule: epoch 0 at 1e-5, then cosine from 0.002 restarting after warm-up")
    func dasslConstantWarmup() {
        let schedule = LearningRateSchedule.dassl(baseLearningRate: 0.002, maximumEpoch: 10)
        #expect(schedule.learningRate(epoch: 0) == 1e-5)
        #expect(schedule.learningRate(epoch: 1) == 0.002)  // cos 0 = 1
        Self.expectRate(schedule.learningRate(epoch: 6), 0.001, "epoch 6: cos(π/2)")
        Self.expectRate(
            schedule.learningRate(epoch: 9), 0.002 * 0.5 * (1 + cos(0.8 * Double.pi)), "epoch 9")
        // The last epoch (9) still trains at a positive rate; the zero would come at epoch 11.
        #expect(schedule.learningRate(epoch: 9) > 1e-4)
        Self.expectRate(schedule.learningRate(epoch: 11), 0, "epoch 11: cos π")
        // Stepping per epoch ignores the iteration.
        #expect(
            schedule.learningRate(epoch: 3, iteration: 7, iterationsPerEpoch: 10)
                == schedule.learningRate(epoch: 3))
    }

    @Test("longer constant warm-up holds its rate for every warm-up epoch")
    func longerWarmup() {
        let schedule = LearningRateSchedule.dassl(
            baseLearningRate: 0.0035, maximumEpoch: 5, warmupEpochs: 2, warmupLearningRate: 1e-4)
        #expect([0, 1].map { schedule.learningRate(epoch: $0) } == [1e-4, 1e-4])
        #expect(schedule.learningRate(epoch: 2) == 0.0035)
        Self.expectRate(
            schedule.learningRate(epoch: 4), 0.0035 * 0.5 * (1 + cos(0.4 * Double.pi)), "epoch 4")
    }

    @Test("linear warm-up starts at its start rate, then climbs as lr·t/W")
    func linearWarmup() {
        let schedule = LearningRateSchedule(
            baseLearningRate: 0.01, decay: .cosine(steps: 20),
            warmup: .linear(steps: 4, startLearningRate: 1e-5))
        #expect(schedule.learningRate(epoch: 0) == 1e-5)
        for (epoch, expected) in [(1, 0.0025), (2, 0.005), (3, 0.0075), (4, 0.01)] {
            Self.expectRate(schedule.learningRate(epoch: epoch), expected, "epoch \(epoch)")
        }
    }

    @Test("DAPL steps per iteration, so its 25-step cosine cycles every 50 iterations")
    func perIteration() {
        let schedule = LearningRateSchedule(
            baseLearningRate: 3e-3, decay: .cosine(steps: 25),
            warmup: .linear(steps: 1, startLearningRate: 1e-5), stepping: .perIteration)
        #expect(schedule.learningRate(epoch: 0, iteration: 0, iterationsPerEpoch: 40) == 1e-5)
        #expect(schedule.learningRate(epoch: 0, iteration: 1, iterationsPerEpoch: 40) == 3e-3)
        // Global step 26 = 25 after warm-up: the bottom of the cosine.
        Self.expectRate(
            schedule.learningRate(epoch: 0, iteration: 26, iterationsPerEpoch: 40), 0, "bottom")
        // Global step 51 = 50 after warm-up: back at the top.
        Self.expectRate(
            schedule.learningRate(epoch: 1, iteration: 11, iterationsPerEpoch: 40), 3e-3, "top")
        Self.expectRate(
            schedule.learningRate(epoch: 1, iteration: 0, iterationsPerEpoch: 40),
            3e-3 * 0.5 * (1 + cos(Double.pi * 39 / 25)), "step 40")
    }

    @Test("a constant schedule never changes")
    func constant() {
        let schedule = LearningRateSchedule.constant(0.03)
        #expect([0, 1, 100].map { schedule.learningRate(epoch: $0) } == [0.03, 0.03, 0.03])
    }

    @Test("schedules round-trip through JSON and bad values name the key")
    func coding() throws {
        let schedules: [LearningRateSchedule] = [
            .dassl(baseLearningRate: 0.002, maximumEpoch: 50), .constant(0.1),
            LearningRateSchedule(
                baseLearningRate: 3e-3, decay: .cosine(steps: 25),
                warmup: .linear(steps: 1, startLearningRate: 1e-5), stepping: .perIteration),
        ]
        for schedule in schedules {
            let decoded = try JSONDecoder().decode(
                LearningRateSchedule.self, from: JSONEncoder().encode(schedule))
            #expect(decoded == schedule)
        }
        let minimal = #"{"baseLearningRate": 0.002, "decay": {"cosine": {"steps": 10}}}"#
        let decoded = try JSONDecoder().decode(LearningRateSchedule.self, from: Data(minimal.utf8))
        #expect(decoded == LearningRateSchedule(baseLearningRate: 0.002, decay: .cosine(steps: 10)))

        let bad = #"{"baseLearningRate": 0.002, "decay": {"cosine": {"steps": 0}}}"#
        do {
            _ = try JSONDecoder().decode(LearningRateSchedule.self, from: Data(bad.utf8))
            Issue.record("a cosine of 0 steps was accepted")
        } catch {
            #expect("\(error)".contains("decay.cosine.steps = 0"))
        }
    }
}
