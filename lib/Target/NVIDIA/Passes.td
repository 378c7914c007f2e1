//===- Passes.td - Passes of the NVIDIA target -------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_PASSES_TD
#define LOOM_TARGET_NVIDIA_PASSES_TD

include "mlir/Pass/PassBase.td"

def MapLoopsToGPUPass : Pass<"loom-nvidia-map-loops-to-gpu", "func::FuncOp"> {
  let summary = "Tiles top-level parallel loops into blocks and threads";
  let description = [{
    Runs on buffers after linalg became `scf.parallel` loops. Each top-level
    `scf.parallel` is tiled by `[1, ..., 1, threads]`: the innermost
    (contiguous) dimension goes to `thread_x`, so that consecutive threads
    of a warp touch consecutive addresses (coalesced). Blocks: a 1-D loop
    uses `block_x`; otherwise the innermost dimension's tiles go to
    `block_y`, the next (rows, as many as tokens) to `block_x`, whose limit
    is 2^31 - 1 rather than 65535, the next to `block_z`; the rest stay
    sequential in each thread. Top-level code that no parallel loop
    covers (a full reduction's `scf.for`, a store into a 0-d buffer) is
    wrapped into a one-iteration parallel loop, so that it runs on the
    device too: after this pass the host only allocates, copies and
    launches. The loops carry `gpu.loop_dim_map` attributes for
    `convert-parallel-loops-to-gpu`.

    Example: `scf.parallel (%i, %j) = (0, 0) to (64, 1000) step (1, 1)`
    becomes an outer loop over `(64, ceil(1000/256))` blocks mapped to
    (block_x, block_y) and an inner loop over 256 threads on thread_x.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", "256",
           "Threads per block along the innermost dimension">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def VectorizeLoopsPass : Pass<"loom-nvidia-vectorize-loops", "func::FuncOp"> {
  let summary = "Gives each thread 16 contiguous bytes of elementwise loops";
  let description = [{
    Runs before `loom-nvidia-map-loops-to-gpu`. A top-level `scf.parallel`
    whose body is elementwise along its innermost dimension (loads and
    stores indexed by that dimension in the last position of identity-layout
    buffers whose last size is static, `arith`/`math` ops in between) gets
    that dimension stepped by 16 bytes' worth of elements: loads and stores
    become `vector.load`/`vector.store` with 16-byte alignment and the
    arithmetic is done on vectors. With the device buffers' alignment this
    gives `ld.global.v4.f32` / `st.global.v4.f32` on NVPTX: each warp moves
    512 contiguous bytes per instruction. Values that do not depend on the
    innermost index (a row's bias) stay scalar and are broadcast. Loops
    that do not fit (reductions, transposed accesses, sizes that are not a
    multiple of the vector width) are left alone.

    Example: `scf.parallel (%i) = (0) to (1024) step (1)` over `f32` loads
    becomes `step (4)` with `vector.load ... : vector<4xf32>`.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect"];
}

def MatmulToMmaSyncPass
    : Pass<"loom-nvidia-matmul-to-mma-sync", "func::FuncOp"> {
  let summary = "Runs float matmuls (f32 accumulator) on tensor cores with "
                "mma.sync: 16-bit on m16n8k16, f32 as 3xTF32 on m16n8k8";
  let description = [{
    Runs on buffers, before linalg becomes loops, for sm_80 and newer. Each
    matmul taken becomes a kernel of one warp per 16x8 output tile: each
    lane loads its fragments of A, B and C as the PTX ISA lays them out, a
    loop over K steps runs `nvvm.mma.sync`, and the lane stores its part of
    the tile. The loops carry their block/thread mapping. A zero
    `linalg.fill` of C (or a copy of a zero-filled buffer) right before the
    matmul becomes zero accumulators and goes.

    - 16-bit: a `linalg.matmul` with f16 or bf16 operands (pairs as
      vector<2xf16>, or packed in 32-bit registers for bf16), an f32
      accumulator and static, identity-layout shapes that are multiples
      of the m16n8k16 instruction; K steps of 16.
    - f32 (`f32=3xtf32`, the default): a `linalg.matmul` or
      `linalg.batch_matmul` (batch on grid z), plain or transposed-B (B
      stored N x K), or a contraction `linalg.generic` that is one once
      its dimensions are grouped (as `loom-nvidia-matmul-to-wgmma` groups
      them), all operands f32 with identity layouts, K and N static
      multiples of 8, M any size, dynamic included (the last row tile's
      rows past M read row M - 1 and are not stored). K steps of 8 on
      `mma.sync.m16n8k8` tf32 with the 3xTF32 split: each value x is
      hi + lo with hi = tf32(x) (`cvt.rna.tf32.f32`) and lo = tf32(x - hi),
      and each step is acc += a.hi * b.lo, acc += a.lo * b.hi,
      acc += a.hi * b.hi (three mma.sync, small terms first): about 1e-6
      relative error, near f32's, at tensor-core speed. `f32=simt` leaves
      f32 matmuls to the SIMT loops.

    Fragments come straight from global memory (no shared-memory staging,
    no ldmatrix). Other matmuls are left to the SIMT path.
  }];
  let options = [
    Option<"f32", "f32", "std::string", /*default=*/"\"3xtf32\"",
           "f32 matmuls: '3xtf32' (tensor cores, near-f32 accuracy) or "
           "'simt' (left to the SIMT loops)">,
  ];
  let dependentDialects = ["mlir::nvgpu::NVGPUDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def GroupedMatmulToMmaPass
    : Pass<"loom-nvidia-grouped-matmul-to-mma", "func::FuncOp"> {
  let summary = "Runs 16-bit and f32 (3xTF32) MoE grouped matmuls on tensor "
                "cores with mma.sync";
  let description = [{
    Runs on tensors, before `loom-convert-moe-to-linalg`, for sm_80 and
    newer. A `loom_moe.grouped_matmul` with f16 or bf16 operands, static
    `E`, `K`, `N`, `K` a multiple of 32 and `N` of 64 (`M` may be dynamic)
    becomes `bufferization.to_buffer` of its operands, a `memref.alloc` of
    the result, a `gpu.launch` and `bufferization.to_tensor restrict` of the
    result buffer. The kernel: blocks of 128 threads on 64x64 output tiles;
    each expert's rows are cut into tiles of 64 (a tile never spans two
    experts) and block x finds its tile's expert and rows by scanning
    `expert_offsets`; the grid has `ceil(M / 64) + E` rows of blocks (the
    worst case), blocks past the last tile exit. K steps of 32 go through
    shared memory with 16-byte loads, double-buffered (the next step's
    global loads are issued before the current step's mma); each warp runs
    2 x 4 `nvvm.mma.sync` m16n8k16 with f32 accumulators per k16 and the
    result is rounded once to the element type. Rows past the expert's end
    are loaded from its last row and not stored. Weights stacked from
    transposed N x K matrices (`tensor.concat` of `expand_shape` of
    `linalg.transpose`, loom-raise-moe's form for non-constant linear
    weights) are read as the stack of the untransposed matrices [E, N, K]
    instead. Other grouped matmuls are left to `loom-convert-moe-to-linalg`.

    f32 grouped matmuls (`f32=3xtf32`, the default) take the same kernel
    with f32 tiles in shared memory (16-byte loads of 4 elements, rows
    padded by 16 bytes for x and [n][k] tiles, 32 for [k][n] ones: 36 KiB
    of dynamic shared memory) and, per k8, the 3xTF32 step of
    `loom-nvidia-matmul-to-mma-sync` (`mma.sync.m16n8k8` tf32, each value
    split into tf32 hi + lo, three mma.sync); results stored as f32.
    `f32=simt` leaves them to `loom-convert-moe-to-linalg`.

    Example: `loom_moe.grouped_matmul %x, %w, %off : tensor<?x64xbf16>,
    tensor<4x64x128xbf16>, tensor<5xi32> -> tensor<?x128xbf16>` becomes a
    launch of `(ceil(M / 64) + 4) x 2` blocks with 19 KiB of dynamic shared
    memory.
  }];
  let options = [
    Option<"f32", "f32", "std::string", /*default=*/"\"3xtf32\"",
           "f32 grouped matmuls: '3xtf32' (tensor cores) or 'simt' (left "
           "to loom-convert-moe-to-linalg)">,
  ];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def W4MatmulToMmaPass
    : Pass<"loom-nvidia-w4-matmul-to-mma", "func::FuncOp"> {
  let summary = "Runs W4A16 and f32-activation W4 quantized matmuls "
                "(MatMulNBits) on tensor cores with mma.sync";
  let description = [{
    Runs on tensors, before `loom-convert-quant-to-linalg`, for sm_80 and
    newer. A `loom_quant.matmul` takes the kernel when:
    - the activations `a` are f16 or bf16, or f32 when `f32=3xtf32` (the
      default) (`[..., M, K]`, leading dimensions and M any size, dynamic
      included), with no input scale, and the result has the same type;
    - the weight is `u4`, `packed`, `per_group` along K (axis 1, groups a
      multiple of 8) and `transpose_weight`: a static `[N, K / 2]` i8
      tensor (MatMulNBits' layout), with scales `[N, ceil(K / G)]` of the
      activations' type and an optional i4 zero point of the same shape;
    - K is a static multiple of 64 and N of 8 (a last column tile past N
      reads weight row N - 1 and stores only columns < N).
    Anything else is left to `loom-convert-quant-to-linalg`'s dequantizing
    contraction (SIMT loops).

    The op becomes `bufferization.to_buffer` of its operands (A collapsed to
    `[M, K]`), a `memref.alloc` of the result, a `gpu.launch` of
    `ceil(M / 64) x ceil(N / 64)` blocks of 128 threads and a `restrict`
    `bufferization.to_tensor` of the result (expanded back to A's leading
    dimensions). Per K step of 64, two shared-memory stages: A's 64x64
    tile with 16-byte loads, the weight's 64 rows x 32 bytes of nibbles
    with one 16-byte load per thread, dequantized in registers with the
    group's scale and zero point to f16/bf16 (`0x6400 | q` is the f16
    1024 + q, `0x4300 | q` the bf16 128 + q; subtracting 1024 + zp is
    exact and the multiply by the scale rounds once) and stored as an
    [n][k] tile; each warp runs 2 x 4 `nvvm.mma.sync` m16n8k16 per k16
    on fragments loaded by `nvgpu.ldmatrix` x4 (2 for A, 2 for the
    weight), f32 accumulators, the
    result rounded once to 16 bits. The next step's global loads are in
    flight during the current step's mma. Rows of the last tile past M
    read row M - 1 and are not stored.

    The dequantized weight is rounded to 16 bits before the product (the
    loops multiply by it in f32): the tensor cores' input type.

    f32 activations take the same kernel with f32 tiles in shared memory
    (rows of 64 padded to 68 f32, 68 KiB for the two stages): the nibbles
    are dequantized as `(q - zp) * scale` in f32, the contraction's own
    arithmetic, and each k8 runs the 3xTF32 step of
    `loom-nvidia-matmul-to-mma-sync` (fragments by 32-bit shared loads,
    each value split into tf32 hi + lo, three `mma.sync.m16n8k8` tf32),
    results stored as f32. `f32=simt` leaves them to the SIMT loops.

    Example: `loom_quant.matmul %a, %w scale %s zero_point %z
    {transpose_weight, weight_scheme = #loom_quant.scheme<u4,
    per_group(axis = 1, size = 32), zero_point, packed>} :
    (tensor<?x256xf16>, tensor<128x128xi8>, tensor<128x8xf16>,
    tensor<128x8xi4>) -> tensor<?x128xf16>` becomes a launch of
    `ceil(M / 64) x 2` blocks with 36 KiB of dynamic shared memory.
  }];
  let options = [
    Option<"f32", "f32", "std::string", /*default=*/"\"3xtf32\"",
           "f32-activation quantized matmuls: '3xtf32' (tensor cores) or "
           "'simt' (left to loom-convert-quant-to-linalg)">,
  ];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::nvgpu::NVGPUDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def Int8MatmulToMmaSyncPass
    : Pass<"loom-nvidia-int8-mma-sync", "func::FuncOp"> {
  let summary = "Runs 8-bit integer matmuls (i32 accumulator) and, with "
                "fp8, e4m3 matmuls (f32 accumulator) on tensor cores with "
                "mma.sync m16n8k32";
  let description = [{
    Runs on buffers, before linalg becomes loops, for sm_80 and newer. A
    `linalg.matmul` with i8 operands and an i32 accumulator, or a 2-d
    contraction `linalg.generic` whose body is
    `acc + ext(a) * ext(b)` (`extsi` or `extui` from i8 to i32 per operand,
    B stored K x N or N x K), with identity-layout shapes whose K and N are
    static multiples of 32 and 8 (M any size, dynamic included: the rows of
    the last row tile past M read row M - 1 and are not stored; such a row
    only feeds its own row of C), becomes a kernel of one warp per 16x8
    tile of C
    running `nvvm.mma.sync` m16n8k32 with s8/u8 multiplicands (4 bytes of
    K per 32-bit register, as the PTX ISA lays them out) and wrapping s32
    accumulation: the same bits as the loops it replaces. A zero
    `linalg.fill` of C right before the matmul becomes zero accumulators
    (C is not read and the fill's kernel is gone). Fragments come
    straight from global memory. Other integer products stay SIMT loops.

    Example: `linalg.matmul ins(%a, %b : memref<32x64xi8>, memref<64x16xi8>)
    outs(%c : memref<32x16xi32>)` becomes 2x2 blocks of 32 lanes, each with
    a loop of two `nvvm.mma.sync` steps.

    With `fp8` (set by the pipeline on sm_89 and newer), a contraction
    `linalg.generic` of f8E4M3FN operands into f32 whose body is
    `acc + extf(a) * extf(b)` (loom-convert-quant-to-linalg{f8-product})
    runs on the same kernel with `mma.sync.m16n8k32.row.col.f32.e4m3.e4m3.f32`
    (the same fragment layout as the s8 form; f32 accumulators). NVVM's
    `mma.sync` op has no e4m3 form in MLIR 22, so the step is an
    `llvm.call_intrinsic` of LLVM's
    `llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32` (PTX ISA 8.4).
  }];
  let options = [
    Option<"fp8", "fp8", "bool", /*default=*/"false",
           "Also run f8E4M3FN x f8E4M3FN -> f32 contractions on the e4m3 "
           "mma.sync (sm_89 and newer, PTX ISA 8.4)">
  ];
  let dependentDialects = ["mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def MatvecToGPUPass : Pass<"loom-nvidia-matvec", "func::FuncOp"> {
  let summary = "Runs skinny matmuls (M <= 16) as bandwidth-bound kernels";
  let description = [{
    Runs on buffers, before the tensor-core passes. A `linalg.matmul`, or a
    contraction `linalg.generic` that is a matmul once its dimensions are
    grouped (B stored K x N, or N x K for a linear layer's weight), with
    float operands of at most 32 bits, static identity-layout shapes and at
    most 16 rows of C is bound by reading B once. It becomes a `gpu.launch`
    of 256-thread blocks that read B with 16-byte vector loads, coalesced
    across each warp, and keep f32 partial sums in registers:

    - B is K x N: each lane owns 16 bytes of columns, the 8 warps of a block
      interleave over the rows of the block's K slice, and the warps' sums
      meet in shared memory;
    - B is N x K: each warp owns a row of B, its lanes 16 bytes each of K,
      and the lanes' sums meet through `gpu.shuffle xor`.

    K is split over blocks until about 512 blocks exist; the blocks then
    write into an f32 workspace [slices, M, N] that a second kernel adds,
    slice by slice in a fixed order, to C (deterministic). Otherwise each
    block adds its sums to C. Sums are rounded to C's type once.
    Requirements: N a multiple of 32 vectors (K x N) or K a multiple of 32
    vectors (N x K), and K a multiple of 8 (K x N).

    Example: `linalg.matmul ins(%a, %b : memref<1x8192xbf16>,
    memref<8192x8192xbf16>) outs(%c : memref<1x8192xf32>)` becomes 32 x 16
    blocks (256 columns x a 512-row K slice each) and a 32-block kernel
    that adds the 16 slices into C.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def AttentionToMmaPass
    : Pass<"loom-nvidia-attention-to-mma", "ModuleOp"> {
  let summary = "Runs 16-bit attention as a FlashAttention-2 kernel on "
                "tensor cores (mma.sync)";
  let description = [{
    Runs on tensors, before `loom-convert-attn-to-linalg`, for sm_80 and
    newer. A `loom_attn.attention` with bf16 or f16 query, key, value and
    result, static shapes, D = Dv in {64, 128}, Sq and Skv multiples of 64
    (Skv >= Sq when causal), grouped-query heads allowed, and no mask,
    bias, window, sinks, softcap or sparsity becomes a `gpu.launch` of one
    block of 4 warps per (batch * query head, 64 query rows): Q fragments
    in registers, a loop over blocks of 64 keys staged in shared memory,
    S = Q K^T and O += P V with `nvvm.mma.sync` m16n8k16 (f32
    accumulators), an online softmax in f32 registers with quad shuffles,
    P fed from the S accumulators into A fragments, and O / l stored in
    the element type. Causal attention masks only the block on the
    diagonal and computes nothing above it. An additive float mask
    broadcasting from `[.., Sq, Skv]` is added to the scores.

    f32 attention (`f32=3xtf32`, the default; `f32=simt` leaves it alone)
    with static D a multiple of 8 up to 64 and static heads takes the same
    hook with any Sq / Skv / batch (dynamic included), causal, GQA and an
    optional additive float mask: a kernel of 4 warps x 16 query rows on
    `mma.sync.m16n8k8` tf32 with the 3xTF32 split (AttentionF32.cpp).

    This pass is the tensor-level half: the op becomes
    `bufferization.to_buffer` of its operands, a `memref.alloc` of the
    result, a call of a private declaration marked
    `loom.attention_mma = {causal, scale}` that stands for the kernel, and a
    `restrict` `bufferization.to_tensor` of the result. The kernel itself
    is built after bufferization by `loom-nvidia-attention-kernels` (the
    deallocation passes reject its NVVM ops). Other attention ops are left
    to `loom-convert-attn-to-linalg`.

    Example: `loom_attn.attention %q, %k, %v causal : tensor<1x32x512x64xbf16>,
    tensor<1x8x512x64xbf16>, tensor<1x8x512x64xbf16> ->
    tensor<1x32x512x64xbf16>` becomes
    `func.call @loom_nvidia_attention(%qb, %kb, %vb, %out)
    {loom.attention_mma = {causal = true, scale = 0.125}}`, which the next
    pass turns into a launch of 32 x 8 blocks of 128 threads with 18 KiB of
    dynamic shared memory.
  }];
  let options = [
    Option<"f32", "f32", "std::string", /*default=*/"\"3xtf32\"",
           "f32 attention: '3xtf32' (the 3xTF32 kernel) or 'simt' (left to "
           "loom-convert-attn-to-linalg)">,
  ];
  let dependentDialects = ["mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def AttentionKernelsPass
    : Pass<"loom-nvidia-attention-kernels", "ModuleOp"> {
  let summary = "Builds the mma.sync attention kernels that "
                "loom-nvidia-attention-to-mma left as calls";
  let description = [{
    Runs on buffers, after the deallocation pipeline. Each `func.call`
    marked `loom.attention_mma = {causal, scale}` (operands q, k, v, an
    optional mask, the output) becomes the FlashAttention-2 `gpu.launch`
    described under `loom-nvidia-attention-to-mma`; the private declaration
    it called is erased once unused.
  }];
  let dependentDialects = ["mlir::nvgpu::NVGPUDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def MatmulToWgmmaPass
    : Pass<"loom-nvidia-matmul-to-wgmma", "func::FuncOp"> {
  let summary = "Runs 16-bit float matmuls on Hopper with TMA loads and wgmma";
  let description = [{
    Runs on buffers, before linalg becomes loops, for sm_90a. A
    `linalg.matmul` with f16 or bf16 operands, an f32 accumulator,
    identity layouts, N % 128 == 0 and K % 64 == 0 becomes a kernel of one
    warpgroup per 128x128 tile of C. M may be any size, static or dynamic:
    TMA zero-fills A's rows past M and the epilogue stores rows below M
    only. A `linalg.batch_matmul` (or a contraction generic whose leading
    dims are shared by A, B and C) with M % 128 == 0 runs its batch as grid
    z on 2-d views [batch * M, K] etc., the batch's row offset added to the
    TMA coordinates:

    - host: `nvgpu.tma.create.descriptor` for A (128x64 boxes) and B (64x64
      boxes), 128-byte swizzled;
    - a ring of `stages` shared-memory slots with one mbarrier each; thread
      0 issues the TMA loads of a K step into its slot
      (`nvgpu.tma.async.load`, the barrier expecting the slot's bytes);
    - the warpgroup waits on the slot's barrier (phase parity = round % 2)
      and issues `nvgpu.warpgroup.mma` 128x128x64 from shared memory,
      leaving it in flight (`waitGroup = 1`): the previous step's wgmma is
      then complete and its slot is refilled with the K step `stages`
      after it;
    - the accumulator goes through shared memory to C with 16-byte stores
      (added to C unless C was just zero-filled, or just a copy of a
      zero-filled buffer: the fill or copy is dropped);
      a zero-filled C that a `linalg.generic` only truncates to bf16/f16 is
      rounded and stored 16-bit instead (C and the generic are erased).

    B is K x N (two 64x64 boxes per slot, wgmma's transposed B) or N x K
    (the transposed-B `linalg.matmul` maps, a contraction generic reading
    B as (n, k), or a K x N buffer that is a `linalg.transpose` copy of an
    N x K memref, possibly through expand_shape views; the copy is erased
    when nothing else reads it): then one 128x64 box per slot, read
    K-major by wgmma without the transpose flag, the K step written in
    NVVM since `nvgpu.warpgroup.mma` only steps an N-major B.

    The refill (`loom.role = "producer"`) and the wgmma
    (`loom.role = "consumer"`) are marked for warp specialization, which
    will move them into separate warp groups. Other matmuls are left to
    the next passes.

    Example: `linalg.matmul ins(%a, %b : memref<256x128xbf16>,
    memref<128x256xbf16>) outs(%c : memref<256x256xf32>)` becomes a
    `gpu.launch` of 2x2 blocks of 128 threads with 64 KiB of dynamic
    shared memory.
  }];
  let options = [
    Option<"stages", "stages", "int64_t", /*default=*/"4",
           "Shared-memory slots in the TMA ring (K steps in flight)">,
  ];
  let dependentDialects = ["mlir::nvgpu::NVGPUDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def DeviceBuffersPass : Pass<"loom-nvidia-device-buffers", "ModuleOp"> {
  let summary = "Puts every buffer of the entry points in device memory";
  let description = [{
    The entry ABI is the CPU's: arguments and results are host memrefs
    (runtime/include/loom_abi.h). This pass makes the function body work on
    device memory only: `memref.alloc`/`dealloc` become `gpu.alloc`/
    `gpu.dealloc`; each memref argument and each mutable `memref.get_global`
    is copied into a fresh device buffer at its definition; constant globals
    (weights) are resident: the host code asks the runtime
    (`loom_gpu_resident(host address, bytes)`) for the module's device copy,
    uploaded once on first use, and wraps the address in a memref. At each
    `return`, every returned buffer is copied into a new host buffer (which
    the caller owns, as on the CPU) and the device buffers the function
    created for its inputs and results are freed. Copies are synchronous:
    `gpu-async-region` later threads them onto the stream of the function.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def SplitDeallocsPass : Pass<"loom-nvidia-split-deallocs"> {
  let summary = "Splits multi-buffer bufferization.dealloc ops into one per buffer";
  let description = [{
    Runs inside the buffer-deallocation pipeline, before
    `bufferization-lower-deallocations`. That pass lowers a dealloc of one
    buffer inline (pointer compares with the retained buffers and an
    `scf.if` around `memref.dealloc`), but one of several buffers into a call
    of a generated helper function that keeps the buffers' addresses and
    their conditions in small heap buffers and loops over them. On a GPU
    target every heap buffer of the body is device memory and every loop
    becomes a kernel, so the helper cannot work there. This pass rewrites
    `dealloc (%a0, ..., %an) if (%c0, ..., %cn) retain (%r...)` into one
    dealloc per buffer with the same meaning (as the op's documentation
    states it): `%ai` is freed if `%ci` holds and it aliases neither a
    retained buffer nor an earlier `%ak`, so each single dealloc retains the
    earlier buffers too; the ownership of each retained buffer is the `or`
    of the single deallocs' results for it.

    Example:
    `%o = bufferization.dealloc (%a, %b) if (%c, %d) retain (%r)` becomes
    `%o1 = dealloc (%a) if (%c) retain (%r)`,
    `%o2:2 = dealloc (%b) if (%d) retain (%r, %a)`, `%o = arith.ori %o1, %o2#0`.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::arith::ArithDialect"];
}

#endif // LOOM_TARGET_NVIDIA_PASSES_TD
