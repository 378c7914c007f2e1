//===- Passes.td - Passes of the AMD target ----------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_PASSES_TD
#define LOOM_TARGET_AMD_PASSES_TD

include "mlir/Pass/PassBase.td"

def MatmulToMfmaPass : Pass<"loom-amd-matmul-to-mfma", "func::FuncOp"> {
  let summary = "Runs f32 matmuls on the matrix cores (MFMA) with LDS staging";
  let description = [{
    Runs on buffers, before linalg becomes loops, for CDNA chips (gfx908,
    gfx90a, gfx942, gfx950). A `linalg.matmul`, or a `linalg.generic` that
    is one (maps (i, k), (k, j), (i, j), body `out + a * b`: how the ONNX
    importer writes MatMul), with f32 operands,
    identity layouts, a static K that is a multiple of 16 and a static N
    that is a multiple of 32 (M may be dynamic: rows past it are masked)
    becomes a `gpu.launch` of 256-thread workgroups, four wave64 wavefronts,
    each workgroup computing a 32x32 tile of C. Per step of 16 along K, the
    workgroup stages the 32x16 tile of A and the 16x32 tile of B in LDS
    (workgroup attributions: `ds_write`), synchronizes, and each wavefront
    reads its fragments from LDS (`ds_read`) into four
    `amdgpu.mfma 16x16x4` (v_mfma_f32_16x16x4f32) on its 16x16 quarter; the
    accumulator stays in registers and is stored once.

    Lane layout of v_mfma_f32_16x16x4f32 (one block): A[i][k] and B[k][j]
    come from lane i + 16k (j + 16k); lane j + 16q holds D[4q .. 4q+3][j].

    Not done yet: double buffering of the LDS tiles, f16/bf16 inputs,
    larger per-wave tiles. Other matmuls are left to the SIMT path.

    Example: `linalg.matmul ins(%a, %b : memref<?x256xf32>,
    memref<256x64xf32>) outs(%c : memref<?x64xf32>)` becomes a
    `gpu.launch` over (ceil(M/32), 2) workgroups of 256 threads with
    `workgroup(memref<32x16xf32, 3>, memref<16x32xf32, 3>)`.
  }];
  let dependentDialects = ["mlir::amdgpu::AMDGPUDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // LOOM_TARGET_AMD_PASSES_TD
