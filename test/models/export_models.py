#!/usr/bin/env python3
"""Exports the small test models Loom's importer and CPU path are checked on.

Runs where PyTorch, transformers, onnx and onnxruntime are installed (the GPU
machine: `python3 test/models/export_models.py OUTDIR`). Every model gets
random weights (fixed seeds, no downloads) and a test_data_set_0/ folder in
ONNX's test-data layout: input_N.pb and the reference output_N.pb computed by
ONNX Runtime on the CPU. For float models the PyTorch output is compared with
ONNX Runtime's and the difference is printed.

Models (each well under 2 MB):
  llama_opset18     Llama (GQA, RoPE, RMSNorm, SwiGLU), dynamo exporter, opset 18
  llama_opset23     the same model at opset 23 (Attention / RMSNormalization ops)
  gpt2_opset18      GPT-2 (LayerNorm, GELU, fused QKV)
  moe_opset18       a Mixtral-style sparse MoE decoder (router softmax, top-2)
  llama_int8        llama_opset18 through ORT dynamic quantization (int8 MatMulInteger)
  llama_int4        llama_opset18 with 4-bit weights (com.microsoft MatMulNBits)
  example           the README's bundled model: the MoE decoder above with its
                    attention projections and LM head in 4-bit MatMulNBits
                    (written to examples/model/ by `--example DIR`)
"""
import os
import shutil
import sys
import traceback

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

SEQ = 8
VOCAB = 128


def save_case(out_dir, name, model_path, feeds, torch_outputs=None):
    case = os.path.join(out_dir, name)
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    if os.path.abspath(model_path) != os.path.abspath(os.path.join(case, "model.onnx")):
        shutil.copy(model_path, os.path.join(case, "model.onnx"))
    model = onnx.load(os.path.join(case, "model.onnx"))
    sess = ort.InferenceSession(os.path.join(case, "model.onnx"),
                                providers=["CPUExecutionProvider"])
    inputs = [i.name for i in sess.get_inputs()]
    feeds = {k: v for k, v in feeds.items() if k in inputs}
    outputs = sess.run(None, feeds)
    for i, name_in in enumerate(inputs):
        t = numpy_helper.from_array(feeds[name_in], name_in)
        open(os.path.join(data, f"input_{i}.pb"), "wb").write(t.SerializeToString())
    for i, (o, info) in enumerate(zip(outputs, sess.get_outputs())):
        t = numpy_helper.from_array(o, info.name)
        open(os.path.join(data, f"output_{i}.pb"), "wb").write(t.SerializeToString())
    size = os.path.getsize(os.path.join(case, "model.onnx"))
    ops = sorted({(n.domain or "ai.onnx", n.op_type) for n in model.graph.node})
    opset = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    line = f"{name}: {size / 1024:.0f} KiB, opsets {opset}, inputs {inputs}"
    if torch_outputs is not None:
        diff = float(np.max(np.abs(outputs[0] - torch_outputs)))
        line += f", |onnxruntime - torch| max {diff:.2e}"
    print(line)
    print("   ops:", " ".join(f"{d}:{o}" if d != "ai.onnx" else o for d, o in ops))
    return os.path.join(case, "model.onnx")


def export(model, args, path, opset, dynamic_shapes=None):
    model.eval()
    prog = torch.onnx.export(model, args, dynamo=True, opset_version=opset,
                             dynamic_shapes=dynamic_shapes, external_data=False,
                             optimize=True)
    prog.save(path, external_data=False)
    return path


class LogitsOnly(torch.nn.Module):
    """Wraps a causal LM: input_ids -> logits, no cache."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, input_ids):
        return self.lm(input_ids=input_ids, use_cache=False).logits


def ids():
    g = np.random.default_rng(0)
    return g.integers(0, VOCAB, size=(1, SEQ), dtype=np.int64)


def run_torch(model, input_ids):
    with torch.no_grad():
        return model(torch.from_numpy(input_ids)).float().numpy()


def llama(out, opset):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2,
                      vocab_size=VOCAB, max_position_embeddings=64,
                      attn_implementation="sdpa")
    m = LogitsOnly(LlamaForCausalLM(cfg)).eval()
    x = ids()
    path = os.path.join(out, f"llama_opset{opset}.tmp.onnx")
    export(m, (torch.from_numpy(x),), path, opset,
           dynamic_shapes={"input_ids": {0: torch.export.Dim("batch"),
                                         1: torch.export.Dim("seq", max=64)}})
    return save_case(out, f"llama_opset{opset}", path, {"input_ids": x}, run_torch(m, x))


def gpt2(out):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(1)
    cfg = GPT2Config(n_embd=64, n_layer=2, n_head=4, vocab_size=VOCAB,
                     n_positions=64, attn_implementation="sdpa")
    m = LogitsOnly(GPT2LMHeadModel(cfg)).eval()
    x = ids()
    path = os.path.join(out, "gpt2.tmp.onnx")
    export(m, (torch.from_numpy(x),), path, 18,
           dynamic_shapes={"input_ids": {0: torch.export.Dim("batch"),
                                         1: torch.export.Dim("seq", max=64)}})
    return save_case(out, "gpt2_opset18", path, {"input_ids": x}, run_torch(m, x))


class MoEBlock(torch.nn.Module):
    """Mixtral's sparse MoE block in the form exporters see it: router softmax,
    top-k, renormalise, then every expert's SwiGLU FFN over all tokens masked
    by its routing weight (dense, data-independent control flow)."""

    def __init__(self, d, f, e, k):
        super().__init__()
        self.k = k
        self.gate = torch.nn.Linear(d, e, bias=False)
        self.w1 = torch.nn.ModuleList(torch.nn.Linear(d, f, bias=False) for _ in range(e))
        self.w3 = torch.nn.ModuleList(torch.nn.Linear(d, f, bias=False) for _ in range(e))
        self.w2 = torch.nn.ModuleList(torch.nn.Linear(f, d, bias=False) for _ in range(e))

    def forward(self, x):
        b, s, d = x.shape
        h = x.reshape(-1, d)
        probs = torch.softmax(self.gate(h), dim=-1)
        top_w, top_i = torch.topk(probs, self.k, dim=-1)
        top_w = top_w / top_w.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(h)
        for e in range(len(self.w1)):
            weight = (top_w * (top_i == e)).sum(dim=-1, keepdim=True)
            y = self.w2[e](torch.nn.functional.silu(self.w1[e](h)) * self.w3[e](h))
            out = out + weight * y
        return out.reshape(b, s, d)


class TinyMoE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        d = 64
        self.embed = torch.nn.Embedding(VOCAB, d)
        self.norm1 = torch.nn.RMSNorm(d)
        self.attn = torch.nn.MultiheadAttention(d, 4, batch_first=True, bias=False)
        self.norm2 = torch.nn.RMSNorm(d)
        self.moe = MoEBlock(d, 128, 4, 2)
        self.head = torch.nn.Linear(d, VOCAB, bias=False)

    def forward(self, input_ids):
        x = self.embed(input_ids)
        h = self.norm1(x)
        s = input_ids.shape[1]
        causal = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
        x = x + self.attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        x = x + self.moe(self.norm2(x))
        return self.head(x)


def moe(out):
    torch.manual_seed(2)
    m = TinyMoE().eval()
    x = ids()
    path = os.path.join(out, "moe.tmp.onnx")
    export(m, (torch.from_numpy(x),), path, 18,
           dynamic_shapes={"input_ids": {0: torch.export.Dim("batch"),
                                         1: torch.export.Dim("seq", max=64)}})
    return save_case(out, "moe_opset18", path, {"input_ids": x}, run_torch(m, x))


def quant_int8(out, src):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    path = os.path.join(out, "llama_int8.tmp.onnx")
    quantize_dynamic(src, path, weight_type=QuantType.QInt8)
    return save_case(out, "llama_int8", path, {"input_ids": ids()})


def matmul_nbits(out, src, name, symmetric):
    """4-bit MatMulNBits (blocks of 32) on the weights of the MatMul nodes."""
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer as Q
    except ImportError:
        from onnxruntime.quantization.matmul_4bits_quantizer import MatMul4BitsQuantizer as Q
    q = Q(onnx.load(src), block_size=32, is_symmetric=symmetric)
    q.process()
    path = os.path.join(out, f"{name}.tmp.onnx")
    q.model.save_model_to_file(path, use_external_data_format=False)
    return save_case(out, name, path, {"input_ids": ids()})


def quant_int4(out, src):
    return matmul_nbits(out, src, "llama_int4", symmetric=False)


def example(out, src):
    """The MoE decoder with its plain MatMul weights (attention projections,
    LM head) in 4-bit; the experts (Gemm) stay float."""
    return matmul_nbits(out, src, "example", symmetric=True)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "models"
    os.makedirs(out, exist_ok=True)
    print("torch", torch.__version__, "onnx", onnx.__version__, "onnxruntime", ort.__version__)
    done = {}
    steps = [("llama_opset18", lambda: llama(out, 18)),
             ("llama_opset23", lambda: llama(out, 23)),
             ("gpt2_opset18", lambda: gpt2(out)),
             ("moe_opset18", lambda: moe(out)),
             ("llama_int8", lambda: quant_int8(out, done["llama_opset18"])),
             ("llama_int4", lambda: quant_int4(out, done["llama_opset18"])),
             ("example", lambda: example(out, done["moe_opset18"]))]
    failed = []
    for name, step in steps:
        try:
            done[name] = step()
        except Exception:
            failed.append(name)
            print(f"{name}: FAILED")
            traceback.print_exc()
    for f in os.listdir(out):
        if f.endswith(".tmp.onnx") or f.endswith(".tmp.onnx.data"):
            os.remove(os.path.join(out, f))
    print("failed:", failed or "none")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
