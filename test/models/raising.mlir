// The raising passes (loom-raise-moe, loom-raise-quant, in loom-optimize, which
// loomc runs before lowering) on the exported test models: the MoE decoder's block becomes
// loom_moe ops with no dense per-expert FFN left, and every quantized linear
// layer of the int8 (ORT dynamic quantization: 15 MatMulInteger) and int4
// (15 MatMulNBits) Llama models is a loom_quant.matmul. run_models.sh checks
// that the models still match their references.

// RUN: loomc %S/moe_opset18/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=MOE
// RUN: loomc %S/llama_int8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=INT8
// RUN: loomc %S/llama_int8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=NOINT
// RUN: loomc %S/llama_int4/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=INT4

// No expert Gemm over all tokens ([T, 64] x [128, 64]^T and
// [T, 128] x [64, 128]^T), no expert mask (Equal, then Cast: uitofp).
// MOE-NOT: tensor<?x64xf32>, tensor<128x64xf32>
// MOE-NOT: tensor<?x128xf32>, tensor<64x128xf32>
// MOE-NOT: arith.uitofp
// MOE: %[[W:[^ ,]+]], %[[IDS:[^ ,]+]] = loom_moe.route %{{[^ ,]+}} top 2 softmax normalize : tensor<?x4xf32>
// MOE: %[[XS:[^ ,]+]], %[[OFF:[^ ,]+]], %[[PERM:[^ ,]+]] = loom_moe.dispatch %{{[^ ,]+}}, %[[IDS]] experts 4
// MOE: loom_moe.grouped_matmul %[[XS]], %{{[^ ,]+}}, %[[OFF]] : tensor<?x64xf32>, tensor<4x64x128xf32>
// MOE: loom_moe.grouped_matmul %[[XS]], %{{[^ ,]+}}, %[[OFF]] : tensor<?x64xf32>, tensor<4x64x128xf32>
// MOE: %[[Y:[^ ,]+]] = loom_moe.grouped_matmul %{{[^ ,]+}}, %{{[^ ,]+}}, %[[OFF]] : tensor<?x128xf32>, tensor<4x128x64xf32>
// MOE: loom_moe.combine %[[Y]], %[[PERM]], %[[W]]
// MOE-NOT: loom_moe
// MOE-NOT: tensor<?x64xf32>, tensor<128x64xf32>
// MOE-NOT: tensor<?x128xf32>, tensor<64x128xf32>
// MOE-NOT: arith.uitofp

// (ORT's weight zero points are all 0: the op drops them after canonicalization.)
// INT8-COUNT-15: loom_quant.matmul %{{[^ ,]+}}, %{{[^ ,]+}} scale %{{[^ ,]+}} {{(zero_point %[^ ,]+ )?}}input_scale %{{[^ ,]+}} input_zero_point %{{[^ ,]+}} {input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8{{(, zero_point)?}}>}
// INT8-NOT: loom_quant.matmul
// No integer contraction (MatMulInteger's i8 x i8 -> i32) is left.
// NOINT-NOT: i8 to i32

// INT4-COUNT-15: loom_quant.matmul {{.*}}transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>
// INT4-NOT: loom_quant.matmul
