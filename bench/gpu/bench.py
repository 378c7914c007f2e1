#!/usr/bin/env python3
"""Loom against PyTorch on an NVIDIA GPU, measured side by side in one run.

Two steps, both on the GPU machine (it has torch, transformers, onnx; no LLVM):

  python3 bench/gpu/bench.py simple OUTDIR     (anywhere: onnx.helper only)
  python3 bench/gpu/bench.py export OUTDIR
      writes the benchmark models as ONNX graphs whose weights are graph inputs
      (so the files are small enough to bring back and compile with loomc here):
      attention (ONNX Attention, opset 23), GEMM/GEMV (MatMul), a 4-layer
      Llama-style model and a Mixtral-style MoE block (torch.onnx.export).
  python3 bench/gpu/bench.py run ARTIFACTS_DIR [--loom-run PATH] [--out FILE]
      for every row: makes the inputs (fixed seeds), times the PyTorch peer(s)
      with CUDA events, runs `loom-run --device cuda --bench N` on the artifact
      compiled here (ARTIFACTS_DIR/<row>.loom), checks Loom's output against
      the peer's and prints a markdown table of latencies, TFLOP/s or GB/s and
      the ratio peer/Loom (> 1 means Loom is faster).

Loom's latency is what `loom-run --bench` measures around loom_session_invoke
with the inputs uploaded once before timing (device tensors) and the outputs
left on the device (loom_session_set_outputs_on_device): the kernels and the
host code that launches them, as for the PyTorch peers, which start from GPU
tensors and leave their results there.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ATTN_ROWS = [  # name, B, H, S, D, causal
    ("attn_b4h16s4096d128_causal", 4, 16, 4096, 128, True),
    ("attn_b4h16s4096d128", 4, 16, 4096, 128, False),
    ("attn_b8h32s2048d64_causal", 8, 32, 2048, 64, True),
    ("attn_b8h32s2048d64", 8, 32, 2048, 64, False),
]
GEMM_ROWS = [  # name, M, K, N
    ("gemm_4096", 4096, 4096, 4096),
    ("gemm_8192", 8192, 8192, 8192),
    ("gemv_8192", 1, 8192, 8192),
]
LLAMA = dict(hidden=2048, heads=32, kv_heads=8, ffn=8192, layers=4, vocab=4096, seq=2048)
MOE = dict(hidden=2048, ffn=4096, experts=8, top_k=2, tokens=4096)


# --------------------------------------------------------------------------
# export


def onnx_attention(path, b, h, s, d, causal):
    import onnx
    from onnx import TensorProto, helper
    bf16 = TensorProto.BFLOAT16
    shape = [b, h, s, d]
    node = helper.make_node("Attention", ["Q", "K", "V"], ["Y"], is_causal=int(causal))
    graph = helper.make_graph(
        [node], "attention",
        [helper.make_tensor_value_info(n, bf16, shape) for n in "QKV"],
        [helper.make_tensor_value_info("Y", bf16, shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    onnx.save(model, path)


def onnx_matmul(path, m, k, n):
    import onnx
    from onnx import TensorProto, helper
    bf16 = TensorProto.BFLOAT16
    node = helper.make_node("MatMul", ["A", "B"], ["Y"])
    graph = helper.make_graph(
        [node], "gemm",
        [helper.make_tensor_value_info("A", bf16, [m, k]),
         helper.make_tensor_value_info("B", bf16, [k, n])],
        [helper.make_tensor_value_info("Y", bf16, [m, n])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)


def llama_module():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    c = LLAMA
    cfg = LlamaConfig(hidden_size=c["hidden"], intermediate_size=c["ffn"],
                      num_hidden_layers=c["layers"], num_attention_heads=c["heads"],
                      num_key_value_heads=c["kv_heads"], vocab_size=c["vocab"],
                      max_position_embeddings=c["seq"], attn_implementation="sdpa")
    lm = LlamaForCausalLM(cfg).eval().to(torch.bfloat16)

    class Logits(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lm = lm

        def forward(self, input_ids):
            return self.lm(input_ids=input_ids, use_cache=False).logits

    return Logits().eval()


def moe_module():
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "models"))
    from export_models import MoEBlock
    torch.manual_seed(3)
    c = MOE
    return MoEBlock(c["hidden"], c["ffn"], c["experts"], c["top_k"]).eval().to(torch.bfloat16)


def llama_inputs():
    g = np.random.default_rng(0)
    return {"input_ids": g.integers(0, LLAMA["vocab"], size=(1, LLAMA["seq"]), dtype=np.int64)}


def moe_inputs():
    import torch
    g = torch.Generator().manual_seed(4)
    x = torch.randn(1, MOE["tokens"], MOE["hidden"], generator=g).to(torch.bfloat16)
    return {"x": x}


def export_torch(module, args, path, opset):
    import torch
    with torch.no_grad():
        prog = torch.onnx.export(module, args, dynamo=True, opset_version=opset,
                                 external_data=True, optimize=False)
    prog.save(path, external_data=True)


def weights_to_inputs(path, out_path, module):
    """Turns the initializers that hold the module's parameters into graph
    inputs (so the file stays small); other constants stay. Returns their names."""
    import onnx
    params = {n for n, _ in module.named_parameters()}
    params |= {n.removeprefix("lm.") for n in params}
    model = onnx.load(path, load_external_data=True)
    keep, moved = [], []
    for init in model.graph.initializer:
        (moved if init.name in params else keep).append(init)
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)
    for init in moved:
        model.graph.input.append(onnx.helper.make_tensor_value_info(init.name, init.data_type,
                                                                    list(init.dims)))
    onnx.save(model, out_path)
    print(f"{os.path.basename(out_path)}: {len(moved)} weights as inputs, "
          f"{len(keep)} constants kept")
    return [i.name for i in moved]


def make_simple(out):
    """The single-op models (onnx.helper only: runs here or there)."""
    os.makedirs(out, exist_ok=True)
    for name, b, h, s, d, causal in ATTN_ROWS:
        onnx_attention(os.path.join(out, name + ".onnx"), b, h, s, d, causal)
    for name, m, k, n in GEMM_ROWS:
        onnx_matmul(os.path.join(out, name + ".onnx"), m, k, n)


def export(out):
    """The models exported with torch.onnx (needs transformers: GPU machine)."""
    import torch
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ids = torch.from_numpy(llama_inputs()["input_ids"])
        llama = llama_module()
        export_torch(llama, (ids,), os.path.join(tmp, "llama.onnx"), 18)
        weights_to_inputs(os.path.join(tmp, "llama.onnx"), os.path.join(out, "llama4.onnx"), llama)
        moe = moe_module()
        export_torch(moe, (moe_inputs()["x"],), os.path.join(tmp, "moe.onnx"), 18)
        weights_to_inputs(os.path.join(tmp, "moe.onnx"), os.path.join(out, "moe_block.onnx"), moe)
    for f in sorted(os.listdir(out)):
        print(f"{f}: {os.path.getsize(os.path.join(out, f)) / 1024:.0f} KiB")


# --------------------------------------------------------------------------
# run


def cuda_time(fn, iters, warmup=3):
    import torch
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return float(np.median(times))


def save_npy(path, t):
    """Writes a torch tensor as .npy; bf16 as its raw bits (<u2), as loom-run reads it."""
    import torch
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        np.save(path, t.view(torch.int16).numpy().view(np.uint16))
    else:
        np.save(path, t.numpy())


def load_npy(path):
    import torch
    a = np.load(path)
    if a.dtype == np.uint16:
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16).float()
    return torch.from_numpy(a).float()


def run_loom(loom_run, artifact, inputs, iters, tmp):
    """Runs the artifact with `inputs` (name -> tensor); returns (median ms, outputs, error)."""
    args = [loom_run, artifact, "--device", "cuda", "--bench", str(iters),
            "--output-dir", os.path.join(tmp, "out")]
    for name, t in inputs.items():
        path = os.path.join(tmp, name.replace("/", "_") + ".npy")
        save_npy(path, t)
        args += ["--input", f"{name}={path}"]
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, None, "timed out"
    if p.returncode != 0:
        return None, None, (p.stderr or p.stdout).strip().splitlines()[-1:]
    ms = None
    for line in p.stdout.splitlines():
        if line.startswith("bench:"):
            ms = float(line.split("median")[1].split()[0])
    outs = [load_npy(os.path.join(tmp, "out", f)) for f in sorted(os.listdir(os.path.join(tmp, "out")))]
    return ms, outs, None


def rel_err(got, want):
    want = want.float().cpu()
    got = got.reshape(want.shape)
    return float((got - want).abs().max() / max(want.abs().max().item(), 1e-6))


def tokens_matching(got, want, tol=2e-2):
    """Fraction of tokens (rows of the last dimension) whose output is within
    tol of the peer's, relative to the output's largest magnitude. In a bf16
    MoE block a token whose top-k experts tie differently gets another
    expert's output: a per-token count tells such ties from a wrong kernel."""
    want = want.float().cpu()
    got = got.reshape(want.shape)
    scale = max(want.abs().max().item(), 1e-6)
    rows = ((got - want).abs().reshape(-1, want.shape[-1]).max(dim=1).values / scale)
    return float((rows <= tol).float().mean())


def module_tensors(model, names, data_input):
    """The module's parameters/buffers that the exported graph takes as inputs."""
    known = {**dict(model.named_buffers()), **dict(model.named_parameters())}
    out = {}
    for n in names:
        if n == data_input:
            continue
        for cand in (n, "lm." + n, n.removeprefix("lm.")):
            if cand in known:
                out[n] = known[cand]
                break
        else:
            raise KeyError(f"graph input '{n}' is no parameter of the module")
    return out


def rows(art):
    """Yields (name, inputs, peers {label: fn}, reference fn, flops, bytes)."""
    import torch
    import torch.nn.functional as F
    dev = "cuda"
    g = torch.Generator(device=dev).manual_seed(0)
    for name, b, h, s, d, causal in ATTN_ROWS:
        q, k, v = (torch.randn(b, h, s, d, device=dev, dtype=torch.bfloat16, generator=g)
                   for _ in range(3))
        fn = lambda q=q, k=k, v=v, c=causal: F.scaled_dot_product_attention(q, k, v, is_causal=c)
        flops = 4 * b * h * s * s * d * (0.5 if causal else 1.0)
        yield name, {"Q": q, "K": k, "V": v}, {"torch SDPA": fn}, fn, flops, None
    for name, m, k, n in GEMM_ROWS:
        a = torch.randn(m, k, device=dev, dtype=torch.bfloat16, generator=g)
        bm = torch.randn(k, n, device=dev, dtype=torch.bfloat16, generator=g) / k ** 0.5
        fn = lambda a=a, bm=bm: torch.matmul(a, bm)
        yield name, {"A": a, "B": bm}, {"cuBLAS (torch.matmul)": fn}, fn, 2 * m * k * n, \
            (k * n * 2 if m == 1 else None)
    if os.path.exists(os.path.join(art, "llama4.loom")):
        import onnx
        model = llama_module().to(dev)
        ids = torch.from_numpy(llama_inputs()["input_ids"]).to(dev)
        names = [i.name for i in onnx.load(os.path.join(art, "llama4.onnx")).graph.input]
        inputs = {"input_ids": ids, **module_tensors(model, names, "input_ids")}
        eager = lambda: model(ids)
        compiled = torch.compile(model)
        c = LLAMA
        per_tok = c["layers"] * (2 * c["hidden"] * (c["hidden"] * 2 + 2 * c["hidden"] * c["kv_heads"] // c["heads"])
                                 + 3 * 2 * c["hidden"] * c["ffn"]) + 2 * c["hidden"] * c["vocab"]
        flops = per_tok * c["seq"] + c["layers"] * 2 * c["seq"] * c["seq"] * c["hidden"]
        with torch.no_grad():
            yield "llama4_prefill2048", inputs, {"torch eager": eager, "torch.compile": lambda: compiled(ids)}, \
                eager, flops, None
    if os.path.exists(os.path.join(art, "moe_block.loom")):
        import onnx
        model = moe_module().to(dev)
        x = moe_inputs()["x"].to(dev)
        names = [i.name for i in onnx.load(os.path.join(art, "moe_block.onnx")).graph.input]
        inputs = {"x": x, **module_tensors(model, names, "x")}
        c = MOE
        flops = c["tokens"] * c["top_k"] * 3 * 2 * c["hidden"] * c["ffn"]
        fn = lambda: model(x)
        with torch.no_grad():
            yield "moe_e8k2_t4096", inputs, {"torch eager": fn}, fn, flops, None
            if os.path.exists(os.path.join(art, "moe_block_dense.loom")):
                # The same graph compiled with --no-raise: every expert over
                # every token (8/2 = 4x the FLOPs of the routed form).
                yield "moe_e8k2_t4096_dense", inputs, {"torch eager": fn}, fn, flops, None


def run(art, loom_run, out_file, iters):
    import torch
    gpu = torch.cuda.get_device_name()
    lines = [f"# Loom vs PyTorch on {gpu}, {time.strftime('%Y-%m-%d')}", "",
             f"torch {torch.__version__}; median of {iters} runs after warm-up; "
             "ratio = peer latency / Loom latency (> 1: Loom faster). Loom's time is "
             "`loom-run --bench` around one invocation, inputs already on the device and outputs "
             "left there (kernels + launches), like the peers, which start from GPU tensors.", "",
             "| case | peer | peer ms | peer TFLOP/s | Loom ms | Loom TFLOP/s | ratio | Loom max rel err |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    print("\n".join(lines), flush=True)
    with torch.no_grad():
        for name, inputs, peers, ref, flops, nbytes in rows(art):
            artifact = os.path.join(art, name.split("_prefill")[0] + ".loom") \
                if name.startswith("llama4") else os.path.join(art, name + ".loom")
            if name.startswith("moe"):
                artifact = os.path.join(art, "moe_block_dense.loom" if name.endswith("_dense")
                                        else "moe_block.loom")
            with tempfile.TemporaryDirectory() as tmp:
                ms, outs, err = (None, None, "no artifact") if not os.path.exists(artifact) \
                    else run_loom(loom_run, artifact, inputs, iters, tmp)
            want = ref()
            err_txt = f"{rel_err(outs[0], want):.2e}" if outs else f"failed: {err}"
            if outs and name.startswith("moe"):
                err_txt += f" ({tokens_matching(outs[0], want):.1%} of tokens within 2e-2)"
            for label, fn in peers.items():
                pm = cuda_time(fn, iters)
                unit = (lambda t: f"{nbytes / t / 1e6:.0f} GB/s") if nbytes else \
                    (lambda t: f"{flops / t / 1e9:.1f}")
                row = f"| {name} | {label} | {pm:.3f} | {unit(pm)} | " + \
                      (f"{ms:.3f} | {unit(ms)} | {pm / ms:.3f}x" if ms else "- | - | -") + f" | {err_txt} |"
                lines.append(row)
                print(row, flush=True)
            torch.cuda.empty_cache()
    if out_file:
        open(out_file, "w").write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["simple", "export", "run"])
    p.add_argument("dir")
    p.add_argument("--loom-run", default="loom-run")
    p.add_argument("--out")
    p.add_argument("--iters", type=int, default=10)
    a = p.parse_args()
    if a.mode == "simple":
        make_simple(a.dir)
    elif a.mode == "export":
        export(a.dir)
    else:
        run(a.dir, a.loom_run, a.out, a.iters)


if __name__ == "__main__":
    main()
