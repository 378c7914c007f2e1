#!/usr/bin/env python3
"""Writes test/models/moe_bf16: the bf16 Mixtral-style MoE block of the GPU
benchmark (bench/gpu/models/moe_block.onnx, exported by torch.onnx.export
with the dynamo exporter at opset 18: router Softmax and TopK in bf16, the
renormalisation and the per-expert weights summed in f32 between Casts, a
CastLike'd zeros_like, 8 SwiGLU experts, weights as graph inputs), with its
shapes made small: T tokens, hidden D, ffn F. The graph is the exported one;
only the declared shapes and the Reshape targets change.

The reference evaluates the ONNX graph exactly as ONNX defines it: every op
computes from its bf16 inputs in float64 and rounds its result to its output
type (bf16 ops to bf16, f32 ops to f32), to nearest even, except Cast from
f32 to bf16, which truncates (opset 18: the rounding is left open and
ONNX's reference truncates, as Loom's importer does before opset 19). The
tokens are drawn so that their routing does not depend on precision: the 2nd
and 3rd largest router probabilities differ by far more than a bf16 rounding
(in both the bf16 graph and an f32 evaluation), so an implementation that
routes in f32 picks the same experts. test_data_set_1 holds the opposite:
tokens whose k-th and (k+1)-th router probabilities tie after the graph's
bf16 rounding but not in f32, so that only routing on the graph's rounded
probabilities with TopK's tie rule (the lower index first) matches the
reference there; routing in f32 misses it by far more than the tolerance.
The same computation
in torch (export_models.MoEBlock's forward, bf16 on the CPU) is compared too,
as a cross-check of the evaluator.

An implementation may differ from the reference by about one bf16 rounding
of the output (its matmuls sum in another order, it may keep the routing
weights in f32): `tolerance` holds the loom-run bounds run_models.sh uses.

  /usr/bin/python3 test/models/make_moe_bf16.py
  (MOE_BF16_SHAPE=T,D,F and MOE_BF16_OUT=DIR write another size elsewhere.)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

E, K = 8, 2
# Tokens, hidden, ffn: small enough to commit (the weights are inputs).
T, D, F = (int(v) for v in os.environ.get("MOE_BF16_SHAPE", "64,64,128").split(","))
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "bench", "gpu", "models", "moe_block.onnx")


def bf16_bits(x):
    """float -> bf16 bit patterns, round to nearest even (NaN kept NaN)."""
    x = np.asarray(x, dtype=np.float32)
    bits = x.reshape(-1).view(np.uint32).astype(np.uint64)
    rounded = ((bits + np.uint64(0x7FFF) + ((bits >> np.uint64(16)) & np.uint64(1)))
               >> np.uint64(16)).astype(np.uint16)
    return rounded.reshape(x.shape)


def bf16_value(bits):
    wide = bits.reshape(-1).astype(np.uint32) << np.uint32(16)
    return wide.view(np.float32).astype(np.float64).reshape(bits.shape)


def bf16(x):
    return bf16_value(bf16_bits(x))


def small_model():
    m = onnx.load(SOURCE)
    g = m.graph
    dims = {"x": [1, T, D], "gate.weight": [E, D]}
    for inp in g.input:
        if inp.name.startswith(("w1.", "w3.")):
            dims[inp.name] = [F, D]
        elif inp.name.startswith("w2."):
            dims[inp.name] = [D, F]
    for vi in list(g.input) + list(g.output):
        shape = dims.get(vi.name, [1, T, D])
        for d, v in zip(vi.type.tensor_type.shape.dim, shape):
            d.dim_value = v
    del g.value_info[:]
    # The Reshape targets: [-1, 2048] and [1, 4096, 2048].
    for n in g.node:
        if n.op_type == "Constant" and n.attribute[0].name == "value_ints":
            ints = list(n.attribute[0].ints)
            if ints == [2048]:
                n.attribute[0].ints[:] = [D]
            elif ints == [4096]:
                n.attribute[0].ints[:] = [T]
    # (onnx 1.12 here: its checker predates this IR version and opset 18.)
    return m


def evaluate(model, feeds, f32_router=False):
    """The graph op by op; values are float64 holding bf16 / f32 values.
    With f32_router, Softmax and TopK see unrounded f32 values (what an
    implementation routing in f32 would compute)."""
    env = dict(feeds)
    kinds = {k: TensorProto.BFLOAT16 for k in feeds}

    def rnd(v, t):
        return bf16(v) if t == TensorProto.BFLOAT16 else \
            v.astype(np.float32).astype(np.float64) if t == TensorProto.FLOAT else v

    for n in model.graph.node:
        ins = [env.get(i) for i in n.input]
        at = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        t = kinds.get(n.input[0]) if n.input else None
        op = n.op_type
        if op == "Constant":
            a = n.attribute[0]
            out = [numpy_helper.to_array(a.t) if a.name == "value" else np.array(a.ints)]
            t = TensorProto.INT64
        elif op == "Concat":
            out = [np.concatenate(ins, axis=at["axis"])]
        elif op == "Reshape":
            out = [ins[0].reshape(ins[1])]
        elif op == "Gemm":
            out = [rnd(ins[0] @ ins[1].T, t)]
        elif op == "Softmax":
            x = ins[0] - ins[0].max(-1, keepdims=True)
            s = np.exp(x)
            out = [s / s.sum(-1, keepdims=True)]
            if not f32_router:
                out[0] = rnd(out[0], t)
        elif op == "TopK":
            k = int(ins[1][0])
            # Largest first; ties: the lower index first (ONNX).
            idx = np.argsort(-ins[0], axis=-1, kind="stable")[:, :k]
            out = [np.take_along_axis(ins[0], idx, -1), idx.astype(np.int64)]
            kinds[n.output[1]] = TensorProto.INT64
        elif op == "Cast":
            t = at["to"]
            v = ins[0].astype(np.float64)
            if t == TensorProto.BFLOAT16 and kinds[n.input[0]] == TensorProto.FLOAT:
                # Before opset 19 Cast leaves the rounding open and ONNX's
                # reference (and Loom) drop the low 16 bits of the f32.
                bits = v.astype(np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
                out = [bits.view(np.float32).astype(np.float64)]
            else:
                out = [rnd(v, t)]
        elif op == "CastLike":
            t = kinds[n.input[1]]
            out = [rnd(np.asarray(ins[0], np.float64), t)]
        elif op == "ReduceSum":
            out = [rnd(ins[0].sum(axis=tuple(ins[1]), keepdims=True), t)]
        elif op in ("Div", "Mul", "Add"):
            f = {"Div": np.divide, "Mul": np.multiply, "Add": np.add}[op]
            out = [rnd(f(ins[0], ins[1]), t)]
        elif op == "Shape":
            out = [np.array(ins[0].shape, np.int64)]
            t = TensorProto.INT64
        elif op == "Expand":
            out = [np.broadcast_to(ins[0], tuple(ins[1])).copy()]
        elif op == "Equal":
            out = [ins[0] == ins[1]]
            t = TensorProto.BOOL
        elif op == "Sigmoid":
            out = [rnd(1 / (1 + np.exp(-ins[0])), t)]
        else:
            sys.exit(f"evaluate: no rule for {op}")
        for name, v in zip(n.output, out):
            env[name] = v
            kinds.setdefault(name, t)
    return env[model.graph.output[0].name]


def router_margin(x, gate):
    """Per token: the gap between the k-th and (k+1)-th router probability,
    in the bf16 graph and in f32, and whether both pick the same experts."""
    h = x.reshape(-1, D)
    logits = h @ gate.T
    gaps, same = [], []
    for exact in (False, True):
        lg = logits if exact else bf16(logits)
        p = np.exp(lg - lg.max(-1, keepdims=True))
        p = p / p.sum(-1, keepdims=True)
        if not exact:
            p = bf16(p)
        srt = -np.sort(-p, axis=-1)
        gaps.append(srt[:, K - 1] - srt[:, K])
        same.append(np.argsort(-p, axis=-1, kind="stable")[:, :K])
    agree = (np.sort(same[0], -1) == np.sort(same[1], -1)).all(-1)
    return np.minimum(gaps[0], gaps[1]), agree


def main():
    model = small_model()
    rng = np.random.default_rng(11)
    # nn.Linear's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    w = {}
    for inp in model.graph.input:
        if inp.name == "x":
            continue
        shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        w[inp.name] = bf16(rng.uniform(-1, 1, shape) / np.sqrt(shape[1]))
    # Tokens with a clear routing margin (redrawn until each has one); the
    # gate is scaled up a little so that the router's choice is not flat.
    w["gate.weight"] = bf16(w["gate.weight"] * 4)
    x = bf16(rng.standard_normal((1, T, D)))
    for _ in range(200):
        gap, agree = router_margin(x, w["gate.weight"])
        bad = (gap < 2e-2) | ~agree
        if not bad.any():
            break
        x[0, bad] = bf16(rng.standard_normal((int(bad.sum()), D)))
    else:
        sys.exit("could not draw tokens with a clear routing margin")

    # Tokens whose bf16 routing ties at the k-th place and goes another way
    # than an f32 routing: drawn in bulk, those kept.
    ties = []
    while sum(len(t) for t in ties) < T:
        cand = bf16(rng.standard_normal((1, 4096, D)))
        gap, agree = router_margin(cand, w["gate.weight"])
        ties.append(cand[0, ~agree])
    x_ties = np.concatenate(ties)[:T].reshape(1, T, D)

    feeds = {"x": x, **w}
    ref = evaluate(model, feeds)
    ref32 = evaluate(model, feeds, f32_router=True)
    scale = np.abs(ref).max()
    print(f"reference: max |y| {scale:.3f}; routing in f32 instead changes it by "
          f"{np.abs(ref32 - ref).max() / scale:.2e} of that")
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        # export_models.MoEBlock's forward (the module the graph came from).
        tw = {k: torch.tensor(v).to(torch.bfloat16) for k, v in w.items()}
        with torch.no_grad():
            h = torch.tensor(x).to(torch.bfloat16).reshape(-1, D)
            probs = torch.softmax(h @ tw["gate.weight"].T, dim=-1)
            top_w, top_i = torch.topk(probs, K, dim=-1)
            top_w = top_w / top_w.sum(dim=-1, keepdim=True)
            out = torch.zeros_like(h)
            for e in range(E):
                weight = (top_w * (top_i == e)).sum(dim=-1, keepdim=True)
                a = h @ tw[f"w1.{e}.weight"].T
                y = (torch.nn.functional.silu(a) * (h @ tw[f"w3.{e}.weight"].T)) \
                    @ tw[f"w2.{e}.weight"].T
                out = out + weight * y
        y = out.float().numpy().reshape(ref.shape)
        print(f"torch {torch.__version__} (bf16, CPU) vs reference: max abs diff "
              f"{np.abs(y - ref).max() / scale:.2e} of max |y|")
    case = os.environ.get("MOE_BF16_OUT", os.path.join(HERE, "moe_bf16"))
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))

    def tensor(name, v):
        t = TensorProto(name=name, data_type=TensorProto.BFLOAT16, dims=v.shape)
        t.raw_data = bf16_bits(v).astype("<u2").tobytes()
        return t

    def write(data, feeds, ref):
        os.makedirs(data, exist_ok=True)
        for i, inp in enumerate(model.graph.input):
            with open(os.path.join(data, f"input_{i}.pb"), "wb") as f:
                f.write(tensor(inp.name, feeds[inp.name]).SerializeToString())
        with open(os.path.join(data, "output_0.pb"), "wb") as f:
            f.write(tensor(model.graph.output[0].name, ref).SerializeToString())

    write(data, feeds, ref)
    feeds_ties = {**feeds, "x": x_ties}
    ref_ties = evaluate(model, feeds_ties)
    ref_ties32 = evaluate(model, feeds_ties, f32_router=True)
    err = np.abs(ref_ties32 - ref_ties)
    bound = 2e-3 + 1e-2 * np.abs(ref_ties)
    print(f"ties: routing in f32 misses the reference on {int((err > bound).any(-1).sum())} "
          f"of {T} tokens (max abs diff {err.max():.3f})")
    if not (err > bound).any():
        sys.exit("the tied tokens do not tell f32 routing from the graph's")
    write(os.path.join(case, "test_data_set_1"), feeds_ties, ref_ties)
    with open(os.path.join(case, "tolerance"), "w") as f:
        f.write("--rtol 1e-2 --atol 2e-3\n")
    print(f"wrote {case}")


if __name__ == "__main__":
    main()
