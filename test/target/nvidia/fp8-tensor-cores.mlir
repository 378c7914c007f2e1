// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_89 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SM80
// The exported FP8 QDQ linear layer (test/models/matmul_fp8, 40 x 64 x 96):
// its product is one kernel with K / 32 = 2 e4m3 mma steps.
// RUN: loomc %S/../../models/matmul_fp8/model.onnx --emit=loom --quiet | loom-opt --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=MODEL

// FP8 (e4m3) quantized matmuls on sm_89 and newer: the product of the stored
// 8-bit floats runs on mma.sync m16n8k32 with e4m3 multiplicands and f32
// accumulators (PTX ISA 8.4), A's registers loaded 4 bytes at once, a row
// tile's stores guarded by the dynamic row count; the two scales are an
// elementwise kernel after it. sm_80 has no FP8 tensor cores: the
// dequantizing contraction (SIMT) compiles instead.
// CHECK: .version 8.4
// CHECK-LABEL: .visible .entry fp8_kernel(
// CHECK: ld.global.b32
// CHECK: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
// CHECK: setp.ge.u64 [[P:%p[0-9]+]], %{{.+}}, %{{.+}};
// CHECK: @[[P]] bra
// CHECK: st.global.b32
// CHECK: .visible .entry fp8_kernel(
// CHECK-NOT: mma.sync
// CHECK: mul.{{(rn.)?}}f32
// SM80: .version 8.0
// SM80-NOT: mma.sync
// SM80: .visible .entry fp8_kernel(
// SM80-NOT: mma.sync
func.func @fp8(%a: tensor<1x?x64xf8E4M3FN>, %w: tensor<64x32xf8E4M3FN>, %ws: tensor<32xf32>, %as: tensor<f32>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         input_scheme = #loom_quant.scheme<f8E4M3FN>,
         weight_scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 1)>}
         : (tensor<1x?x64xf8E4M3FN>, tensor<64x32xf8E4M3FN>, tensor<32xf32>, tensor<f32>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// MODEL-COUNT-2: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
// MODEL-NOT: mma.sync
