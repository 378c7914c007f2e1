//===- AttentionToMfma.cpp - attention on the matrix cores (MFMA) ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A FlashAttention-2-style kernel for `loom_attn.attention` on CDNA chips
// (wave64), built on tensors before loom-convert-attn-to-linalg, like
// loom-amd-grouped-matmul-to-mfma: the operands' buffers
// (bufferization.to_buffer), the result's allocation, one gpu.launch, the
// result as a tensor again (to_tensor restrict), from TensorKernel.h.
//
//   grid       (B * Hq, ceil(Sq / 64)) workgroups of 256 threads (four
//              wavefronts); wavefront w takes query rows q0 + 16w .. + 15
//              of its (batch, head); causal: y = 0 takes the last query
//              block, so the longest key loops start first
//   Q          in registers for the whole kernel (the B operand of S^T)
//   key loop   blocks of 16 keys, up to the workgroup's last visible key
//              (causal: the blocks above the diagonal are not visited);
//              K and V blocks double-buffered in LDS: step i issues the
//              global loads of block i + 1, computes block i from LDS
//              buffer i % 2, writes the loaded block to the other buffer
//              and meets the workgroup at one barrier
//   math       S^T = K Q^T and O^T += V^T P^T on 16x16xk MFMAs (f32
//              accumulators), online softmax in f32 in the exp2 domain
//              (v_exp_f32), row max over the four lanes holding a row by
//              two gpu.shuffle xor (16, 32)
//   tails      K / V rows past Skv are loaded clamped to the last key and
//              their scores are -inf; query rows past Sq are loaded
//              clamped and not stored
//
// Lane layout of the 16x16xk MFMA (one block, CDNA ISA; k = 4 for
// v_mfma_f32_16x16x4f32, 16 for the f16 / bf16 forms, 8 for gfx908's
// bf16): with c = lane % 16, q = lane / 16 and p = the elements each lane
// supplies (1, 4 or 2), lane (c, q) supplies A[c][p q + e] and B[p q + e][c]
// for e < p, and holds D[4 q + r][c], r = 0..3.
//
// Computing the transposes puts one query row on each lane: S^T = K Q^T
// (A = a 16-key tile of K, B = Q^T) gives lane (c, q) the scores of query
// row c against keys 4q + r of the tile, so each row lives on the four
// lanes c, c + 16, c + 32, c + 48, and its max and sum are two xor
// shuffles. The MFMAs over D take d = k t + p q + e in both operands (MFMA
// t of the D / k). For O^T += V^T P^T (A = V^T: lane (c, q) supplies
// V[key][16 n + c], B = P^T: lane (c, q) supplies P[row c][key]) the lane's
// own probabilities are the B operand as they are: MFMA j of a 16-key tile
// takes P[c][4 q + p j + e], i.e. logical k = p q + e is key 4 q + p j + e
// in both operands; the result, lane (c, q) holds O^T[16 n + 4 q + r][c],
// keeps row c on the lane, so the rescaling by exp2(m_old - m_new) is
// per lane too.
//
// Numerics follow loom-convert-attn-to-linalg: scores, softmax and P V in
// f32 (16-bit P rounded for the MFMA); causal is bottom-right aligned
// (query i sees keys j <= i + Skv - Sq); a row that sees no key gives 0.
// An additive float mask (f32 / f16 / bf16) is added to the scores, an i1
// mask drops the scores where it is false; both broadcast numpy style to
// [B, Hq, Sq, Skv] (a dynamic dimension that is 1 at run time reads
// index 0). Not taken (left to loom-convert-attn-to-linalg): biases,
// windows, sinks, softcap, sparsity, Dv != D, dynamic B, heads or D, D not
// a multiple of 16 or above 64, mixed element types.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/FlashOperands.h"
#include "lib/Target/AMD/MfmaInstr.h"
#include "lib/Target/AMD/Passes.h"
#include "lib/Target/AMD/TensorKernel.h"

#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

namespace mlir::loom::amd {
#define GEN_PASS_DEF_ATTENTIONTOMFMAPASS
#include "lib/Target/AMD/Passes.h.inc"
} // namespace mlir::loom::amd

using namespace mlir;
using namespace mlir::loom;
using amd::Instr;

namespace {

// Query rows per workgroup (16 per wavefront), keys per loop step, lanes,
// threads, the largest head dimension taken. 16 keys per step keep the
// kernels within 64 VGPRs (full occupancy; 32-key steps went up to 82 in
// the lit cases).
constexpr int64_t kRows = 64, kKeys = 16, kWave = 64, kThreads = 256;
constexpr int64_t kMaxD = 64;

struct Shape {
  int64_t b, hq, hkv, d;
  double scale;
  bool causal;
  Instr instr;
};

/// Whether the kernel reads a mask of `type`: float of 16 to 32 bits or
/// i1, broadcasting to [B, Hq, Sq, Skv] (`full`, Sq and Skv possibly
/// dynamic; attn::maskBroadcasts).
bool maskFits(RankedTensorType type, ArrayRef<int64_t> full) {
  Type element = type.getElementType();
  bool floatMask = isa<FloatType>(element) &&
                   element.getIntOrFloatBitWidth() <= 32 &&
                   element.getIntOrFloatBitWidth() >= 16;
  return (floatMask || element.isInteger(1)) && type.getRank() <= 4 &&
         attn::maskBroadcasts(type.getShape(), full);
}

/// The shape of `op` if the kernel takes it.
std::optional<Shape> qualifies(attn::AttentionOp op, StringRef chip) {
  std::optional<attn::FlashOperands> ops = attn::flashOperands(op);
  if (op->getParentOfType<gpu::LaunchOp>() || !ops)
    return std::nullopt;
  auto [q, k, v, r, element, scale] = *ops;
  if (!(element.isF32() || element.isF16() || element.isBF16()))
    return std::nullopt;
  std::optional<Instr> instr = amd::instrFor(element, chip);
  if (!instr)
    return std::nullopt;
  // Static batch, heads and D; Sq and Skv may be dynamic.
  for (RankedTensorType t : {q, k, v, r})
    for (int64_t i : {0, 1, 3})
      if (t.isDynamicDim(i))
        return std::nullopt;
  Shape s{q.getDimSize(0), q.getDimSize(1), k.getDimSize(1), q.getDimSize(3),
          scale, op.getCausal(), *instr};
  if (s.d % 16 || s.d > kMaxD || s.d % instr->k || k.getDimSize(3) != s.d ||
      v.getDimSize(3) != s.d || k.getDimSize(0) != s.b ||
      v.getDimSize(0) != s.b || v.getDimSize(1) != s.hkv || s.hkv == 0 ||
      s.hq % s.hkv || r.getShape() != q.getShape())
    return std::nullopt;
  if (Value mask = op.getMask()) {
    int64_t full[4] = {s.b, s.hq, q.getDimSize(2), k.getDimSize(2)};
    if (!maskFits(cast<RankedTensorType>(mask.getType()), full))
      return std::nullopt;
  }
  return s;
}

/// Index and float helpers over an implicit-location builder.
struct Builder {
  ImplicitLocOpBuilder &b;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return y ? add(x, idx(y)) : x; }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, x, idx(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, x, idx(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, x, idx(y)); }
  Value minu(Value x, Value y) { return arith::MinUIOp::create(b, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(float(v)));
  }
  Value fmax(Value x, Value y) { return arith::MaximumFOp::create(b, x, y); }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  /// 2^x as the bare v_exp_f32 (rocdl.exp2, llvm.amdgcn.exp2): math.exp2
  /// becomes a device-library call that rescales results in the denormal
  /// range, which the softmax does not need (exp2(-inf) is still 0).
  Value exp2(Value x) { return ROCDL::ROCDLExp2::create(b, x.getType(), x); }

  /// `v` combined over the four lanes that hold a query row (c, c + 16,
  /// c + 32, c + 48).
  Value rowReduce(Value v, bool isMax) {
    for (int32_t offset : {16, 32}) {
      Value other = gpu::ShuffleOp::create(b, v, offset, kWave,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      v = isMax ? fmax(v, other) : fadd(v, other);
    }
    return v;
  }
};

/// The values of the kernel that the key loop uses.
struct Kernel {
  Shape sh{};
  Value kMem, vMem, mask;   // global buffers (mask may be null)
  Value kLds, vLds;         // [2, kKeys, D + pad] in LDS
  Value sq, skv;            // sequence lengths
  Value batch, head, kvHead;
  Value col, quad;          // lane % 16, lane / 16
  Value row, maskRow;       // this lane's query row; clamped for the mask
  Value lastKey;            // Skv - 1 (only read when there are keys)
  SmallVector<Value> qFrag; // B operands of S^T, one per MFMA over D
  // The mask's indices per dimension of [B, Hq, Sq, Skv] that broadcast:
  // whether a dynamic mask dimension is 1 at run time.
  SmallVector<Value, 4> maskIsOne;
};

/// One operand element vector (or scalar when the MFMA takes one element)
/// of `elements`.
Value operand(Builder &kb, const Instr &in, ArrayRef<Value> elements) {
  if (in.perLane == 1)
    return elements.front();
  return vector::FromElementsOp::create(
      kb.b, VectorType::get({in.perLane}, in.element), elements);
}

/// Staging of K and V blocks: thread t moves `chunks` runs of `width`
/// contiguous elements of each, run c at flat element (c * 256 + t) *
/// width of the [kKeys, D] block. Returns (key, d) of run c.
struct Staging {
  int64_t width, chunks;
  SmallVector<std::pair<Value, Value>> at;
};

Staging planStaging(Builder &kb, const Shape &sh, Value tid) {
  Staging st;
  int64_t perThread = kKeys * sh.d / kThreads;
  st.width = std::min<int64_t>(perThread, 16 / sh.instr.bytes());
  st.chunks = perThread / st.width;
  for (int64_t c = 0; c < st.chunks; ++c) {
    Value flat = kb.mul(kb.add(tid, c * kThreads), st.width);
    st.at.push_back({kb.div(flat, sh.d), kb.rem(flat, sh.d)});
  }
  return st;
}

/// The global loads of the block at `kb0` (K runs then V runs); keys past
/// Skv read the last key.
SmallVector<Value> loadBlock(Builder &kb, const Kernel &k, const Staging &st,
                             Value kb0) {
  SmallVector<Value> values;
  VectorType type = VectorType::get({st.width}, k.sh.instr.element);
  int64_t align = st.width * k.sh.instr.bytes();
  for (Value mem : {k.kMem, k.vMem})
    for (auto &[key, d] : st.at) {
      Value row = kb.minu(kb.add(kb0, key), k.lastKey);
      values.push_back(vector::LoadOp::create(
          kb.b, type, mem, ValueRange{k.batch, k.kvHead, row, d}, false,
          llvm::Align(align)));
    }
  return values;
}

void storeBlock(Builder &kb, const Kernel &k, const Staging &st,
                ArrayRef<Value> values, Value buffer) {
  int64_t align = st.width * k.sh.instr.bytes();
  for (int64_t c = 0; c < 2 * st.chunks; ++c) {
    auto &[key, d] = st.at[c % st.chunks];
    vector::StoreOp::create(kb.b, values[c], c < st.chunks ? k.kLds : k.vLds,
                            ValueRange{buffer, key, d}, false,
                            llvm::Align(align));
  }
}

/// The restriction of the score at `key` for this lane's row: whether it
/// is kept, and (float masks) the value to add, times log2(e).
std::pair<Value, Value> restriction(Builder &kb, const Kernel &k, Value key) {
  ImplicitLocOpBuilder &b = kb.b;
  Value keep = kb.ult(key, k.skv);
  if (k.sh.causal) {
    // key <= row + Skv - Sq, all terms non-negative.
    Value lhs = kb.add(key, k.sq), rhs = kb.add(k.row, k.skv);
    keep = arith::AndIOp::create(
        b, keep, arith::CmpIOp::create(b, arith::CmpIPredicate::ule, lhs, rhs));
  }
  if (!k.mask)
    return {keep, Value()};
  auto type = cast<MemRefType>(k.mask.getType());
  Value full[4] = {k.batch, k.head, k.maskRow, kb.minu(key, k.lastKey)};
  SmallVector<Value, 4> indices;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    Value target = full[4 - type.getRank() + i];
    if (type.getDimSize(i) == 1)
      indices.push_back(kb.idx(0));
    else if (type.isDynamicDim(i))
      indices.push_back(
          arith::SelectOp::create(b, k.maskIsOne[i], kb.idx(0), target));
    else
      indices.push_back(target);
  }
  Value m = memref::LoadOp::create(b, k.mask, indices);
  if (m.getType().isInteger(1))
    return {arith::AndIOp::create(b, keep, m), Value()};
  if (!m.getType().isF32())
    m = arith::ExtFOp::create(b, b.getF32Type(), m);
  return {keep, kb.fmul(m, kb.f32(M_LOG2E))};
}

/// Per-lane state carried over key blocks: the O^T accumulators (D / 16
/// tiles of four f32: O[row c][16 n + 4 q + r]), the running max m (exp2
/// domain) and the lane's partial row sum l.
struct State {
  SmallVector<Value> o;
  Value m, l;

  SmallVector<Value> flat() const {
    SmallVector<Value> all(o);
    all.append({m, l});
    return all;
  }
  static State unflat(ValueRange all) {
    State s;
    ValueRange o = all.drop_back(2);
    s.o.assign(o.begin(), o.end());
    s.m = all[all.size() - 2];
    s.l = all.back();
    return s;
  }
};

/// S^T, the online softmax and O^T += V^T P^T for the block at `kb0`, in
/// LDS buffer `buffer`.
State blockMath(Builder &kb, const Kernel &k, Value kb0, Value buffer,
                const State &in) {
  ImplicitLocOpBuilder &b = kb.b;
  const Instr &ins = k.sh.instr;
  int64_t p = ins.perLane, d = k.sh.d;
  auto accType = VectorType::get({4}, b.getF32Type());
  Value zeroAcc = arith::ConstantOp::create(b, accType, b.getZeroAttr(accType));
  Value pq = kb.mul(k.quad, p);

  // S^T per 16-key tile n: A = K[16 n + c][k t + p q + e] from LDS, B =
  // the Q fragment of MFMA t. Lane (c, q) gets score (row c, key 16 n +
  // 4 q + r) in element r.
  SmallVector<SmallVector<Value, 4>> s;
  VectorType fragType = VectorType::get({p}, ins.element);
  for (int64_t n = 0; n < kKeys / 16; ++n) {
    Value acc = zeroAcc;
    Value key = kb.add(k.col, 16 * n);
    for (int64_t t = 0; t < d / ins.k; ++t) {
      SmallVector<Value, 3> at = {buffer, key, kb.add(pq, ins.k * t)};
      Value a = p == 1 ? memref::LoadOp::create(b, k.kLds, at).getResult()
                       : vector::LoadOp::create(b, fragType, k.kLds, at, false,
                                                llvm::Align(p * ins.bytes()))
                             .getResult();
      acc = amdgpu::MFMAOp::create(b, accType, 16, 16, ins.k, /*blocks=*/1, a,
                                   k.qFrag[t], acc);
    }
    SmallVector<Value, 4> tile;
    for (int64_t r = 0; r < 4; ++r)
      tile.push_back(vector::ExtractOp::create(b, acc, ArrayRef<int64_t>{r}));
    s.push_back(tile);
  }

  // Scores in the exp2 domain, restricted: -inf where dropped.
  double log2Scale = k.sh.scale * M_LOG2E;
  Value c = kb.f32(log2Scale), negInf = kb.f32(-INFINITY);
  Value keyBase = kb.add(kb0, kb.mul(k.quad, 4));
  Value blockMax = negInf;
  for (int64_t n = 0; n < kKeys / 16; ++n)
    for (int64_t r = 0; r < 4; ++r) {
      auto [keep, added] = restriction(kb, k, kb.add(keyBase, 16 * n + r));
      Value x = added ? math::FmaOp::create(b, s[n][r], c, added).getResult()
                      : kb.fmul(s[n][r], c);
      s[n][r] = arith::SelectOp::create(b, keep, x, negInf);
      blockMax = kb.fmax(blockMax, s[n][r]);
    }
  blockMax = kb.rowReduce(blockMax, /*isMax=*/true);

  // m_new = max(m_old, block max); the exponents are shifted by m_new, or
  // by 0 while the row has seen no key (-inf - -inf would be NaN):
  // exp2(-inf) = 0 for its dropped scores and for the rescaling.
  State out;
  out.m = kb.fmax(in.m, blockMax);
  Value noKey =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, out.m, negInf);
  Value shift = arith::SelectOp::create(b, noKey, kb.f32(0.0), out.m);
  Value alpha = kb.exp2(arith::SubFOp::create(b, in.m, shift));
  Value sum = kb.f32(0.0);
  for (auto &tile : s)
    for (Value &x : tile) {
      x = kb.exp2(arith::SubFOp::create(b, x, shift));
      sum = kb.fadd(sum, x);
    }
  out.l = kb.fadd(kb.fmul(in.l, alpha), sum);
  Value alphaVec = vector::BroadcastOp::create(b, accType, alpha);
  for (Value o : in.o)
    out.o.push_back(arith::MulFOp::create(b, o, alphaVec));

  // O^T += V^T P^T: per D tile dn, key tile n and MFMA j < 4 / p, A = V[16 n
  // + 4 q + p j + e][16 dn + c] (LDS, one element per read), B = P[c][the
  // same key] = element p j + e of the lane's tile n.
  auto narrow = [&](Value x) -> Value {
    return ins.element.isF32() ? x
                               : arith::TruncFOp::create(b, ins.element, x)
                                     .getResult();
  };
  for (int64_t dn = 0; dn < d / 16; ++dn) {
    Value dcol = kb.add(k.col, 16 * dn);
    for (int64_t n = 0; n < kKeys / 16; ++n)
      for (int64_t j = 0; j < 4 / p; ++j) {
        SmallVector<Value, 4> aElems, bElems;
        for (int64_t e = 0; e < p; ++e) {
          Value key = kb.add(kb.mul(k.quad, 4), 16 * n + p * j + e);
          aElems.push_back(
              memref::LoadOp::create(b, k.vLds, ValueRange{buffer, key, dcol}));
          bElems.push_back(narrow(s[n][p * j + e]));
        }
        out.o[dn] = amdgpu::MFMAOp::create(
            b, accType, 16, 16, ins.k, /*blocks=*/1, operand(kb, ins, aElems),
            operand(kb, ins, bElems), out.o[dn]);
      }
  }
  return out;
}

void rewrite(attn::AttentionOp op, const Shape &sh) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Builder kb{b};
  MLIRContext *ctx = op.getContext();
  const Instr &ins = sh.instr;
  auto bufferOf = [&](Value tensor) {
    return amd::readBuffer(b, b.getLoc(), tensor);
  };
  Kernel k;
  k.sh = sh;
  Value qMem = bufferOf(op.getQuery());
  k.kMem = bufferOf(op.getKey());
  k.vMem = bufferOf(op.getValue());
  if (Value mask = op.getMask())
    k.mask = bufferOf(mask);
  Value sq = memref::DimOp::create(b, qMem, 2);
  Value skv = memref::DimOp::create(b, k.kMem, 2);
  Value oMem = amd::allocResult(
      b, b.getLoc(), cast<RankedTensorType>(op.getResult().getType()), sq);
  // Per dynamic mask dimension: whether it is 1 at run time.
  if (k.mask) {
    auto type = cast<MemRefType>(k.mask.getType());
    for (int64_t i = 0; i < type.getRank(); ++i)
      k.maskIsOne.push_back(
          type.isDynamicDim(i)
              ? arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                      memref::DimOp::create(b, k.mask, i),
                                      kb.idx(1))
                    .getResult()
              : Value());
  }

  Value one = kb.idx(1);
  Value qBlocks = arith::CeilDivUIOp::create(b, sq, kb.idx(kRows));
  int64_t rowElems = sh.d + ins.rowPad();
  int64_t bufferBytes = 2 * kKeys * rowElems * ins.bytes();
  Attribute lds = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto ldsType = MemRefType::get({2, kKeys, rowElems}, ins.element,
                                 MemRefLayoutAttrInterface(), lds);
  // LDS as dynamic shared memory (see loom-amd-grouped-matmul-to-mfma):
  // two buffers of K, then two of V.
  Value ldsBytes = arith::ConstantIntOp::create(b, 2 * bufferBytes, 32);
  {
    OpBuilder::InsertionGuard guard(b);
    auto [launch, smem] =
        amd::openLaunch(b, b.getLoc(), kb.idx(sh.b * sh.hq), qBlocks,
                        kb.idx(kThreads), one, ldsBytes);
    k.kLds = memref::ViewOp::create(b, ldsType, smem, kb.idx(0), ValueRange{});
    k.vLds = memref::ViewOp::create(b, ldsType, smem, kb.idx(bufferBytes),
                                    ValueRange{});
    k.sq = sq;
    k.skv = skv;
    Value tid = launch.getThreadIds().x;
    Value lane = kb.rem(tid, kWave), wave = kb.div(tid, kWave);
    k.col = kb.rem(lane, 16);
    k.quad = kb.div(lane, 16);
    Value bh = launch.getBlockIds().x;
    k.batch = kb.div(bh, sh.hq);
    k.head = kb.rem(bh, sh.hq);
    k.kvHead = kb.div(k.head, sh.hq / sh.hkv);
    Value qBlock = sh.causal ? kb.sub(kb.sub(qBlocks, one),
                                      launch.getBlockIds().y)
                             : launch.getBlockIds().y;
    Value q0 = kb.mul(qBlock, kRows);
    k.row = kb.add(kb.add(q0, kb.mul(wave, 16)), k.col);
    // Sq >= 1 in any workgroup; rows past it read the last row.
    Value lastRow = kb.sub(sq, one);
    Value rowClamped = kb.minu(k.row, lastRow);
    k.maskRow = rowClamped;
    k.lastKey = kb.sub(skv, one);

    // Q fragments: B operand of S^T MFMA t, lane (c, q) supplies Q[row
    // c][k t + p q + e].
    Value pq = kb.mul(k.quad, ins.perLane);
    for (int64_t t = 0; t < sh.d / ins.k; ++t) {
      SmallVector<Value, 4> at = {k.batch, k.head, rowClamped,
                                  kb.add(pq, ins.k * t)};
      k.qFrag.push_back(
          ins.perLane == 1
              ? memref::LoadOp::create(b, qMem, at).getResult()
              : vector::LoadOp::create(
                    b, VectorType::get({ins.perLane}, ins.element), qMem, at,
                    false, llvm::Align(ins.perLane * ins.bytes()))
                    .getResult());
    }

    // Keys the workgroup visits: all, or (causal) up to its last row's
    // position q0 + 63 + Skv - Sq (signed: may be below 0).
    Value keysEnd = skv;
    if (sh.causal) {
      Value last = kb.sub(kb.add(q0, kRows), sq);
      last = kb.add(last, skv);
      last = arith::MaxSIOp::create(b, last, kb.idx(0));
      keysEnd = arith::MinSIOp::create(b, last, skv);
    }
    Value blocks = arith::CeilDivUIOp::create(b, keysEnd, kb.idx(kKeys));
    Staging st = planStaging(kb, sh, tid);

    // Prologue: block 0 into buffer 0 (uniform branch: no keys, no loads).
    auto any = scf::IfOp::create(b, kb.ult(kb.idx(0), blocks),
                                 /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(any.thenBlock());
      storeBlock(kb, k, st, loadBlock(kb, k, st, kb.idx(0)), kb.idx(0));
    }
    gpu::BarrierOp::create(b);

    State state;
    auto accType = VectorType::get({4}, b.getF32Type());
    state.o.assign(sh.d / 16,
                   arith::ConstantOp::create(b, accType,
                                             b.getZeroAttr(accType)));
    state.m = kb.f32(-INFINITY);
    state.l = kb.f32(0.0);
    auto loop = scf::ForOp::create(b, kb.idx(0), blocks, one, state.flat());
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      Value i = loop.getInductionVar();
      Value kb0 = kb.mul(i, kKeys);
      // The last block reloads itself into the unused buffer rather than
      // branch (see loom-amd-matmul-to-mfma).
      Value nextBlock = kb.minu(kb.add(i, one), kb.sub(blocks, one));
      SmallVector<Value> next = loadBlock(kb, k, st, kb.mul(nextBlock, kKeys));
      // Keep the global loads above the math and the LDS stores below it.
      auto fence = [&] {
        amdgpu::SchedBarrierOp::create(b, amdgpu::sched_barrier_opt_enum::salu);
      };
      fence();
      Value cur = kb.rem(i, 2);
      State out = blockMath(kb, k, kb0, cur,
                            State::unflat(loop.getRegionIterArgs()));
      fence();
      // The other buffer's readers (step i - 1) passed the previous
      // barrier; this one's wait for the next.
      storeBlock(kb, k, st, next, kb.sub(one, cur));
      gpu::BarrierOp::create(b);
      scf::YieldOp::create(b, out.flat());
    }
    state = State::unflat(loop.getResults());

    // O / l with l summed over the row's four lanes; a row that saw no key
    // has l = 0 and gives 0. Lane (c, q) stores O[row c][16 dn + 4 q ..
    // + 3] of rows inside Sq.
    Value l = kb.rowReduce(state.l, /*isMax=*/false);
    Value empty =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, l, kb.f32(0.0));
    Value inv = arith::SelectOp::create(
        b, empty, kb.f32(0.0), arith::DivFOp::create(b, kb.f32(1.0), l));
    Value invVec = vector::BroadcastOp::create(b, accType, inv);
    auto store = scf::IfOp::create(b, kb.ult(k.row, sq),
                                   /*withElseRegion=*/false);
    b.setInsertionPointToStart(store.thenBlock());
    for (int64_t dn = 0; dn < sh.d / 16; ++dn) {
      Value o = arith::MulFOp::create(b, state.o[dn], invVec);
      if (!ins.element.isF32())
        o = arith::TruncFOp::create(
            b, VectorType::get({4}, ins.element), o);
      vector::StoreOp::create(
          b, o, oMem,
          ValueRange{k.batch, k.head, k.row,
                     kb.add(kb.mul(k.quad, 4), 16 * dn)},
          false, llvm::Align(4 * ins.bytes()));
    }
  }
  amd::replaceByBuffer(b, b.getLoc(), op, oMem);
}

struct AttentionToMfmaPass
    : public amd::TensorKernelPass<
          amd::impl::AttentionToMfmaPassBase<AttentionToMfmaPass>> {
  using TensorKernelPass::TensorKernelPass;

  void runOnOperation() override {
    amd::rewriteQualifying<attn::AttentionOp>(
        getOperation(), [&](attn::AttentionOp op) { return qualifies(op, chip); },
        rewrite);
  }
};

} // namespace
