// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa f32-matmul=simt" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SIMT
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_75 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SM75
// The committed MatMulNBits model: y1, y2, y3 and y4 (N = 40: one column
// tile, columns past 40 not stored) take the kernel (32 mma.sync each).
// RUN: loomc %S/../../models/linear_w4a16/model.onnx --emit=loom -o - | loom-opt --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=MODEL
// RUN: loomc %S/../../models/linear_w4a16/model.onnx --emit=loom -o - | loom-opt --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=MODEL
// MODEL-COUNT-128: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// MODEL-NOT: mma.sync

// A W4A16 f16 matmul (MatMulNBits' form, dynamic M) on sm_80 and newer:
// 16-byte global loads of A and of the nibbles, A staged in shared memory,
// the nibbles unpacked into f16 pairs (bits 16-19 from the high nibble,
// | 0x64006400), minus 1024 + zp and times the scale in f16x2, the tile
// stored to shared memory, ldmatrix.x4 fragment loads, m16n8k16 f16 mma.sync
// with f32 accumulators, f32 pairs rounded to f16 and stored as 32 bits.
// CHECK-LABEL: .visible .entry w4_f16_kernel(
// CHECK-NOT: .local
// CHECK: ld.global.v4.b32
// CHECK: st.shared.v4.b32
// CHECK: and.b32 {{.+}}, 983040;
// CHECK: or.b32 {{.+}}, 1677747200;
// CHECK: sub.rn.f16x2
// CHECK: mul.rn.f16x2
// CHECK: st.shared.v4.b32
// CHECK: bar.sync 0
// CHECK: ld.global.v4.b32
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: bar.sync 0
// CHECK: cvt.rn.f16x2.f32
// CHECK: st.global.b32
// sm_75 has no kernel: the dequantizing loops.
// SM75: .target sm_75
// SM75-NOT: mma.sync
func.func @w4_f16(%a: tensor<?x256xf16>, %w: tensor<128x128xi8>, %s: tensor<128x8xf16>, %z: tensor<128x8xi4>) -> tensor<?x128xf16> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight,
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>}
         : (tensor<?x256xf16>, tensor<128x128xi8>, tensor<128x8xf16>, tensor<128x8xi4>) -> tensor<?x128xf16>
  return %y : tensor<?x128xf16>
}

// -----

// bf16 (a 3-d input, groups of 16, zero point 8): the nibbles | 0x43004300
// (128 + q), bf16 mma.sync.
// CHECK-LABEL: .visible .entry w4_bf16_kernel(
// CHECK-NOT: .local
// CHECK: or.b32 {{.+}}, 1124090624;
// CHECK: st.shared.v4.b32
// CHECK: bar.sync 0
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: cvt.rn.bf16x2.f32
// CHECK: st.global.b32
// SM75: .target sm_75
// SM75-NOT: mma.sync
func.func @w4_bf16(%a: tensor<2x?x128xbf16>, %w: tensor<64x64xi8>, %s: tensor<64x8xbf16>) -> tensor<2x?x64xbf16> {
  %z = arith.constant dense<8> : tensor<64x8xi4>
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight,
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 16), zero_point, packed>}
         : (tensor<2x?x128xbf16>, tensor<64x64xi8>, tensor<64x8xbf16>, tensor<64x8xi4>) -> tensor<2x?x64xbf16>
  return %y : tensor<2x?x64xbf16>
}

// -----

// f32 activations (the int4 Llama's form, N = 32): f32 tiles staged in
// shared memory (A's 16-byte loads stored as is; the nibbles shifted,
// masked, made f32, minus the zero point, times the scale in f32), the
// fragments read with 32-bit shared loads and split with cvt.rna.tf32.f32
// (hi, and lo from the rounding error), 3xTF32 m16n8k8 mma.sync (192 per
// K step of 64), f32 pairs stored as 64 bits.
// CHECK-LABEL: .visible .entry w4_f32_kernel(
// CHECK-NOT: .local
// CHECK: ld.global.v4.b32
// CHECK: st.shared.v4.b32
// CHECK: cvt.rn.f32.u32
// CHECK: sub.rn.f32
// CHECK: mul.rn.f32
// CHECK: st.shared.v4.b32
// CHECK: bar.sync 0
// CHECK: ld.global.v4.b32
// CHECK: ld.shared.b32
// CHECK: cvt.rna.tf32.f32
// CHECK: sub.rn.f32
// CHECK: cvt.rna.tf32.f32
// CHECK-COUNT-192: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK-NOT: mma.sync
// CHECK: bar.sync 0
// CHECK-NOT: cvt.rn.f16x2.f32
// CHECK: st.global.v2.b32
// SM75: .target sm_75
// SM75-NOT: mma.sync
// f32-matmul=simt: the f32 product stays on the dequantizing loops.
// SIMT-LABEL: .visible .entry w4_f32_kernel(
// SIMT-NOT: mma.sync
// SIMT-NOT: cvt.rna.tf32.f32
func.func @w4_f32(%a: tensor<1x?x64xf32>, %w: tensor<32x32xi8>, %s: tensor<32x2xf32>, %z: tensor<32x2xi4>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight,
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>}
         : (tensor<1x?x64xf32>, tensor<32x32xi8>, tensor<32x2xf32>, tensor<32x2xi4>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}
