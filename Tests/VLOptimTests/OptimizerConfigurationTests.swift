import Foundation
import Testing
import VLTensor
@testable import VLOptim

@Suite("optimizer configuration")
struct OptimizerConfigurationTests {
    static func decode(_ json: String) throws -> OptimizerConfiguration {
        try JSONDecoder().decode(OptimizerConfiguration.self, from: Data(json.utf8))
    }

    @Test("absent options take PyTorch's defaults for the named optimizer")
    func defaults() throws {
        #expect(try Self.decode(#"{"sgd": {"momentum": 0.9, "weightDecay": 5e-4}}"#) == .sgd(.dassl))
        #expect(try Self.decode(#"{"sgd": {}}"#) == .sgd(SGD.Options()))
        #expect(try Self.decode(#"{"adam": {"epsilon": 1e-3}}"#) == .adam(AdamOptions(epsilon: 1e-3)))
        #expect(try Self.decode(#"{"adamw": {}}"#) == .adamW(AdamOptions(weightDecay: 0.01)))
    }

    @Test("configurations round-trip through JSON")
    func roundTrip() throws {
        let configurations: [OptimizerConfiguration] = [
            .sgd(SGD.Options(momentum: 0.8, dampening: 0, weightDecay: 1e-4, nesterov: true)),
            .adam(AdamOptions(beta1: 0.8, beta2: 0.99, epsilon: 1e-3, weightDecay: 5e-4)),
            .adamW(.adamW),
        ]
        for configuration in configurations {
            let data = try JSONEncoder().encode(configuration)
            #expect(try JSONDecoder().decode(OptimizerConfiguration.self, from: data) == configuration)
        }
    }

    @Test(
        "bad values fail to decode, naming the option",
        arguments: [
            (#"{"sgd": {"momentum": -0.1}}"#, "momentum = -0.1"),
            (#"{"sgd": {"nesterov": true}}"#, "nesterov = true"),
            (#"{"adam": {"beta2": 1.0}}"#, "beta2 = 1.0"),
            (#"{"adamw": {"weightDecay": -1}}"#, "weightDecay = -1.0"),
            (#"{"rmsprop": {}}"#, "exactly one key of sgd, adam, adamw"),
            (#"{"sgd": {}, "adam": {}}"#, "exactly one key"),
        ])
    func rejectsBadValues(json: String, message: String) {
        do {
            _ = try Self.decode(json)
            Issue.record("\(json) was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("makeOptimizer builds the named optimizer, or throws for bad options")
    func makesOptimizer() throws {
        #expect(try OptimizerConfiguration.sgd(.dassl).makeOptimizer() is SGD)
        #expect(try OptimizerConfiguration.adam(AdamOptions()).makeOptimizer() is Adam)
        #expect(try OptimizerConfiguration.adamW(.adamW).makeOptimizer() is AdamW)
        #expect(
            throws: OptimizerConfigurationError(
                option: "beta1", value: "1.5", requirement: "in [0, 1)")
        ) {
            try OptimizerConfiguration.adamW(AdamOptions(beta1: 1.5)).makeOptimizer()
        }
    }
}
