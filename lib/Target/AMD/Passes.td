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
    gfx90a, gfx942, gfx950). Takes contractions (`linalg.matmul`,
    `linalg.batch_matmul`, or a `linalg.generic` with body `out + a * b`,
    the operands possibly extended: how the ONNX importer writes MatMul and
    Gemm) whose loops are batch (in A, B and C), rows (A, C), columns (B,
    C) and K (A, B), each operand's dimensions grouped in that order, B's
    as K then N or N then K (N x K weights, `x @ W^T`). The groups are
    collapsed into [batch,] M x K, K x N (or N x K) and M x N views. Element
    types: A and B f32 (four v_mfma_f32_16x16x4f32 per K step of 16), f16
    (two v_mfma_f32_16x16x16f16 per step of 32) or bf16 (two
    v_mfma_f32_16x16x16bf16_1k per step of 32; on gfx908 four
    v_mfma_f32_16x16x8bf16), C f32: 16-bit products accumulate in f32, the
    importer's rounding to the 16-bit type stays a separate elementwise op,
    so the result is rounded once; or sign-extended i8 with an i32 C (two
    v_mfma_i32_16x16x32_i8 per K step of 64 on gfx942 / gfx950, four
    v_mfma_i32_16x16x16i8 before). Identity layouts; K and N static, K a
    multiple of the step, N of 32; M and the batch may be dynamic (rows
    past M are clamped loads whose results are not stored).

    The kernel is a `gpu.launch` over (ceil(M/32), N/32, batch) workgroups
    of 256 threads, four wave64 wavefronts; a workgroup computes a 32x32
    tile of C, each wavefront a 16x16 quarter. LDS holds two buffers per
    operand (workgroup attributions `memref<2 x 32 x (K step + pad)>`; B is
    stored N-major, like A, so that both fragments are contiguous 16-byte
    reads). The prologue stages K step 0 in buffer 0. Step s then issues
    the global loads of step s + 1 (8 bytes per thread and operand), reads
    its fragments from buffer s % 2 (`ds_read_b128`), runs its MFMAs,
    writes the loaded step into the other buffer (`ds_write`) and meets the
    workgroup at one barrier. The accumulator stays in registers and is
    stored once.

    Lane layout of the 16x16 MFMAs (one block): lane i + 16q supplies
    A[i][k] and B[k][j = i] for its quarter q of the instruction's K; lane
    j + 16q holds D[4q .. 4q+3][j].

    Not done yet: unsigned or zero-pointed integer operands, larger
    per-wave tiles, dynamic N or K, strided operands (attention's views). Other matmuls are left to the
    SIMT path.

    Example: `linalg.matmul ins(%a, %b : memref<?x256xf32>,
    memref<256x64xf32>) outs(%c : memref<?x64xf32>)` becomes a
    `gpu.launch` over (ceil(M/32), 2, 1) workgroups of 256 threads with
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

def GroupedMatmulToMfmaPass
    : Pass<"loom-amd-grouped-matmul-to-mfma", "func::FuncOp"> {
  let summary = "Runs MoE grouped matmuls on the matrix cores (MFMA)";
  let description = [{
    Runs on tensors, before `loom-convert-moe-to-linalg`, for CDNA chips.
    Takes `loom_moe.grouped_matmul` with f32, f16 or bf16 operands, static
    E, K and N (K a multiple of the K step: 16 for f32, 32 for 16-bit; N a
    multiple of 32) and dynamic M, and rewrites it into the operands'
    buffers (`bufferization.to_buffer`), the result's `memref.alloc`, one
    `gpu.launch` and `bufferization.to_tensor restrict`.

    The launch has (ceil(M/32) + E, N/32, 1) workgroups of 256 threads
    (four wave64 wavefronts): the experts' rows are cut into tiles of 32
    that never span two experts, at most ceil(M/32) + E of them, and each
    workgroup finds its tile's expert and rows by scanning
    `expert_offsets`; workgroups past the last tile do nothing. Per tile
    the kernel is loom-amd-matmul-to-mfma's: each wavefront a 16x16
    quarter on 16x16xK MFMAs (v_mfma_f32_16x16x4f32 for f32, the 16x16x16
    f16/bf16 forms for 16-bit; bf16 on gfx908 its 16x16x8 form), two LDS
    buffers per operand (w[e] staged N-major), one barrier per K step, an
    f32 accumulator rounded once to a 16-bit result. Rows past the
    expert's end load its last row and are not stored.

    `gpu.barrier` and `amdgpu.sched_barrier` get memory-effect models
    (read and write all memory) where they have none, since the buffer
    deallocation that runs later rejects ops with unknown effects.

    Not done: quantized expert weights, N x K weight stacks read in place
    (they are transposed by the generic path first), larger per-wave tiles.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"gfx942\"",
           "The CDNA chip (picks the MFMA of each element type)">,
  ];
  let dependentDialects = ["mlir::amdgpu::AMDGPUDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def DequantMatmulToMfmaPass
    : Pass<"loom-amd-dequant-matmul-to-mfma", "func::FuncOp"> {
  let summary = "Runs dequantizing f32 contractions on the f32 MFMA, the "
                "weights dequantized into LDS";
  let description = [{
    Runs on buffers after loom-amd-matmul-to-mfma, for CDNA chips. Takes
    the f32 contractions that `loom-convert-quant-to-linalg` makes of a
    `loom_quant.matmul` with f32 activations (4-bit per-group packed
    weights, their scales and zero points read and dequantized in the
    body, `(q - zp) * scale` in f32), also after elementwise producers
    were fused into them: a `linalg.generic` with one reduction loop whose
    body ends in `out + x * y` with x and y f32 values computed from
    disjoint loops: x (the A side) from the rows of C and K, y (the B
    side) from its columns and K, each from block arguments, `linalg.index`
    and `memref.load`s of buffers defined outside, through side-effect-free
    ops without regions. At least one side converts an integer to f32 (a
    dequantization). C an identity-layout f32 buffer whose rows precede its
    columns; K and N static, K % 16, N % 32; M (the rows' product) may be
    dynamic; no batch loops.

    The kernel is loom-amd-matmul-to-mfma's f32 kernel (the shared body in
    MfmaKernel.cpp: 32x32 tiles of C, four wavefronts each on 16x16
    quarters, two LDS buffers per operand, one barrier per K step of 16,
    four v_mfma_f32_16x16x4f32 per step), with the operands computed while
    staged: each thread takes 2 consecutive K elements of one row of A and
    of one column of B; for each, the body's slice of that side is cloned
    at those loop indices. Its loads (the inputs' elements through their
    indexing maps: a weight byte, its group's scale, a zero-point byte)
    are issued with the next step's loads before the MFMAs; the rest (the
    nibble shift and mask, `(q - zp) * scale`, a fused activation) runs
    after them and writes f32 to LDS. The products and sums are the
    contraction's own in f32; only the order of the K sum differs.

    Example: the contraction over (d0, d1, d2, d3) reading
    `memref<1x?x64xf32>`, `memref<64x32xi8>` at `(d2, d3 floordiv 2)` and
    `memref<64x2xf32>` at `(d2, d3 floordiv 32)` becomes a `gpu.launch`
    over (ceil(M/32), 2, 1) workgroups of 256 threads with
    `workgroup(memref<2x32x20xf32, 3>, memref<2x32x20xf32, 3>)`.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"gfx942\"",
           "The CDNA chip">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::amdgpu::AMDGPUDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def AttentionToMfmaPass : Pass<"loom-amd-attention-to-mfma", "func::FuncOp"> {
  let summary = "Runs attention as a flash-attention kernel on the matrix "
                "cores (MFMA)";
  let description = [{
    Runs on tensors, before `loom-convert-attn-to-linalg`, for CDNA chips.
    Takes `loom_attn.attention` with query, key, value and result of one
    element type (f32 on v_mfma_f32_16x16x4f32, f16 / bf16 on the 16x16x16
    forms, gfx908's bf16 on its 16x16x8 form), static batch, heads and D
    (a multiple of 16, at most 64, the same for values), Hq a multiple of
    Hkv (grouped-query: kv head = q head / (Hq / Hkv)), dynamic or static
    Sq and Skv, optionally causal (bottom-right aligned), an optional mask
    (additive f32 / f16 / bf16, or i1) broadcasting to [B, Hq, Sq, Skv],
    and a scale. The op becomes its operands' buffers
    (`bufferization.to_buffer`), the result's `memref.alloc`, one
    `gpu.launch` and `bufferization.to_tensor restrict`.

    The launch has (B * Hq, ceil(Sq / 64)) workgroups of 256 threads (four
    wave64 wavefronts, 16 query rows each; causal: the last query block
    first). Q stays in registers. Blocks of 16 keys, up to the workgroup's
    last visible key (causal blocks above the diagonal are not visited), are
    double-buffered in LDS (K and V, rows padded by 16 bytes): step i issues
    block i + 1's global loads, computes block i, stores block i + 1 to the
    other buffer, one barrier per step. The kernel computes S^T = K Q^T and
    O^T += V^T P^T so that each lane holds one query row: lane
    c + 16 q (c < 16) holds the scores of row c against keys 4 q .. 4 q + 3
    of a 16-key tile and O[row c][4 q .. 4 q + 3] of a 16-wide D tile; the
    online softmax runs in f32 in the exp2 domain, the row max is reduced
    over the row's four lanes by two `gpu.shuffle xor` (16, 32). Keys past
    Skv are loaded clamped and scored -inf; query rows past Sq are loaded
    clamped and not stored; rows without visible keys give 0, as in
    `loom-convert-attn-to-linalg`.

    `gpu.barrier` and `amdgpu.sched_barrier` get memory-effect models as in
    loom-amd-grouped-matmul-to-mfma.

    Not done: biases, windows, sinks, softcap, sparsity, D above 64 or
    Dv != D, dynamic batch or heads, LDS-transposed V (V^T operands are
    read one element at a time). Verified by compiling only (no AMD GPU
    has run it).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"gfx942\"",
           "The CDNA chip (picks the MFMA of each element type)">,
  ];
  let dependentDialects = ["mlir::amdgpu::AMDGPUDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::ROCDL::ROCDLDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // LOOM_TARGET_AMD_PASSES_TD
