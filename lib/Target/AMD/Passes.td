//===- Passes.td - Passes of the AMD target ----------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_PASSES_TD
#define LOOM_TARGET_AMD_PASSES_TD

include "mlir/Pass/PassBase.td"

def MatmulToMfmaPass : Pass<"loom-amd-matmul-to-mfma", "func::FuncOp"> {
  let summary = "Runs matmuls on the matrix cores (MFMA) with double-buffered "
                "LDS tiles";
  let description = [{
    Runs on buffers, before linalg becomes loops, for CDNA chips (gfx908,
    gfx90a, gfx942, gfx950). A `linalg.matmul`, or a `linalg.generic` that
    is one (maps (i, k), (k, j), (i, j), body `out + a * b`: how the ONNX
    importer writes MatMul), with f32 operands,
    identity layouts, a static K that is a multiple of 16 and a static N
    that is a multiple of 32 (M may be dynamic: rows past it are masked)
    becomes a `gpu.launch` of 256-thread workgroups, four wave64 wavefronts,
    each workgroup computing a 32x32 tile of C.

    LDS holds two buffers per operand (workgroup attributions
    `memref<2 x 32 x (K step + pad)>`; B is stored N-major, like A, so that
    both fragments are contiguous 16-byte reads). The prologue stages K
    step 0 in buffer 0. Step s then issues the global loads of step s + 1
    (8 bytes per thread and operand), reads its fragments from buffer s % 2
    (`ds_read_b128`), runs its MFMAs (four `amdgpu.mfma 16x16x4` for f32,
    v_mfma_f32_16x16x4f32), writes the loaded step into the other buffer
    (`ds_write`) and meets the workgroup at one barrier. The accumulator
    stays in registers and is stored once.

    Lane layout of the 16x16 MFMAs (one block): lane i + 16q supplies
    A[i][k] and B[k][j = i] for its quarter q of the instruction's K; lane
    j + 16q holds D[4q .. 4q+3][j].

    Not done yet: f16/bf16 inputs, larger per-wave tiles. Other matmuls
    are left to the SIMT path.

    Example: `linalg.matmul ins(%a, %b : memref<?x256xf32>,
    memref<256x64xf32>) outs(%c : memref<?x64xf32>)` becomes a
    `gpu.launch` over (ceil(M/32), 2) workgroups of 256 threads with
    `workgroup(memref<2x32x20xf32, 3>, memref<2x32x20xf32, 3>)`.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"gfx942\"",
           "The CDNA chip (picks the MFMA of each element type)">,
  ];
  let dependentDialects = ["mlir::amdgpu::AMDGPUDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // LOOM_TARGET_AMD_PASSES_TD
