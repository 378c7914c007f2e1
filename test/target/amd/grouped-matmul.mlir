// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-grouped-matmul-to-mfma))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --split-input-file --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// MoE expert matmuls on MFMA. An f32 grouped matmul (4 experts, K = 64,
// N = 96, M dynamic) becomes one launch of (ceil(M / 32) + 4) x 3
// workgroups of 256 threads with 10240 bytes of LDS (two buffers of
// 32 x (16 + 4) floats per operand). Each workgroup scans expert_offsets
// for its tile's expert and rows; the K loop stages the next step, reads
// 16-byte fragments and runs four v_mfma_f32_16x16x4f32; rows past the
// expert's end are not stored.
// CHECK-LABEL: func.func @experts_f32
// CHECK-NOT: loom_moe.grouped_matmul
// CHECK-DAG: %[[X:.+]] = bufferization.to_buffer %arg0 read_only : tensor<?x64xf32> to memref<?x64xf32>
// CHECK-DAG: %[[W:.+]] = bufferization.to_buffer %arg1 read_only : tensor<4x64x96xf32> to memref<4x64x96xf32>
// CHECK-DAG: %[[O:.+]] = bufferization.to_buffer %arg2 read_only : tensor<5xi32> to memref<5xi32>
// CHECK: %[[M:.+]] = memref.dim %[[X]], %{{.+}} : memref<?x64xf32>
// CHECK: %[[Y:.+]] = memref.alloc(%[[M]]) : memref<?x96xf32>
// CHECK: %[[T:.+]] = arith.divui
// CHECK: %[[TILES:.+]] = arith.addi %[[T]], %[[E:.+]] : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], {{.*}}) in ({{.*}} = %[[TILES]], {{.*}} = %c3{{.*}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}}) dynamic_shared_memory_size %c10240_i32
// CHECK: %[[SMEM:.+]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: %[[A:.+]] = memref.view %[[SMEM]][%{{.+}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x32x20xf32, #gpu.address_space<workgroup>>
// CHECK: %[[B:.+]] = memref.view %[[SMEM]][%c5120{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x32x20xf32, #gpu.address_space<workgroup>>
// The expert scan: (tiles before, expert, first row, end row).
// CHECK: %[[SCAN:.+]]:4 = scf.for {{.+}} -> (index, index, index, index)
// CHECK:   memref.load %[[O]]
// CHECK:   memref.load %[[O]]
// CHECK:   arith.cmpi uge, %[[BX]]
// CHECK:   scf.yield
// CHECK: %[[WORK:.+]] = arith.cmpi ult, %[[SCAN]]#2, %[[SCAN]]#3 : index
// CHECK: scf.if %[[WORK]] {
// CHECK:   vector.load %[[X]]{{.+}} : memref<?x64xf32>, vector<2xf32>
// CHECK:   vector.load %[[W]][%[[SCAN]]#1, {{.+}}] {alignment = 8 : i64} : memref<4x64x96xf32>, vector<2xf32>
// CHECK:   vector.store %{{.+}}, %[[A]]
// CHECK-COUNT-2: memref.store %{{.+}}, %[[B]]
// CHECK:   gpu.barrier
// CHECK:   scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<4xf32>) {
// CHECK:     vector.load %[[X]]
// CHECK:     vector.load %[[W]][%[[SCAN]]#1,
// CHECK:     amdgpu.sched_barrier allow = <salu>
// CHECK:     vector.load %[[A]]{{.+}} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:     vector.load %[[B]]{{.+}} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK:     amdgpu.sched_barrier allow = <salu>
// CHECK:     vector.store %{{.+}}, %[[A]]
// CHECK-COUNT-2: memref.store %{{.+}}, %[[B]]
// CHECK:     gpu.barrier
// CHECK:   arith.cmpi ult, %{{.+}}, %[[SCAN]]#3 : index
// CHECK:   memref.store %{{.+}}, %[[Y]]
// CHECK: bufferization.to_tensor %[[Y]] restrict writable : memref<?x96xf32> to tensor<?x96xf32>

// ISA: {{^}}experts_f32_kernel:
// ISA: global_load_dwordx2
// ISA: ds_write_b64
// ISA: s_barrier
// ISA: ds_read_b128
// ISA: ds_read_b128
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA: s_barrier
// ISA: global_store_dword
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .name: experts_f32_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_spill_count: 0
func.func @experts_f32(%x: tensor<?x64xf32>, %w: tensor<4x64x96xf32>, %o: tensor<5xi32>) -> tensor<?x96xf32> {
  %y = loom_moe.grouped_matmul %x, %w, %o : tensor<?x64xf32>, tensor<4x64x96xf32>, tensor<5xi32> -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}

// -----

// bf16: K steps of 32, two 16x16x16 bf16 MFMAs per step, an f32
// accumulator rounded once to bf16 on the store.
// CHECK-LABEL: func.func @experts_bf16
// CHECK: memref.alloc({{.+}}) : memref<?x64xbf16>
// CHECK: gpu.launch {{.+}} dynamic_shared_memory_size %c10240_i32
// CHECK: memref.view {{.+}} to memref<2x32x40xbf16, #gpu.address_space<workgroup>>
// CHECK: scf.for {{.+}} -> (vector<4xf32>) {
// CHECK:   vector.load {{.+}} : memref<2x32x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK-COUNT-2: amdgpu.mfma 16x16x16 {{.+}} : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: memref.store %{{.+}} : memref<?x64xbf16>

// ISA: {{^}}experts_bf16_kernel:
// ISA: ds_read_b128
// GFX942: v_mfma_f32_16x16x16_bf16
// GFX90A: v_mfma_f32_16x16x16bf16_1k
// GFX942: v_mfma_f32_16x16x16_bf16
// GFX90A: v_mfma_f32_16x16x16bf16_1k
// ISA: s_barrier
// ISA: global_store_short
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .name: experts_bf16_kernel
// ISA: .private_segment_fixed_size: 0
func.func @experts_bf16(%x: tensor<?x128xbf16>, %w: tensor<2x128x64xbf16>, %o: tensor<3xi32>) -> tensor<?x64xbf16> {
  %y = loom_moe.grouped_matmul %x, %w, %o : tensor<?x128xbf16>, tensor<2x128x64xbf16>, tensor<3xi32> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// f16: the 16x16x16 f16 MFMA, two per K step of 32.
// CHECK-LABEL: func.func @experts_f16
// CHECK: gpu.launch
// CHECK-COUNT-2: amdgpu.mfma 16x16x16 {{.+}} : vector<4xf16>, vector<4xf16>, vector<4xf32>
// CHECK: arith.truncf %{{.+}} : f32 to f16

// ISA: {{^}}experts_f16_kernel:
// ISA: ds_read_b128
// GFX942: v_mfma_f32_16x16x16_f16
// GFX90A: v_mfma_f32_16x16x16f16
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .name: experts_f16_kernel
// ISA: .private_segment_fixed_size: 0
func.func @experts_f16(%x: tensor<?x64xf16>, %w: tensor<8x64x32xf16>, %o: tensor<9xi32>) -> tensor<?x32xf16> {
  %y = loom_moe.grouped_matmul %x, %w, %o : tensor<?x64xf16>, tensor<8x64x32xf16>, tensor<9xi32> -> tensor<?x32xf16>
  return %y : tensor<?x32xf16>
}

// -----

// N not a multiple of 32: left to the generic lowering.
// CHECK-LABEL: func.func @odd_n
// CHECK: loom_moe.grouped_matmul
// CHECK-NOT: gpu.launch
func.func @odd_n(%x: tensor<?x64xf32>, %w: tensor<2x64x40xf32>, %o: tensor<3xi32>) -> tensor<?x40xf32> {
  %y = loom_moe.grouped_matmul %x, %w, %o : tensor<?x64xf32>, tensor<2x64x40xf32>, tensor<3xi32> -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}
