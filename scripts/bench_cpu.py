#!/usr/bin/python3
# ===- bench_cpu.py - Loom's CPU code against PyTorch on the same inputs ---===#
#
# Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
#
# ===-----------------------------------------------------------------------===#
#
# Builds three workloads as ONNX models (a 1024x1024 matmul, a softmax over
# 4096x4096, a Llama-like prefill of 128 tokens), compiles them with loomc,
# times them with `loom-run --bench`, times the same computation in PyTorch
# (same weights, same inputs, same thread count) in the same run, checks
# that both give the same numbers, and prints a table. Run through
# scripts/bench-cpu.sh, which installs Debian's python3-torch if missing.
#
# GFLOP/s counts 2*M*N*K for a matmul, 5 per element for softmax (max,
# subtract, exp, sum, divide) and the matmuls only for the Llama block.
#
# ===-----------------------------------------------------------------------===#

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def f32(shape, rng, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def save_model(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


# --- workloads ------------------------------------------------------------


def matmul_workload(rng, n=1024):
    a, b = f32((n, n), rng), f32((n, n), rng)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["y"])],
        "matmul", [vi("a", [n, n]), vi("b", [n, n])], [vi("y", [n, n])])
    return dict(name=f"matmul {n}x{n}x{n}", graph=graph,
                inputs={"a": a, "b": b}, flops=2.0 * n ** 3,
                torch=lambda t, x: t.matmul(x["a"], x["b"]))


def softmax_workload(rng, n=4096):
    x = f32((n, n), rng)
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["y"], axis=-1)],
        "softmax", [vi("x", [n, n])], [vi("y", [n, n])])
    return dict(name=f"softmax {n}x{n}", graph=graph, inputs={"x": x},
                flops=5.0 * n * n,
                torch=lambda t, x: t.softmax(x["x"], dim=-1))


def llama_workload(rng, seq=128, hidden=256, heads=4, ffn=688, layers=2):
    """Pre-norm decoder blocks: RMSNorm, causal multi-head attention with
    MatMul/Softmax, RMSNorm, SwiGLU; batch 1. No rotary embedding."""
    hd = hidden // heads
    nodes, inits, w = [], [], {}

    def init(name, arr):
        w[name] = arr
        inits.append(numpy_helper.from_array(arr, name))

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, **attrs))

    mask = np.triu(np.full((seq, seq), -1e9, np.float32), 1)
    init("mask", mask)
    init("eps", np.array([1e-6], np.float32))
    init("two", np.array([2.0], np.float32))
    init("scale", np.array([1.0 / np.sqrt(hd)], np.float32))
    init("split_shape", np.array([1, seq, heads, hd], np.int64))
    init("merge_shape", np.array([1, seq, hidden], np.int64))

    def rmsnorm(x, weight, out):
        node("Pow", [x, "two"], [out + "_sq"])
        node("ReduceMean", [out + "_sq"], [out + "_ms"], axes=[-1], keepdims=1)
        node("Add", [out + "_ms", "eps"], [out + "_mse"])
        node("Sqrt", [out + "_mse"], [out + "_rms"])
        node("Div", [x, out + "_rms"], [out + "_n"])
        node("Mul", [out + "_n", weight], [out])

    x = "x"
    for l in range(layers):
        p = f"l{l}_"
        for nm, shape, sc in [("attn_norm", (hidden,), 0), ("ffn_norm", (hidden,), 0),
                              ("wq", (hidden, hidden), hidden), ("wk", (hidden, hidden), hidden),
                              ("wv", (hidden, hidden), hidden), ("wo", (hidden, hidden), hidden),
                              ("w1", (hidden, ffn), hidden), ("w3", (hidden, ffn), hidden),
                              ("w2", (ffn, hidden), ffn)]:
            arr = (1.0 + 0.1 * f32(shape, rng)) if sc == 0 else f32(shape, rng, 1 / np.sqrt(sc))
            init(p + nm, arr.astype(np.float32))
        rmsnorm(x, p + "attn_norm", p + "h")
        for proj in "qkv":
            node("MatMul", [p + "h", p + "w" + proj], [p + proj])
            node("Reshape", [p + proj, "split_shape"], [p + proj + "4"])
            perm = [0, 2, 3, 1] if proj == "k" else [0, 2, 1, 3]
            node("Transpose", [p + proj + "4"], [p + proj + "t"], perm=perm)
        node("MatMul", [p + "qt", p + "kt"], [p + "s"])
        node("Mul", [p + "s", "scale"], [p + "ss"])
        node("Add", [p + "ss", "mask"], [p + "sm"])
        node("Softmax", [p + "sm"], [p + "pr"], axis=-1)
        node("MatMul", [p + "pr", p + "vt"], [p + "o"])
        node("Transpose", [p + "o"], [p + "ot"], perm=[0, 2, 1, 3])
        node("Reshape", [p + "ot", "merge_shape"], [p + "om"])
        node("MatMul", [p + "om", p + "wo"], [p + "a"])
        node("Add", [x, p + "a"], [p + "r1"])
        rmsnorm(p + "r1", p + "ffn_norm", p + "h2")
        node("MatMul", [p + "h2", p + "w1"], [p + "g"])
        node("Sigmoid", [p + "g"], [p + "gs"])
        node("Mul", [p + "g", p + "gs"], [p + "silu"])
        node("MatMul", [p + "h2", p + "w3"], [p + "u"])
        node("Mul", [p + "silu", p + "u"], [p + "gu"])
        node("MatMul", [p + "gu", p + "w2"], [p + "f"])
        node("Add", [p + "r1", p + "f"], [p + "out"])
        x = p + "out"
    init("final_norm", np.ones((hidden,), np.float32))
    rmsnorm(x, "final_norm", "y")

    graph = helper.make_graph(nodes, "llama_block", [vi("x", [1, seq, hidden])],
                              [vi("y", [1, seq, hidden])], initializer=inits)

    def torch_fn(t, inp):
        W = {k: t.from_numpy(v) for k, v in w.items()}

        def norm(v, g):
            return v / t.sqrt(v.pow(2).mean(-1, keepdim=True) + 1e-6) * g

        h = inp["x"]
        for l in range(layers):
            p = f"l{l}_"
            a = norm(h, W[p + "attn_norm"])
            q, k, v = (t.matmul(a, W[p + n]).view(1, seq, heads, hd).transpose(1, 2)
                       for n in ("wq", "wk", "wv"))
            s = t.matmul(q, k.transpose(2, 3)) * (1.0 / np.sqrt(hd)) + W["mask"]
            o = t.matmul(t.softmax(s, dim=-1), v).transpose(1, 2).reshape(1, seq, hidden)
            h = h + t.matmul(o, W[p + "wo"])
            m = norm(h, W[p + "ffn_norm"])
            g = t.matmul(m, W[p + "w1"])
            h = h + t.matmul(g * t.sigmoid(g) * t.matmul(m, W[p + "w3"]), W[p + "w2"])
        return norm(h, W["final_norm"])

    mm = layers * seq * (4 * hidden * hidden + 3 * hidden * ffn) * 2.0
    mm += layers * heads * 2 * seq * seq * hd * 2.0
    return dict(name=f"llama-like prefill ({layers} layers, {seq} tok, h{hidden})",
                graph=graph, inputs={"x": f32((1, seq, hidden), rng)}, flops=mm,
                torch=torch_fn)


# --- runners --------------------------------------------------------------


def time_torch(torch, fn, inputs, runs):
    x = {k: torch.from_numpy(v) for k, v in inputs.items()}
    with torch.inference_mode():
        out = fn(torch, x)
        for _ in range(3):
            fn(torch, x)
        ms = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn(torch, x)
            ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms), out.numpy()


def time_loom(build, wl, work, runs, env):
    base = os.path.join(work, re.sub(r"\W+", "_", wl["name"]))
    save_model(wl["graph"], base + ".onnx")
    subprocess.run([os.path.join(build, "bin", "loomc"), base + ".onnx",
                    "-o", base + ".loom"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    args = [os.path.join(build, "bin", "loom-run"), base + ".loom",
            "--bench", str(runs), "--output-dir", base + "_out"]
    for name, arr in wl["inputs"].items():
        np.save(f"{base}_{name}.npy", arr)
        args += ["--input", f"{name}={base}_{name}.npy"]
    run = subprocess.run(args, check=True, env=env, capture_output=True, text=True)
    m = re.search(r"median ([0-9.]+) ms", run.stdout)
    if not m:
        sys.exit("loom-run printed no timing:\n" + run.stdout + run.stderr)
    out = np.load(os.path.join(base + "_out", "y.npy"))
    return float(m.group(1)), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--only", default="", help="substring of the workloads to run")
    args = ap.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    rng = np.random.default_rng(0)
    workloads = [matmul_workload(rng), softmax_workload(rng), llama_workload(rng)]

    # Debian's python3-torch is built with BLAS_INFO=generic (no MKL/OpenBLAS
    # GEMM): say so next to the numbers, as it decides the matmul ratio.
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    print(f"threads: {args.threads}, runs: {args.runs}, torch {torch.__version__} "
          f"(BLAS_INFO={blas.group(1) if blas else '?'})")
    header = f"{'workload':44} {'loom ms':>9} {'torch ms':>9} {'torch/loom':>10} " \
             f"{'loom GF/s':>9} {'torch GF/s':>10} {'max|diff|':>9}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="loom-bench-") as work:
        for wl in workloads:
            if args.only not in wl["name"]:
                continue
            loom_ms, loom_out = time_loom(args.build, wl, work, args.runs, env)
            torch_ms, torch_out = time_torch(torch, wl["torch"], wl["inputs"], args.runs)
            diff = float(np.max(np.abs(loom_out.reshape(torch_out.shape) - torch_out)))
            gf = wl["flops"] / 1e6
            print(f"{wl['name']:44} {loom_ms:9.3f} {torch_ms:9.3f} "
                  f"{torch_ms / loom_ms:9.2f}x {gf / loom_ms:9.1f} {gf / torch_ms:10.1f} "
                  f"{diff:9.2e}", flush=True)


if __name__ == "__main__":
    main()
