import Testing
import VLTestSupport
@testable import VLTensor

/// Gradients of scalar `f` with respect to each of `inputs`.
private func inputGradients(at inputs: [Tensor], _ f: ([Tensor]) -> Tensor) -> [Tensor] {
    let leaves = inputs.map { $0.requiringGradient() }
    let gradients = f(leaves).gradients()
    return leaves.map { gradients.gradient(for: $0) }
}

@Suite("non-fused ops against PyTorch fixtures")
struct OpsBasicParityTests {
    @Test("gelu (exact erf form) and quickGELU forward and backward")
    func gelu() throws {
        let f = try Fixture("ops_basic/gelu")
        expectClose(f["x"].gelu(), f["y"], .forward, "gelu")
        expectClose(f["x"].quickGELU(), f["quick_y"], .forward, "quickGELU")
        let dx = inputGradients(at: [f["x"]]) { ($0[0].gelu() * f["dy"]).sum() }
        expectClose(dx[0], f["dx"], .gradient, "gelu dx")
        let quickDx = inputGradients(at: [f["x"]]) { ($0[0].quickGELU() * f["dy"]).sum() }
        expectClose(quickDx[0], f["quick_dx"], .gradient, "quickGELU dx")
    }

    @Test("logSumExp along inner and last axes, with a slice far above exp's range", arguments: [1, 2])
    func logSumExp(axis: Int) throws {
        let f = try Fixture("ops_basic/logsumexp")
        expectClose(f["x"].logSumExp(alongAxis: axis), f["y_axis\(axis)"], .forward)
        let dx = inputGradients(at: [f["x"]]) {
            ($0[0].logSumExp(alongAxis: axis) * f["dy_axis\(axis)"]).sum()
        }
        expectClose(dx[0], f["dx_axis\(axis)"], .gradient)
    }

    @Test(
        "crossEntropy with and without label smoothing",
        arguments: [("", 0), ("_smoothed", 0.1)] as [(String, Float)])
    func crossEntropy(suffix: String, smoothing: Float) throws {
        let f = try Fixture("ops_basic/cross_entropy")
        let labels = f.integers("labels")
        let loss = { (inputs: [Tensor]) in
            Tensor.crossEntropy(logits: inputs[0], labels: labels, labelSmoothing: smoothing)
        }
        expectClose(loss([f["logits"]]), f["loss\(suffix)"], .forward)
        expectClose(inputGradients(at: [f["logits"]], loss)[0], f["dlogits\(suffix)"], .gradient)
    }

    @Test("klDivergence in the batchmean (temperature 2), PromptSRC and probability-target forms")
    func klDivergence() throws {
        let f = try Fixture("ops_basic/kl_divergence")
        let inputs = [f["logits"], f["target_logits"]]
        let forms: [(String, ([Tensor]) -> Tensor)] = [
            ("batchmean_t2", { Tensor.klDivergence(logits: $0[0], targetLogits: $0[1], temperature: 2) }),
            ("promptsrc", { Tensor.klDivergence(logits: $0[0], targetLogits: $0[1], reduction: .mean) }),
        ]
        for (name, loss) in forms {
            expectClose(loss(inputs), f[name], .forward, name)
            let g = inputGradients(at: inputs, loss)
            expectClose(g[0], f["\(name)_dlogits"], .gradient, "\(name) dlogits")
            expectClose(g[1], f["\(name)_dtarget_logits"], .gradient, "\(name) dtarget_logits")
        }
        let probabilities = f["probabilities"]
        let probabilityForm = { (inputs: [Tensor]) in inputs[0].klDivergence(target: probabilities) }
        expectClose(probabilityForm([f["log_q"]]), f["probability_target"], .forward, "probability target")
        expectClose(
            inputGradients(at: [f["log_q"]], probabilityForm)[0], f["probability_target_dlog_q"],
            .gradient, "probability target dlog_q")
    }

    @Test("sinkhorn reproduces PLOT's transport plans and scores")
    func sinkhorn() throws {
        let f = try Fixture("ops_basic/sinkhorn")
        let cost = f["cost"]
        let plan = Tensor.sinkhorn(cost: cost.detached(), epsilon: 0.1, maximumIterations: 100, threshold: 0.01)
        expectClose(plan, f["plan"], .forward, "plan")
        let score = (plan * (1 - cost)).sum(alongAxes: [1, 2]).reshaped(f["score"].shape)
        expectClose(score, f["score"], .forward, "score")
    }
}
