#!/usr/bin/python3
# ===- bench_moe.py - The MoE block raised to loom_moe vs the dense graph -===#
#
# Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
#
# ===-----------------------------------------------------------------------===#
#
# Writes a Mixtral-style sparse MoE block with onnx.helper, in the form
# torch.onnx.export gives it (router Gemm, Softmax, TopK, renormalisation,
# then every expert's SwiGLU FFN over all tokens scaled by
# ReduceSum(topk_w * Cast(topk_i == e)) and summed), with a numpy reference
# as test_data_set_0. Compiles it twice with loomc: as is (loom-raise-moe
# turns it into loom_moe.route/dispatch/grouped_matmul/combine) and with
# --no-raise (dense: every expert over every token). Checks both against
# the reference and times both with `loom-run --bench`.
#
#   scripts/bench_moe.py [--build build] [--tokens 128] [--hidden 256]
#                        [--ffn 512] [--experts 8] [--top-k 2] [--runs 10]
#                        [--repeat 1]
#
# The dense graph does E expert FFNs per token, the raised one k, so the
# ideal speedup of the expert work is E/k (the router, the dispatch and the
# combine are not counted in that ratio). The raised form also reads the
# weights stacked as [E, K, N]; with --matmul the dense experts are MatMul
# nodes on [K, N] weights, the same layout, which isolates the routing gain
# from the layout gain over the exported Gemm-with-transB form.
#
#   scripts/bench_moe.py [--matmul] ...
#
# ===-----------------------------------------------------------------------===#

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def moe_model(T, d, f, E, k, rng, matmul=False):
    nodes, inits = [], []
    w = {}

    def init(name, arr, transposed=False):
        w[name] = arr
        stored = np.ascontiguousarray(arr.T) if transposed else arr
        inits.append(numpy_helper.from_array(stored, name))

    def linear(x, name, out):
        # Gemm with transB, as torch.onnx.export writes nn.Linear on 2-D
        # inputs, or (--matmul) MatMul with the weight stored as [K, N].
        if matmul:
            node("MatMul", [x, name], [out])
        else:
            node("Gemm", [x, name], [out], transB=1)

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, **attrs))

    def lin(shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[1])).astype(np.float32)

    init("gate", lin((E, d)))
    init("k", np.array([k], np.int64))
    init("last", np.array([-1], np.int64))
    init("zero", np.array(0.0, np.float32))
    node("Gemm", ["x", "gate"], ["logits"], transB=1)
    node("Softmax", ["logits"], ["probs"], axis=-1)
    node("TopK", ["probs", "k"], ["top_w", "top_i"], axis=-1, largest=1, sorted=1)
    node("ReduceSum", ["top_w", "last"], ["top_sum"], keepdims=1)
    node("Div", ["top_w", "top_sum"], ["weights"])
    node("Shape", ["x"], ["x_shape"])
    node("Expand", ["zero", "x_shape"], ["acc_init"])
    acc = "acc_init"
    for e in range(E):
        p = f"e{e}_"
        init(p + "id", np.array(e, np.int64))
        init(p + "w1", lin((f, d)), matmul)
        init(p + "w3", lin((f, d)), matmul)
        init(p + "w2", lin((d, f)), matmul)
        node("Equal", ["top_i", p + "id"], [p + "eq"])
        node("Cast", [p + "eq"], [p + "mask"], to=TensorProto.FLOAT)
        node("Mul", ["weights", p + "mask"], [p + "wm"])
        node("ReduceSum", [p + "wm", "last"], [p + "weight"], keepdims=1)
        linear("x", p + "w1", p + "g")
        node("Sigmoid", [p + "g"], [p + "sg"])
        node("Mul", [p + "g", p + "sg"], [p + "silu"])
        linear("x", p + "w3", p + "u")
        node("Mul", [p + "silu", p + "u"], [p + "gu"])
        linear(p + "gu", p + "w2", p + "y")
        node("Mul", [p + "weight", p + "y"], [p + "t"])
        out = "out" if e == E - 1 else p + "acc"
        node("Add", [acc, p + "t"], [out])
        acc = out
    graph = helper.make_graph(
        nodes, "moe_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [T, d])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [T, d])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, w


def reference(x, w, E, k):
    logits = x @ w["gate"].T
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    # Largest first, ties to the lower index (ONNX TopK).
    idx = np.argsort(-p, axis=-1, kind="stable")[:, :k]
    tw = np.take_along_axis(p, idx, -1)
    tw /= tw.sum(-1, keepdims=True)
    out = np.zeros_like(x)
    for e in range(E):
        g = x @ w[f"e{e}_w1"].T
        h = (g / (1 + np.exp(-g))) * (x @ w[f"e{e}_w3"].T)
        y = h @ w[f"e{e}_w2"].T
        out += (tw * (idx == e)).sum(-1, keepdims=True) * y
    return out


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--experts", type=int, default=8)
    ap.add_argument("--top-k", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of alternating dense and raised runs "
                         "(medians over the rounds, and the per-round "
                         "ratios)")
    ap.add_argument("--target", default="cpu",
                    help="loomc --target (e.g. cpu:x86-64-v3 for artifacts "
                         "that run on another x86 machine)")
    ap.add_argument("--keep", metavar="DIR",
                    help="also copy the model, its test data and both "
                         "artifacts (dense.loom, raised.loom) to DIR")
    ap.add_argument("--matmul", action="store_true",
                    help="experts as MatMul with [K, N] weights instead of "
                         "Gemm with transB (the layout the raised form uses)")
    a = ap.parse_args()
    T, d, f, E, k = a.tokens, a.hidden, a.ffn, a.experts, a.top_k
    rng = np.random.default_rng(0)
    model, w = moe_model(T, d, f, E, k, rng, a.matmul)
    x = rng.standard_normal((T, d)).astype(np.float32)
    ref = reference(x, w, E, k)
    loomc = os.path.join(a.build, "bin", "loomc")
    loomrun = os.path.join(a.build, "bin", "loom-run")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "moe.onnx")
        onnx.save(model, path)
        data = os.path.join(tmp, "test_data_set_0")
        os.makedirs(data)
        open(os.path.join(data, "input_0.pb"), "wb").write(
            numpy_helper.from_array(x, "x").SerializeToString())
        open(os.path.join(data, "output_0.pb"), "wb").write(
            numpy_helper.from_array(ref, "out").SerializeToString())
        ir = run([loomc, path, "--emit=loom", "--quiet"])
        raised_ops = sorted(set(re.findall(r"loom_moe\.\w+", ir)))
        print(f"MoE block: T={T} d={d} f={f} E={E} k={k}, experts as "
              f"{'MatMul [K, N]' if a.matmul else 'Gemm transB'}; raised IR has "
              f"{', '.join(raised_ops) or 'no loom_moe ops'}")
        arts = {}
        for name, extra in [("dense (--no-raise)", ["--no-raise"]),
                            ("raised (loom_moe)", [])]:
            arts[name] = os.path.join(
                tmp, "dense.loom" if extra else "raised.loom")
            run([loomc, path, "-o", arts[name], "--quiet",
                 "--target=" + a.target] + extra)
        # Dense and raised alternate, so that a load that comes and goes
        # on a shared machine hits both alike; each round is one loom-run
        # --bench per graph (its median and min), and the ratio is taken
        # per round.
        rounds = {name: [] for name in arts}
        for _ in range(a.repeat):
            for name, art in arts.items():
                out = run([loomrun, art, "--data", data, "--rtol", "1e-3",
                           "--atol", "1e-4", "--bench", str(a.runs)])
                m = re.search(r"median ([0-9.]+) ms\s+min ([0-9.]+) ms", out)
                if not m:
                    sys.exit(f"no timing in loom-run's output:\n{out}")
                rounds[name].append((float(m.group(1)), float(m.group(2))))
        times = {}
        for name, rs in rounds.items():
            times[name] = (float(np.median([r[0] for r in rs])),
                           float(np.median([r[1] for r in rs])))
            print(f"  {name:20s} median {times[name][0]:9.3f} ms   "
                  f"min {times[name][1]:9.3f} ms   (matches the reference"
                  f"{'' if a.repeat == 1 else '; medians of ' + str(a.repeat) + ' rounds'})")
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in ["moe.onnx", "dense.loom", "raised.loom"]:
                shutil.copy(os.path.join(tmp, f), a.keep)
            shutil.copytree(data, os.path.join(a.keep, "test_data_set_0"),
                            dirs_exist_ok=True)
        dense, raised = times["dense (--no-raise)"], times["raised (loom_moe)"]
        print(f"speedup: median {dense[0] / raised[0]:.2f}x, min "
              f"{dense[1] / raised[1]:.2f}x; E/k = {E / k:.1f}")
        if a.repeat > 1:
            ratios = sorted(d[0] / r[0] for d, r in
                            zip(rounds["dense (--no-raise)"],
                                rounds["raised (loom_moe)"]))
            print(f"per-round median ratios: "
                  f"{' '.join(f'{x:.2f}' for x in ratios)} "
                  f"(median {np.median(ratios):.2f}x)")


if __name__ == "__main__":
    main()
