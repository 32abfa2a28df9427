import Testing
import VLTestSupport

@testable import VLTensor

/// The fused ops against PyTorch (tools/fixtures/ops_fused.py): forward within `.forward`,
/// gradients of `(op(inputs) · dy).sum()` within `.gradient`.
@Suite("fused ops match PyTorch")
struct FusedOpParityTests {
    @Test("layer norm")
    func layerNorm() throws {
        let f = try Fixture("ops_fused/layernorm")
        expectClose(f["x"].layerNorm(weight: f["weight"], bias: f["bias"]), f["y"], .forward)
        let g = weightedGradients(
            of: { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }, at: [f["x"], f["weight"], f["bias"]],
            seed: f["dy"])
        expectClose(g[0], f["dx"], .gradient, "dx")
        expectClose(g[1], f["dweight"], .gradient, "dweight")
        expectClose(g[2], f["dbias"], .gradient, "dbias")
    }

    @Test("softmax along the last axis and along axis 1")
    func softmax() throws {
        let f = try Fixture("ops_fused/softmax")
        expectClose(f["x"].softmax(), f["y"], .forward)
        expectClose(
            weightedGradients(of: { $0[0].softmax() }, at: [f["x"]], seed: f["dy"])[0], f["dx"], .gradient)
        expectClose(f["x"].softmax(alongAxis: 1), f["y_axis1"], .forward)
        expectClose(
            weightedGradients(of: { $0[0].softmax(alongAxis: 1) }, at: [f["x"]], seed: f["dy_axis1"])[0],
            f["dx_axis1"], .gradient)
    }

    @Test("log-softmax")
    func logSoftmax() throws {
        let f = try Fixture("ops_fused/log_softmax")
        expectClose(f["x"].logSoftmax(), f["y"], .forward)
        expectClose(
            weightedGradients(of: { $0[0].logSoftmax() }, at: [f["x"]], seed: f["dy"])[0], f["dx"], .gradient)
    }

    @Test("attention, with and without the causal mask", arguments: [false, true])
    func attention(causal: Bool) throws {
        let f = try Fixture(causal ? "ops_fused/attention_causal" : "ops_fused/attention")
        let inputs = [f["q"], f["k"], f["v"]]
        let op = { (x: [Tensor]) in Tensor.attention(query: x[0], key: x[1], value: x[2], causal: causal) }
        expectClose(op(inputs), f["y"], .forward)
        let g = weightedGradients(of: op, at: inputs, seed: f["dy"])
        expectClose(g[0], f["dq"], .gradient, "dq")
        expectClose(g[1], f["dk"], .gradient, "dk")
        expectClose(g[2], f["dv"], .gradient, "dv")
    }

    @Test("patch embedding (conv2d with stride = kernel, remainder dropped)")
    func patchEmbedding() throws {
        let f = try Fixture("ops_fused/patch_embedding")
        let op = { (x: [Tensor]) in x[0].patchEmbedding(weight: x[1], patchSize: 4) }
        expectClose(op([f["x"], f["weight"]]), f["y"], .forward)
        let g = weightedGradients(of: op, at: [f["x"], f["weight"]], seed: f["dy"])
        expectClose(g[0], f["dx"], .gradient, "dx")
        expectClose(g[1], f["dweight"], .gradient, "dweight")
    }
}
