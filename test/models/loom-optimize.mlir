// The committed exported models after loom-optimize (loomc --emit=loom):
// one loom_attn.attention per layer (two layers each); the Llama models'
// grouped-query heads (4 query heads over 2 KV heads) read the 2 KV heads,
// not a repeat_kv copy; the opset-18 Llama's exported RoPE is loom_attn.rope
// (the opset-23 one imports RotaryEmbedding as loom_attn.rope directly).
// RUN: loomc %S/llama_opset18/model.onnx --emit=loom --quiet > %t.l18.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,GQA < %t.l18.mlir
// RUN: FileCheck %s --check-prefix=ROPE < %t.l18.mlir
// RUN: loomc %S/llama_opset23/model.onnx --emit=loom --quiet | FileCheck %s --check-prefixes=CHECK,GQA
// RUN: loomc %S/gpt2_opset18/model.onnx --emit=loom --quiet | FileCheck %s --check-prefixes=CHECK,MHA

// GQA-COUNT-2: loom_attn.attention {{.*}} : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>
// MHA-COUNT-2: loom_attn.attention {{.*}} : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>
// CHECK-NOT: loom_attn.attention
// RoPE on Q and K of both layers, raised from x * cos + rotate_half(x) * sin:
// ROPE-COUNT-4: loom_attn.rope {{.*}} : tensor<1x{{[24]}}x?x16xf32>, tensor<1x?xi64>, tensor<?x8xf32>, tensor<?x8xf32>
// ROPE-NOT: loom_attn.rope
