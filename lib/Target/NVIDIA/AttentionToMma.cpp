//===- AttentionToMma.cpp - attention on tensor cores (mma.sync) ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A FlashAttention-2-style kernel for `loom_attn.attention` on sm_80 and
// newer, built op by op (gpu, memref, vector, arith, math, nvvm):
//
//   grid  (B * Hq, Sq / R), R = 128 query rows (8 warps, 256 threads) when
//         Sq is a multiple of 128, else 64 (4 warps): every K/V block staged
//         in shared memory serves R rows; block y = 0 takes the last query
//         block, so causal's longest blocks start first
//   warp  w owns query rows q0 + 16w .. q0 + 16w + 15; its Q fragments stay
//         in registers for the whole kernel
//   loop  over blocks of 64 keys (causal: up to the R / 64 blocks on the
//         diagonal, which alone are masked; nothing above them is
//         computed):
//           K and V blocks -> a two-stage ring in shared memory by
//           16-byte cp.async (rows padded by 8 elements so that
//           ldmatrix's 8 row reads hit 32 distinct banks): block i + 1's
//           copies are issued before block i's math and waited for
//           (cp.async.wait_group 0 + one barrier) at the start of step
//           i + 1, so global latency hides behind the mma; B fragments by
//           ldmatrix.x4 (K) and ldmatrix.x4.trans (V);
//           S = Q K^T with mma.sync m16n8k16 (f32 accumulators);
//           online softmax in f32 registers, in the exp2 domain (scale *
//           log2 e folded into one constant; without a mask, the row max is
//           taken over unscaled scores and each P = exp2(s * scale - m) is
//           one fma), row max reduced over the four lanes of a quad with
//           shuffles (xor 1, 2);
//           P goes from the S accumulators straight into A fragments (the
//           C layout of two adjacent n8 tiles is the A layout of one k16
//           step), O += P V with mma.sync (V fragments: pairs along keys)
//   end   the row sums are reduced over the quad; O / l is stored in the
//         element type
//
// Hook, in two passes. The op is a tensor op and must be taken before
// loom-convert-attn-to-linalg, but the ownership-based deallocation that
// runs after bufferization rejects ops without a memory-effect interface
// (nvvm.mma.sync, gpu.barrier), so the kernel cannot exist that early.
// loom-nvidia-attention-to-mma (tensors) replaces the op by
// `bufferization.to_buffer` of q, k, v (and mask), a `memref.alloc` of the
// result, a call of a private declaration that stands for the kernel
// (marked `loom.attention_mma = {causal, scale}`) and a `restrict`
// `bufferization.to_tensor` of the result: bufferization and deallocation
// see an opaque call on buffers and free the result like any other.
// loom-nvidia-attention-kernels (after bufferization) builds the
// `gpu.launch` in place of each call and drops the declaration;
// loom-nvidia-device-buffers puts the buffers in device memory and
// outlining turns the launch into a kernel. The block barriers are
// `bar.sync 0` in inline asm (see `barrier`).
//
// An additive float mask ([.., Sq, Skv], broadcast over batch and heads) is
// read per score pair from global memory and added in the exp2 domain.
// Attention ops that do not fit (other element types, D not 64 or 128,
// sequence lengths not multiples of 64, i1 masks, biases, windows, sinks,
// softcap, sparsity) are left to loom-convert-attn-to-linalg. f32 attention
// takes the same hook and its own kernel (AttentionF32.cpp).
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/AttentionF32.h"
#include "lib/Target/NVIDIA/AttentionKernel.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/FlashOperands.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_ATTENTIONKERNELSPASS
#define GEN_PASS_DEF_ATTENTIONTOMMAPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;

namespace {

// Query rows per block (16 per warp) unless Sq allows kMaxRows, keys per
// loop step, lanes, and the padding of a shared-memory row (16 bytes: keeps
// 16-byte stores aligned).
constexpr int64_t kRows = 64, kMaxRows = 128, kKeys = 64, kWarp = 32;
constexpr int64_t kPad = 8;

// The attribute that marks phase 1's kernel calls.
constexpr llvm::StringLiteral kAttr = "loom.attention_mma";

struct Shape {
  int64_t b, hq, hkv, sq, skv, d;
  double scale;

  /// Query rows per thread block and its threads (one warp per 16 rows).
  int64_t rows() const { return sq % kMaxRows ? kRows : kMaxRows; }
  int64_t threads() const { return rows() / 16 * kWarp; }
};

/// The static shape of `op` if the kernel takes it.
std::optional<Shape> qualifies(attn::AttentionOp op) {
  std::optional<attn::FlashOperands> ops = attn::flashOperands(op);
  if (op->getParentOfType<gpu::LaunchOp>() || !ops)
    return std::nullopt;
  auto [q, k, v, r, element, scale] = *ops;
  if (!(element.isF16() || element.isBF16()) || !q.hasStaticShape() ||
      !k.hasStaticShape() || !v.hasStaticShape() || !r.hasStaticShape())
    return std::nullopt;
  Shape s{q.getDimSize(0), q.getDimSize(1), k.getDimSize(1), q.getDimSize(2),
          k.getDimSize(2), q.getDimSize(3), scale};
  if ((s.d != 64 && s.d != 128) || k.getDimSize(3) != s.d ||
      v.getDimSize(3) != s.d || k.getShape() != v.getShape() ||
      k.getDimSize(0) != s.b || s.hkv == 0 || s.hq % s.hkv ||
      s.sq % kRows || s.skv % kKeys || s.sq == 0 || s.skv == 0 ||
      r.getShape() != q.getShape())
    return std::nullopt;
  // Causal queries are the last Sq keys' positions; fewer keys than queries
  // leaves rows without keys, which the SIMT lowering handles.
  if (op.getCausal() && s.skv < s.sq)
    return std::nullopt;
  // An additive float mask, static, broadcasting to [B, Hq, Sq, Skv] with
  // its own last dimension Skv (adjacent keys are adjacent in memory).
  if (Value mask = op.getMask()) {
    auto m = cast<RankedTensorType>(mask.getType());
    if (!isa<FloatType>(m.getElementType()) || !m.hasStaticShape() ||
        m.getRank() < 1 || m.getRank() > 4 ||
        m.getElementType().getIntOrFloatBitWidth() > 32 ||
        m.getShape().back() != s.skv)
      return std::nullopt;
    int64_t full[4] = {s.b, s.hq, s.sq, s.skv};
    if (!attn::maskBroadcasts(m.getShape(), full))
      return std::nullopt;
  }
  return s;
}

/// The kernel's builders. Index arithmetic is on `index`; per-lane values
/// (fragments, accumulators) are plain SSA values, unrolled in C++, so the
/// loop over key blocks carries scalars only.
struct KernelBuilder : nvidia::attention::KernelMath {
  Type element;
  int64_t d;
  int64_t threads;

  VectorType pairType() { return VectorType::get({2}, element); }

  /// A pair of 16-bit values as one mma operand register: bf16 pairs as
  /// i32 (nvvm.mma.sync takes bf16 packed), f16 pairs as vector<2xf16>.
  /// Element 0 is the low half, i.e. the lower-numbered fragment element.
  Value operand(Value pair) {
    if (element.isF16())
      return pair;
    Value word =
        vector::BitCastOp::create(b, VectorType::get({1}, b.getI32Type()), pair);
    return vector::ExtractOp::create(b, word, ArrayRef<int64_t>{0});
  }
  Value operand(Value lo, Value hi) {
    return operand(
        vector::FromElementsOp::create(b, pairType(), ValueRange{lo, hi}));
  }
  /// Two adjacent elements of the last dimension of `mem`, 4-byte aligned
  /// (even column, rows of an even number of elements).
  Value loadPair(Value mem, ValueRange indices) {
    return vector::LoadOp::create(b, pairType(), mem, indices,
                                  /*nontemporal=*/false, llvm::MaybeAlign(4));
  }

  /// d = a * b + c, m16n8k16, A row-major, B column-major, f32 C/D.
  SmallVector<Value, 4> mma(ArrayRef<Value> a, ArrayRef<Value> bFrag,
                            ArrayRef<Value> c) {
    Type f = b.getF32Type();
    auto resultType =
        LLVM::LLVMStructType::getLiteral(b.getContext(), {f, f, f, f});
    NVVM::MMATypes type =
        element.isF16() ? NVVM::MMATypes::f16 : NVVM::MMATypes::bf16;
    auto op = NVVM::MmaOp::create(
        b, b.getLoc(), resultType, a, bFrag, c, ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt, std::array<NVVM::MMATypes, 2>{type, type},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    SmallVector<Value, 4> result;
    for (int64_t i = 0; i < 4; ++i)
      result.push_back(
          LLVM::ExtractValueOp::create(b, op, ArrayRef<int64_t>{i}));
    return result;
  }
};

/// `bar.sync 0` with a memory clobber. Not gpu.barrier / nvvm.barrier0:
/// the kernel exists before bufferization, and the ownership-based
/// deallocation that runs after it rejects ops without a memory-effect
/// interface, which those two lack; an inline asm with side effects is
/// accepted and is opaque to LLVM's motion of loads and stores.
void barrier(ImplicitLocOpBuilder &b) {
  LLVM::InlineAsmOp::create(
      b, /*resultTypes=*/TypeRange{}, /*operands=*/ValueRange{},
      /*asm_string=*/"bar.sync 0;", /*constraints=*/"~{memory}",
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None,
      /*asm_dialect=*/LLVM::AsmDialectAttr(),
      /*operand_attrs=*/ArrayAttr());
}

using nvidia::attention::State;

/// Values of the kernel that every key block uses.
struct Lane {
  Value kMem, vMem;     // K and V in global memory
  Value keysEnd;        // one past the last key block the kernel processes
  Value batch, kvHead;  // the K / V head of this block's query head
  Value g, t;           // lane / 4, lane % 4 (PTX's groupID, threadID_in_group)
  Value rowLocal[2];    // query rows g, g + 8 of the warp within the block
  Value warpLast;       // the warp's last row within the block
  Value loadRow, loadCol; // this thread's first 16-byte chunk of a K/V block
  // The row and column this lane addresses for ldmatrix.x4: K blocks
  // (lane % 8, 8 (lane / 8)), V blocks (lane % 8 + 8 ((lane / 8) % 2),
  // 8 (lane / 16)).
  Value ldRowK, ldColK, ldRowV, ldColV;
  SmallVector<SmallVector<Value, 4>> qFrag; // per k16 step of D
  Value kSmem, vSmem;   // rings of two 64-key stages, [128, D + pad]
  Value mask;           // the additive mask's buffer, or null
  Value head;           // this block's query head
  Value row[2];         // query rows g, g + 8 of the warp, in the sequence
};

/// Element `c` of the mask pair at row `r` (g or g + 8) and keys
/// kb0 + 8j + 2t, + 1 (the C fragment's layout), as f32. Each pair is loaded
/// once per key block (`cache`, by (j, r)).
Value maskValue(KernelBuilder &kb, const Lane &ln, Value kb0, int64_t j,
                int64_t r, int64_t c,
                DenseMap<std::pair<int64_t, int64_t>, Value> &cache) {
  ImplicitLocOpBuilder &b = kb.b;
  Value &pair = cache[{j, r}];
  if (!pair) {
    auto type = cast<MemRefType>(ln.mask.getType());
    Value key = kb.add(kb.add(kb0, kb.mul(ln.t, 2)), 8 * j);
    Value full[4] = {ln.batch, ln.head, ln.row[r], key};
    SmallVector<Value, 4> indices;
    for (int64_t i = 0; i < type.getRank(); ++i)
      indices.push_back(type.getDimSize(i) == 1
                            ? kb.idx(0)
                            : full[4 - type.getRank() + i]);
    Type maskElement = type.getElementType();
    int64_t bytes = maskElement.getIntOrFloatBitWidth() / 8;
    pair = vector::LoadOp::create(b, VectorType::get({2}, maskElement),
                                  ln.mask, indices, false,
                                  llvm::MaybeAlign(2 * bytes));
  }
  Value v = vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{c});
  if (!v.getType().isF32())
    v = arith::ExtFOp::create(b, b.getF32Type(), v);
  return v;
}

/// The ring stage of the key block at `kb0` (block index % 2), as its
/// first row in the K / V rings.
Value stageRow(KernelBuilder &kb, Value kb0) {
  return kb.mul(kb.rem(kb.div(kb0, kKeys), 2), kKeys);
}

/// Issues the cp.async copies of the K and V block at `kb0` into its ring
/// stage: each thread moves 64 (D / 8) / threads chunks of 8 elements of K
/// and of V (16 bytes, L1 bypassed); chunk i of the thread is row loadRow +
/// i * (threads / (D / 8)). The caller commits the group.
void stageBlock(KernelBuilder &kb, const Lane &ln, Value kb0) {
  ImplicitLocOpBuilder &b = kb.b;
  Value base = stageRow(kb, kb0);
  int64_t rowStep = kb.threads / (kb.d / 8);
  for (int64_t i = 0; i < kKeys / rowStep; ++i) {
    Value r = kb.add(ln.loadRow, i * rowStep);
    Value gr = kb.add(kb0, r), sr = kb.add(base, r);
    std::array<std::pair<Value, Value>, 2> tiles = {
        std::pair{ln.kMem, ln.kSmem}, std::pair{ln.vMem, ln.vSmem}};
    for (auto [mem, smem] : tiles)
      nvgpu::DeviceAsyncCopyOp::create(
          b, smem, ValueRange{sr, ln.loadCol}, mem,
          ValueRange{ln.batch, ln.kvHead, gr, ln.loadCol}, b.getIndexAttr(8),
          /*srcElements=*/Value(), b.getUnitAttr());
  }
}

/// The math of a key block whose K and V are in ring rows `stage` ..
/// `stage` + 63: S = Q K^T, online softmax, O += P V (see keyBlock).
State blockMath(KernelBuilder &kb, const Lane &ln, Value kb0, Value stage,
                Value offset, double log2Scale, const State &in) {
  ImplicitLocOpBuilder &b = kb.b;
  int64_t d = kb.d;


  // S = Q K^T, n8 tile j = keys 8j .. 8j + 7 of the block. B (D x keys,
  // "col"): b0, b1 = (d 2t, 2t + 1; key g), b2, b3 = (d 2t + 8, 2t + 9;
  // key g): pairs adjacent in a K row of shared memory, i.e. row g, cols
  // 2t, 2t + 1 of the 8x8 block (keys 8j.., d 8m..) that ldmatrix hands
  // lane 4g + t. One ldmatrix.x4 loads the blocks at d 32h, + 8, + 16,
  // + 24 (lanes 8i .. 8i + 7 address block i's rows): b0b1 and b2b3 of
  // k16 steps 2h and 2h + 1.
  Value twoT = kb.mul(ln.t, 2);
  auto x4Type = VectorType::get({4, 2}, kb.element);
  auto part = [&](Value x4, int64_t i) {
    return kb.operand(vector::ExtractOp::create(b, x4, ArrayRef<int64_t>{i}));
  };
  SmallVector<SmallVector<Value, 4>> s;
  Value zero = kb.f32(0.0);
  Value kRow = kb.add(ln.ldRowK, stage);
  for (int64_t j = 0; j < kKeys / 8; ++j) {
    SmallVector<Value, 4> acc(4, zero);
    Value key = kb.add(kRow, 8 * j);
    for (int64_t h = 0; h < d / 32; ++h) {
      Value x4 = nvgpu::LdMatrixOp::create(
          b, x4Type, ln.kSmem, ValueRange{key, kb.add(ln.ldColK, 32 * h)},
          /*transpose=*/false, /*numTiles=*/4);
      acc = kb.mma(ln.qFrag[2 * h], {part(x4, 0), part(x4, 1)}, acc);
      acc = kb.mma(ln.qFrag[2 * h + 1], {part(x4, 2), part(x4, 3)}, acc);
    }
    s.push_back(acc);
  }

  // Scores in the exp2 domain; the diagonal block drops keys after the
  // row's position. C element e of tile j: row g + 8 (e / 2), key
  // 8j + 2t + e % 2. Without a mask and with a positive scale, the scores
  // stay unscaled (`fold`): max(scale * s) = scale * max(s), and the scale
  // goes into one fma with the row max, exp2(s * scale - m), as in
  // FlashAttention-2, instead of a multiply and a subtract per score.
  Value scale = kb.f32(log2Scale), negInf = kb.f32(-INFINITY);
  bool fold = !ln.mask && log2Scale > 0;
  DenseMap<std::pair<int64_t, int64_t>, Value> maskCache;
  Value twoTOffset = offset ? kb.add(twoT, offset) : Value();
  for (int64_t j = 0; j < kKeys / 8; ++j)
    for (int64_t e = 0; e < 4; ++e) {
      Value v = fold ? s[j][e] : arith::MulFOp::create(b, s[j][e], scale);
      if (ln.mask) {
        // (scale * q.k + mask) * log2 e; masks at -inf (or so negative
        // that the product overflows to it) drop the key.
        Value m = maskValue(kb, ln, kb0, j, e / 2, e % 2, maskCache);
        v = math::FmaOp::create(b, m, kb.f32(M_LOG2E), v);
      }
      if (offset) {
        Value key = kb.add(twoTOffset, 8 * j + e % 2);
        Value visible = arith::CmpIOp::create(b, arith::CmpIPredicate::ule,
                                              key, ln.rowLocal[e / 2]);
        v = arith::SelectOp::create(b, visible, v, negInf);
      }
      s[j][e] = v;
    }

  // Online softmax per row r (g, g + 8): the new max over the quad, the
  // old sums and accumulators rescaled by exp2(m_old - m_new). Every row
  // has seen a key once its first block is done (the first diagonal block
  // keeps key 0 for row 0; the second, at offset 64, may hide all keys of
  // rows 0..63, which saw keys in the first), so m_new is finite and
  // m_old = -inf gives 0.
  State out;
  Value alpha[2], shift[2];
  for (int r = 0; r < 2; ++r) {
    Value mx = fold ? s[0][2 * r] : in.m[r];
    for (int64_t j = 0; j < kKeys / 8; ++j)
      for (int64_t c = 0; c < 2; ++c)
        if (!fold || j || c)
          mx = arith::MaximumFOp::create(b, mx, s[j][2 * r + c]);
    out.m[r] = kb.quadReduce(mx, /*isMax=*/true);
    if (fold) // all keys masked in this block: -inf * scale = -inf
      out.m[r] = arith::MaximumFOp::create(
          b, in.m[r], arith::MulFOp::create(b, out.m[r], scale));
    shift[r] = out.m[r];
    if (ln.mask) {
      // A row whose keys so far are all masked has m = -inf: shift by 0
      // instead, so that exp2(-inf - -inf) does not give NaN.
      Value none = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                         out.m[r], negInf);
      shift[r] = arith::SelectOp::create(b, none, zero, out.m[r]);
    }
    alpha[r] = math::Exp2Op::create(
        b, arith::SubFOp::create(b, in.m[r], shift[r]));
  }
  Value rowSum[2] = {zero, zero};
  Value negShift[2];
  for (int r = 0; fold && r < 2; ++r)
    negShift[r] = arith::NegFOp::create(b, shift[r]);
  for (int64_t j = 0; j < kKeys / 8; ++j)
    for (int64_t e = 0; e < 4; ++e) {
      int r = e / 2;
      Value x = fold ? math::FmaOp::create(b, s[j][e], scale, negShift[r])
                           .getResult()
                     : arith::SubFOp::create(b, s[j][e], shift[r]).getResult();
      s[j][e] = math::Exp2Op::create(b, x);
      rowSum[r] = arith::AddFOp::create(b, rowSum[r], s[j][e]);
    }
  for (int r = 0; r < 2; ++r)
    out.l[r] = arith::AddFOp::create(
        b, arith::MulFOp::create(b, in.l[r], alpha[r]), rowSum[r]);
  out.o.reserve(in.o.size());
  for (auto [i, v] : llvm::enumerate(in.o))
    out.o.push_back(arith::MulFOp::create(b, v, alpha[(i % 4) / 2]));

  // O += P V over k16 steps of keys. A (rows x keys) of step kk is tiles
  // 2kk and 2kk + 1 of P: a0, a1 = (g; 2t, 2t + 1) = tile 2kk's c0, c1;
  // a2, a3 = (g + 8; 2t, 2t + 1) = its c2, c3; a4..a7 = the same of tile
  // 2kk + 1 (keys 2t + 8, 2t + 9). B (keys x D, "col"): b0, b1 = (keys
  // 2t, 2t + 1; d g), b2, b3 = (keys 2t + 8, 2t + 9; d g): two V rows,
  // i.e. what ldmatrix.trans hands lane 4g + t from the 8x8 block of V
  // (keys 16kk.., d 8n..) (element (2t, g) and (2t + 1, g) of the block
  // as stored). One ldmatrix.x4.trans loads the blocks (keys +0, d 16h),
  // (keys +8, d 16h), (keys +0, d 16h + 8), (keys +8, d 16h + 8): b0b1,
  // b2b3 of n8 tiles 2h and 2h + 1.
  auto narrow = [&](Value v) -> Value {
    return arith::TruncFOp::create(b, kb.element, v);
  };
  Value vRow = kb.add(ln.ldRowV, stage);
  for (int64_t kk = 0; kk < kKeys / 16; ++kk) {
    const auto &lo = s[2 * kk], &hi = s[2 * kk + 1];
    SmallVector<Value, 4> a = {
        kb.operand(narrow(lo[0]), narrow(lo[1])),
        kb.operand(narrow(lo[2]), narrow(lo[3])),
        kb.operand(narrow(hi[0]), narrow(hi[1])),
        kb.operand(narrow(hi[2]), narrow(hi[3]))};
    Value key = kb.add(vRow, 16 * kk);
    for (int64_t h = 0; h < d / 16; ++h) {
      Value x4 = nvgpu::LdMatrixOp::create(
          b, x4Type, ln.vSmem, ValueRange{key, kb.add(ln.ldColV, 16 * h)},
          /*transpose=*/true, /*numTiles=*/4);
      for (int64_t half = 0; half < 2; ++half) {
        int64_t n = 2 * h + half;
        SmallVector<Value, 4> c(ArrayRef(out.o).slice(4 * n, 4));
        SmallVector<Value, 4> r = kb.mma(
            a, {part(x4, 2 * half), part(x4, 2 * half + 1)}, c);
        for (int64_t e = 0; e < 4; ++e)
          out.o[4 * n + e] = r[e];
      }
    }
  }
  return out;
}

/// One key block starting at `kb0`, whose copies were issued one step
/// earlier: wait for them, issue the next block's, S = Q K^T, online
/// softmax, O += P V. `offset`, when set: a block on the causal diagonal,
/// starting `offset` keys after the block's first query position, whose key
/// j (local) is visible to row i (local) iff j + offset <= i.
State keyBlock(KernelBuilder &kb, const Lane &ln, Value kb0, Value offset,
               double log2Scale, const State &in) {
  ImplicitLocOpBuilder &b = kb.b;

  // This thread's copies of this block are done; the barrier makes every
  // thread's visible and ends the previous step's reads of the other stage,
  // which the next block's copies (an empty group after the last block)
  // then overwrite while this block is computed.
  NVVM::CpAsyncWaitGroupOp::create(b, 0);
  barrier(b);
  Value next = kb.add(kb0, kKeys);
  Value more =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, next, ln.keysEnd);
  auto ifMore = scf::IfOp::create(b, more, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifMore.thenBlock());
    stageBlock(kb, ln, next);
  }
  NVVM::CpAsyncCommitGroupOp::create(b);
  Value stage = stageRow(kb, kb0);
  if (!offset)
    return blockMath(kb, ln, kb0, stage, offset, log2Scale, in);

  // On the diagonal, a warp whose rows all precede the block's first key
  // (the second block of 128-row blocks for warps 0-3) would only add
  // zeros: it skips the math (a warp-uniform branch; no barrier inside).
  Value any =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ule, offset, ln.warpLast);
  SmallVector<Value> inFlat = in.flat();
  auto ifAny = scf::IfOp::create(b, ValueRange(inFlat).getTypes(), any,
                                 /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifAny.thenBlock());
    State out = blockMath(kb, ln, kb0, stage, offset, log2Scale, in);
    scf::YieldOp::create(b, out.flat());
    b.setInsertionPointToStart(ifAny.elseBlock());
    scf::YieldOp::create(b, inFlat);
  }
  return State::unflat(ifAny.getResults());
}

/// The kernel in place of `call` (q, k, v, [mask,] out).
void buildKernel(func::CallOp call, const Shape &sh, bool causal) {
  ImplicitLocOpBuilder b(call.getLoc(), call);
  MLIRContext *ctx = call.getContext();
  ValueRange args = call.getOperands();
  Value qMem = args[0], kMem = args[1], vMem = args[2], oMem = args.back();
  Type element = cast<MemRefType>(qMem.getType()).getElementType();
  int64_t rows = sh.rows(), threads = sh.threads();
  KernelBuilder kb{{b}, element, sh.d, threads};
  Lane ln;
  if (args.size() == 5)
    ln.mask = args[3];

  int64_t rowElems = sh.d + kPad;
  int64_t tileBytes = kKeys * rowElems * 2;
  Value one = kb.idx(1);
  // K ring (two stages) then V ring.
  Value smemBytes = arith::ConstantIntOp::create(b, 4 * tileBytes, 32);
  int64_t qBlocks = sh.sq / rows;
  auto launch = gpu::LaunchOp::create(
      b, kb.idx(sh.b * sh.hq), kb.idx(qBlocks), one, kb.idx(threads), one,
      one, smemBytes, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{});
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b);
  b.setInsertionPointToStart(&launch.getBody().front());

  Value tid = launch.getThreadIds().x;
  Value warp = kb.div(tid, kWarp), lane = kb.rem(tid, kWarp);
  ln.g = kb.div(lane, 4);
  ln.ldRowK = kb.rem(lane, 8);
  ln.ldColK = kb.mul(kb.div(lane, 8), 8);
  ln.ldRowV = kb.add(ln.ldRowK, kb.mul(kb.rem(kb.div(lane, 8), 2), 8));
  ln.ldColV = kb.mul(kb.div(lane, 16), 8);
  ln.t = kb.rem(lane, 4);
  Value bh = launch.getBlockIds().x;
  ln.batch = kb.div(bh, sh.hq);
  Value head = kb.rem(bh, sh.hq);
  ln.kvHead = kb.div(head, sh.hq / sh.hkv);
  Value qBlock = arith::SubIOp::create(b, kb.idx(qBlocks - 1),
                                       launch.getBlockIds().y);
  Value q0 = kb.mul(qBlock, rows);
  ln.rowLocal[0] = kb.add(kb.mul(warp, 16), ln.g);
  ln.rowLocal[1] = kb.add(ln.rowLocal[0], 8);
  ln.warpLast = kb.add(kb.mul(warp, 16), 15);
  ln.head = head;
  Value *row = ln.row;
  for (int r = 0; r < 2; ++r)
    row[r] = kb.add(q0, ln.rowLocal[r]);
  ln.loadRow = kb.div(tid, sh.d / 8);
  ln.loadCol = kb.mul(kb.rem(tid, sh.d / 8), 8);

  auto smemSpace = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(), smemSpace));
  auto ringType = MemRefType::get({2 * kKeys, rowElems}, element,
                                  MemRefLayoutAttrInterface(), smemSpace);
  ln.kSmem = memref::ViewOp::create(b, ringType, smem, kb.idx(0), ValueRange{});
  ln.vSmem = memref::ViewOp::create(b, ringType, smem, kb.idx(2 * tileBytes),
                                    ValueRange{});
  ln.kMem = kMem;
  ln.vMem = vMem;

  // Q as A fragments, one per k16 step of D: a0, a1 = (row g; d 2t, 2t + 1),
  // a2, a3 = (row g + 8; same d), a4, a5 = (row g; d 2t + 8, 2t + 9),
  // a6, a7 = (row g + 8; d 2t + 8, 2t + 9).
  Value twoT = kb.mul(ln.t, 2);
  for (int64_t kk = 0; kk < sh.d / 16; ++kk) {
    Value c0 = kb.add(twoT, 16 * kk), c8 = kb.add(c0, 8);
    auto at = [&](int r, Value col) {
      return kb.operand(
          kb.loadPair(qMem, ValueRange{ln.batch, head, row[r], col}));
    };
    ln.qFrag.push_back({at(0, c0), at(1, c0), at(0, c8), at(1, c8)});
  }

  State state;
  state.o.assign(sh.d / 2, kb.f32(0.0));
  for (int r = 0; r < 2; ++r) {
    state.m[r] = kb.f32(-INFINITY);
    state.l[r] = kb.f32(0.0);
  }
  double log2Scale = sh.scale * M_LOG2E;

  // Key blocks wholly visible: all of them, or (causal) those before the
  // diagonal blocks, the first of which starts at the block's first query
  // position.
  Value diagonal = kb.add(q0, sh.skv - sh.sq);
  Value end = causal ? diagonal : kb.idx(sh.skv);
  // The blocks, loop then diagonal, are contiguous from key 0 on: the
  // first block's copies go out before the loop.
  ln.keysEnd = causal ? kb.add(diagonal, rows) : end;
  stageBlock(kb, ln, kb.idx(0));
  NVVM::CpAsyncCommitGroupOp::create(b);
  auto loop = scf::ForOp::create(b, kb.idx(0), end, kb.idx(kKeys),
                                 state.flat());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    State next =
        keyBlock(kb, ln, loop.getInductionVar(), Value(), log2Scale,
                 State::unflat(loop.getRegionIterArgs()));
    scf::YieldOp::create(b, next.flat());
  }
  state = State::unflat(loop.getResults());
  if (causal) {
    // The R / 64 blocks on the diagonal, masked, in a loop of their own (one
    // copy of the block's code: unrolled, two copies spill at D = 128).
    auto diag = scf::ForOp::create(b, kb.idx(0), kb.idx(rows), kb.idx(kKeys),
                                   state.flat());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(diag.getBody());
    Value offset = diag.getInductionVar();
    State next = keyBlock(kb, ln, kb.add(diagonal, offset), offset, log2Scale,
                          State::unflat(diag.getRegionIterArgs()));
    scf::YieldOp::create(b, next.flat());
    b.setInsertionPointAfter(diag);
    state = State::unflat(diag.getResults());
  }

  // O / l, the lanes' partial sums added over the quad (a row whose keys
  // were all masked has l = 0 and gives zeros). O tile n: c0, c1 =
  // (row g; d 8n + 2t, 8n + 2t + 1), c2, c3 = (row g + 8; same d).
  Value inv[2];
  for (int r = 0; r < 2; ++r) {
    Value l = kb.quadReduce(state.l[r], /*isMax=*/false);
    inv[r] = arith::DivFOp::create(b, kb.f32(1.0), l);
    if (ln.mask) {
      Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, l,
                                          kb.f32(0.0));
      inv[r] = arith::SelectOp::create(b, empty, kb.f32(0.0), inv[r]);
    }
  }
  for (int64_t n = 0; n < sh.d / 8; ++n) {
    Value col = kb.add(twoT, 8 * n);
    for (int r = 0; r < 2; ++r) {
      SmallVector<Value, 2> pair;
      for (int64_t c = 0; c < 2; ++c)
        pair.push_back(arith::TruncFOp::create(
            b, element,
            arith::MulFOp::create(b, state.o[4 * n + 2 * r + c], inv[r])));
      Value v = vector::FromElementsOp::create(b, kb.pairType(), pair);
      vector::StoreOp::create(b, v, oMem,
                              ValueRange{ln.batch, head, row[r], col}, false,
                              llvm::MaybeAlign(4));
    }
  }

  call.erase();
}

/// Phase 1: `op` as buffers of its operands, an allocated result, a call of
/// a new private declaration `@loom_nvidia_attention` that stands for the
/// kernel (attributes: causal, scale), and the result as a tensor.
void replaceByCall(attn::AttentionOp op, double scale, SymbolTable &symbols) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  auto buffer = [&](Value t) -> Value {
    auto type = cast<RankedTensorType>(t.getType());
    return bufferization::ToBufferOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType()), t,
        /*read_only=*/true);
  };
  SmallVector<Value> args = {buffer(op.getQuery()), buffer(op.getKey()),
                             buffer(op.getValue())};
  if (Value mask = op.getMask())
    args.push_back(buffer(mask));
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  SmallVector<Value> dynamicSizes; // the f32 kernel's dynamic dimensions
  for (int64_t i = 0; i < resultType.getRank(); ++i)
    if (resultType.isDynamicDim(i))
      dynamicSizes.push_back(tensor::DimOp::create(b, op.getQuery(), i));
  args.push_back(memref::AllocOp::create(
      b, MemRefType::get(resultType.getShape(), resultType.getElementType()),
      dynamicSizes));

  auto decl = func::FuncOp::create(
      op.getLoc(), "loom_nvidia_attention",
      b.getFunctionType(ValueRange(args).getTypes(), {}));
  decl.setPrivate();
  symbols.insert(decl); // renamed if the name is taken
  auto call = func::CallOp::create(b, decl, args);
  call->setAttr(kAttr, b.getDictionaryAttr({
                           b.getNamedAttr("causal", b.getBoolAttr(op.getCausal())),
                           b.getNamedAttr("scale", b.getF64FloatAttr(scale)),
                       }));
  Value result = bufferization::ToTensorOp::create(
      b, resultType, call.getOperands().back(), /*restrict=*/true,
      /*writable=*/true);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

/// The shape of a kernel call's buffers (checked by phase 1).
Shape shapeOf(func::CallOp call, double scale) {
  auto q = cast<MemRefType>(call.getOperand(0).getType());
  auto k = cast<MemRefType>(call.getOperand(1).getType());
  return Shape{q.getDimSize(0), q.getDimSize(1), k.getDimSize(1),
               q.getDimSize(2), k.getDimSize(2), q.getDimSize(3), scale};
}

struct AttentionToMmaPass
    : public nvidia::impl::AttentionToMmaPassBase<AttentionToMmaPass> {
  using Base::Base;

  void runOnOperation() override {
    // 16-bit ops, and f32 ones (AttentionF32.cpp) unless f32=simt.
    SmallVector<std::pair<attn::AttentionOp, double>> ops;
    getOperation().walk([&](attn::AttentionOp op) {
      if (std::optional<Shape> shape = qualifies(op))
        ops.push_back({op, shape->scale});
      else if (f32 != "simt" && nvidia::f32AttentionFits(op))
        ops.push_back({op, *op.getScaleOrDefault()});
    });
    SymbolTable symbols(getOperation());
    for (auto &[op, scale] : ops)
      replaceByCall(op, scale, symbols);
  }
};

struct AttentionKernelsPass
    : public nvidia::impl::AttentionKernelsPassBase<AttentionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<func::CallOp> calls;
    getOperation().walk([&](func::CallOp call) {
      if (call->hasAttr(kAttr))
        calls.push_back(call);
    });
    SymbolTable symbols(getOperation());
    for (func::CallOp call : calls) {
      auto attrs = call->getAttrOfType<DictionaryAttr>(kAttr);
      auto causal = attrs ? attrs.getAs<BoolAttr>("causal") : BoolAttr();
      auto scale = attrs ? attrs.getAs<FloatAttr>("scale") : FloatAttr();
      if (!causal || !scale || call.getNumOperands() < 4) {
        call.emitError("loom-nvidia-attention-kernels: malformed ")
            << kAttr << " call";
        return signalPassFailure();
      }
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      double s = scale.getValueAsDouble();
      if (cast<MemRefType>(call.getOperand(0).getType()).getElementType().isF32())
        nvidia::buildF32AttentionKernel(call, causal.getValue(), s);
      else
        buildKernel(call, shapeOf(call, s), causal.getValue());
      if (callee && callee.isDeclaration() &&
          SymbolTable::symbolKnownUseEmpty(callee, getOperation()))
        symbols.erase(callee);
    }
  }
};

} // namespace
