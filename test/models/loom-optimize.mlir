// The committed exported models after loom-optimize (loomc --emit=loom):
// one loom_attn.attention per layer (two layers each); the Llama models'
// grouped-query heads (4 query heads over 2 KV heads) read the 2 KV heads,
// not a repeat_kv copy.
// RUN: loomc %S/llama_opset18/model.onnx --emit=loom --quiet | FileCheck %s --check-prefixes=CHECK,GQA
// RUN: loomc %S/llama_opset23/model.onnx --emit=loom --quiet | FileCheck %s --check-prefixes=CHECK,GQA
// RUN: loomc %S/gpt2_opset18/model.onnx --emit=loom --quiet | FileCheck %s --check-prefixes=CHECK,MHA

// GQA-COUNT-2: loom_attn.attention {{.*}} : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>
// MHA-COUNT-2: loom_attn.attention {{.*}} : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>
// CHECK-NOT: loom_attn.attention
