// The committed exported models after loom-optimize (loomc --emit=loom):
// one loom_attn.attention per layer (two layers each); the Llama models'
// grouped-query heads (4 query heads over 2 KV heads) read the 2 KV heads,
// not a repeat_kv copy; the opset-18 Llama's exported RoPE is loom_attn.rope
// (the opset-23 one imports RotaryEmbedding as loom_attn.rope directly).
// RUN: loomc %S/llama_opset18/model.onnx --emit=loom --quiet > %t.l18.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,GQA < %t.l18.mlir
// RUN: FileCheck %s --check-prefix=ROPE < %t.l18.mlir
// RUN: FileCheck %s --check-prefix=CAUSAL < %t.l18.mlir
// RUN: loomc %S/llama_opset23/model.onnx --emit=loom --quiet > %t.l23.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,GQA < %t.l23.mlir
// RUN: FileCheck %s --check-prefix=CAUSAL < %t.l23.mlir
// RUN: loomc %S/gpt2_opset18/model.onnx --emit=loom --quiet > %t.gpt2.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,MHA < %t.gpt2.mlir
// RUN: FileCheck %s --check-prefix=CAUSAL < %t.gpt2.mlir
// RUN: FileCheck %s --check-prefix=EPI < %t.gpt2.mlir

// Each norm (5 per model: two per layer and the final one; RMSNorm in the
// Llama models, decomposed at opset 18 and RMSNormalization at 23, and
// LayerNormalization in GPT-2) is one unit: an scf.forall over the rows
// with the row reductions and the scaling inside, and no row reduction over
// the whole [1, T, 64] activation is left outside one.
// RUN: FileCheck %s --check-prefix=NORM < %t.l18.mlir
// RUN: loomc %S/llama_opset23/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=NORM
// RUN: loomc %S/gpt2_opset18/model.onnx --emit=loom --quiet > %t.gpt2.mlir
// RUN: FileCheck %s --check-prefix=NORM < %t.gpt2.mlir
// RUN: FileCheck %s --check-prefix=LN < %t.gpt2.mlir
// NORM-NOT: "reduction"]} ins(%{{[^ ,]+}} : tensor<1x?x64xf32>)
// NORM-COUNT-5: scf.forall (%{{[^ ,]+}}) in (%{{[^ ,]+}}) shared_outs(%{{[^ ,]+}} = %{{[^ ,]+}}) -> (tensor<1x?x64xf32>)
// NORM-NOT: = scf.forall (
// NORM-NOT: "reduction"]} ins(%{{[^ ,]+}} : tensor<1x?x64xf32>)
// In the int8 Llama each norm feeds a per-tensor DynamicQuantizeLinear: its
// loop also writes each row's min and max (two [1, T] results), and the 5
// quantizations take their range from those partials; 4 more (of the
// attention output and the SwiGLU product, no norm before them) reduce their
// input themselves.
// RUN: loomc %S/llama_int8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=NORMQ
// NORMQ-NOT: "reduction"]} ins(%{{[^ ,]+}} : tensor<1x?x64xf32>)
// NORMQ-COUNT-5: %[[L:[^ ,:]+]]:3 = scf.forall (%{{[^ ,]+}}) in (%{{[^ ,]+}}) shared_outs(%{{[^ ,]+}} = %{{[^ ,]+}}, %{{[^ ,]+}} = %{{[^ ,]+}}, %{{[^ ,]+}} = %{{[^ ,]+}}) -> (tensor<1x?xf32>, tensor<1x?xf32>, tensor<1x?x64xf32>)
// NORMQ-NOT: = scf.forall (
// NORMQ-NOT: "reduction"]} ins(%{{[^ ,]+}} : tensor<1x?x64xf32>)
// RUN: loomc %S/llama_int8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=RANGE
// RANGE: %[[L:[^ ,:]+]]:3 = scf.forall
// RANGE: %[[R:[^ ,:]+]]:2 = linalg.generic {{.*}} ins(%[[L]]#0, %[[L]]#1 : tensor<1x?xf32>, tensor<1x?xf32>) outs(%{{[^ ,]+}}, %{{[^ ,]+}} : tensor<f32>, tensor<f32>)
// RANGE: loom_quant.dynamic_quantize %[[L]]#2 range(%[[R]]#0, %[[R]]#1 : tensor<f32>, tensor<f32>)
// RANGE-COUNT-4: loom_quant.dynamic_quantize {{.*}} range(
// RANGE-NOT: range(

// LayerNorm's mean and variance both inside the loop:
// LN: scf.forall
// LN: "reduction"]} ins(%{{[^ ,]+}} : tensor<1x1x64xf32>)
// LN: "reduction"]} ins(%{{[^ ,]+}} : tensor<1x1x64xf32>)
// LN: scf.forall.in_parallel

// GQA-COUNT-2: loom_attn.attention {{.*}} : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>
// MHA-COUNT-2: loom_attn.attention {{.*}} : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>
// CHECK-NOT: loom_attn.attention
// RoPE on Q and K of both layers, raised from x * cos + rotate_half(x) * sin:
// ROPE-COUNT-4: loom_attn.rope {{.*}} : tensor<1x{{[24]}}x?x16xf32>, tensor<1x?xi64>, tensor<?x8xf32>, tensor<?x8xf32>
// ROPE-NOT: loom_attn.rope

// Masks. transformers' mask is (kv <= q) and (a packed-sequence test) and
// (true). The packed-sequence test compares sequence ids, the cumulative sum
// of `pos[t + 1] - pos[t] != 1` over the position ids, which are a Range with
// its first element minus one prepended: the steps are all 1, the ids all 0,
// so the test always holds and the mask is exactly the causal band. The
// opset-23 export hands the mask to Attention as i1, the opset-18 exports
// add it as where(mask, 0, lowest float); all three become `causal` with no
// mask operand.
// CAUSAL-COUNT-2: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} scale(2.500000e-01) causal :
// CAUSAL-NOT: loom_attn.attention

// GPT-2's residual adds after Gemm + Reshape (attention and MLP outputs of
// both layers) start the Gemm's accumulation, reshaped back to its rows.
// EPI-COUNT-4: outs(%reshape{{[_0-9]*}} : tensor<?x64xf32>)
// EPI-NOT: outs(%reshape{{[_0-9]*}} : tensor<?x64xf32>)
