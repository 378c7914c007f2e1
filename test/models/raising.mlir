// The raising passes (loom-raise-moe, loom-raise-quant, in loom-optimize, which
// loomc runs before lowering) on the exported test models: the MoE decoder's block
// (f32) and the bf16 MoE block each become
// loom_moe ops with no dense per-expert FFN left, and every quantized linear
// layer of the int8 (ORT dynamic quantization: 15 MatMulInteger) and int4
// (15 MatMulNBits) Llama models is a loom_quant.matmul, as is the FP8 QDQ
// layer (matmul_fp8: e4m3 Quantize/DequantizeLinear around a MatMul, opset
// 19; its product's tensor cores are checked in
// test/target/nvidia/fp8-tensor-cores.mlir). run_models.sh checks
// that the models still match their references.

// RUN: loomc %S/moe_opset18/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=MOE
// RUN: loomc %S/moe_bf16/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=BF16
// RUN: loomc %S/llama_int8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=INT8
// RUN: loomc %S/llama_int8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=NOINT
// RUN: loomc %S/llama_int4/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=INT4
// RUN: loomc %S/matmul_fp8/model.onnx --emit=loom --quiet | FileCheck %s --check-prefix=FP8

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

// The bf16 block of the GPU benchmark (torch.onnx.export, dynamo, opset 18;
// make_moe_bf16.py), whose router casts between bf16 and f32 around the
// renormalising and per-expert sums: raised the same way, on bf16; route
// selects on the graph's bf16-rounded softmax (`given`), and the graph's
// renormalisation (f32 sum, truncating Cast, bf16 divide) of route's values
// gives combine its weights. No expert Gemm over all 64 tokens
// ([64, 64] x [128, 64]^T, [64, 128] x [64, 128]^T) and no expert mask.
// BF16-NOT: tensor<64x64xbf16>, tensor<128x64xbf16>
// BF16-NOT: tensor<64x128xbf16>, tensor<64x128xbf16>
// BF16-NOT: arith.uitofp
// BF16: %[[SEL:[^ ,]+]], %[[IDS:[^ ,]+]] = loom_moe.route %{{[^ ,]+}} top 2 given : tensor<64x8xbf16> -> tensor<64x2xf32>, tensor<64x2xi32>
// BF16: %[[W:[^ ,]+]] = scf.forall
// BF16: tensor.extract_slice %[[SEL]]
// BF16: arith.divf %{{[^ ,]+}}, %{{[^ ,]+}} : bf16
// BF16: %[[XS:[^ ,]+]], %[[OFF:[^ ,]+]], %[[PERM:[^ ,]+]] = loom_moe.dispatch %{{[^ ,]+}}, %[[IDS]] experts 8
// BF16-COUNT-2: loom_moe.grouped_matmul %[[XS]], %{{[^ ,]+}}, %[[OFF]] : tensor<128x64xbf16>, tensor<8x64x128xbf16>
// BF16: %[[Y:[^ ,]+]] = loom_moe.grouped_matmul %{{[^ ,]+}}, %{{[^ ,]+}}, %[[OFF]] : tensor<128x128xbf16>, tensor<8x128x64xbf16>
// BF16: loom_moe.combine %[[Y]], %[[PERM]], %[[W]] : tensor<128x64xbf16>, tensor<128xi32>, tensor<64x2xf32> -> tensor<64x64xbf16>
// BF16-NOT: loom_moe
// BF16-NOT: tensor<64x64xbf16>, tensor<128x64xbf16>
// BF16-NOT: tensor<64x128xbf16>, tensor<64x128xbf16>
// BF16-NOT: arith.uitofp

// (ORT's weight zero points are all 0: the op drops them after canonicalization.)
// INT8-COUNT-15: loom_quant.matmul %{{[^ ,]+}}, %{{[^ ,]+}} scale %{{[^ ,]+}} {{(zero_point %[^ ,]+ )?}}input_scale %{{[^ ,]+}} input_zero_point %{{[^ ,]+}} {input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8{{(, zero_point)?}}>}
// INT8-NOT: loom_quant.matmul
// No integer contraction (MatMulInteger's i8 x i8 -> i32) is left.
// NOINT-NOT: i8 to i32

// INT4-COUNT-15: loom_quant.matmul {{.*}}transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>
// INT4-NOT: loom_quant.matmul

// The input's QuantizeLinear stays (it makes the e4m3 activations); both
// DequantizeLinear and the float MatMul are gone.
// FP8: %[[Q:.+]] = loom_quant.quantize %{{.+}}, %[[SX:[^ ]+]] {scheme = #loom_quant.scheme<f8E4M3FN>}
// FP8: loom_quant.matmul %[[Q]], %{{.+}} scale %{{.+}} input_scale %[[SX]] {input_scheme = #loom_quant.scheme<f8E4M3FN>, weight_scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 1)>} : (tensor<2x20x64xf8E4M3FN>, tensor<64x96xf8E4M3FN>, tensor<96xf32>, tensor<f32>) -> tensor<2x20x96xf32>
// FP8-NOT: loom_quant.dequantize
// FP8-NOT: linalg.generic
