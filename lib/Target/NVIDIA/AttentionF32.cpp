//===- AttentionF32.cpp - f32 attention on tensor cores (3xTF32) ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// f32 `loom_attn.attention` as a FlashAttention-2-style kernel on
// mma.sync m16n8k8 tf32 with the 3xTF32 split (KernelHelpers: each f32 is
// hi + lo in tf32, three products per step, near-f32 accuracy):
//
//   grid  (B * Hq, ceil(Sq / 64)) (at least 1 x 1), 4 warps per block;
//         warp w owns query rows 64 y + 16 w .. + 15 (a warp wholly past
//         Sq does nothing; rows past Sq read row Sq - 1 and are not
//         stored); Q fragments (split) stay in registers
//   loop  per warp over blocks of 32 keys up to the last key its rows see
//         (causal: row i sees keys j <= i + Skv - Sq, bottom-right aligned;
//         keys past Skv read key Skv - 1 and score -inf):
//           S = Q K^T by k8 steps over D, K fragments read from global
//           memory (L1/L2: D is small, no shared memory, no barrier);
//           online softmax in f32 registers in the exp2 domain, row max and
//           sum over the quad by shuffles (xor 1, 2); a row that has seen no
//           key shifts by 0 (no NaN) and ends with zeros, as the SIMT
//           lowering gives;
//           O += P V: P stays in its registers. The C fragment of an n8
//           tile holds (g; 2t, 2t + 1) and (g + 8; 2t, 2t + 1); the k8 step
//           takes the tile's keys in the order 0, 2, 4, 6, 1, 3, 5, 7 (a
//           sum over k does not care), i.e. A column t is key 2t and
//           column t + 4 key 2t + 1: a0 = c0, a1 = c2, a2 = c1, a3 = c3,
//           and B rows t, t + 4 are V's keys 2t, 2t + 1. Q and K take the
//           same order over d, so that their pairs (d 2t, 2t + 1) are one
//           8-byte load.
//   end   O / l (zero where l = 0) stored as f32 pairs
//
// An additive f32 mask broadcasting (numpy style, also at run time for
// dynamic size-1 dimensions) to [B, Hq, Sq, Skv] is read per score.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/AttentionF32.h"
#include "lib/Target/NVIDIA/AttentionKernel.h"
#include "lib/Target/NVIDIA/KernelHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;
using namespace mlir::loom::nvidia::attention;

namespace {

// Query rows per block (16 per warp), keys per loop step, lanes, and the
// largest D: the split Q fragments (D regs), O (D / 2) and S stay in
// registers (ptxas: 96 registers at D = 16, 184 at D = 64, no spills; at
// D = 128 even with Q split per use, which LLVM hoists, it spills).
constexpr int64_t kRows = 64, kKeys = 32, kWarp = 32, kMaxD = 64;

struct KB : KernelMath {
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value dim(Value mem, int64_t i) {
    auto type = cast<MemRefType>(mem.getType());
    if (!type.isDynamicDim(i))
      return idx(type.getDimSize(i));
    return memref::DimOp::create(b, mem, i);
  }
  /// Two adjacent f32 of the last dimension (even column, even row length).
  std::pair<Value, Value> loadPair(Value mem, ValueRange indices) {
    Value v = vector::LoadOp::create(b, VectorType::get({2}, b.getF32Type()),
                                     mem, indices, /*nontemporal=*/false,
                                     llvm::MaybeAlign(8));
    return {vector::ExtractOp::create(b, v, ArrayRef<int64_t>{0}),
            vector::ExtractOp::create(b, v, ArrayRef<int64_t>{1})};
  }
  Tf32Split split(Value v) { return splitTf32(b, b.getLoc(), v); }
};

/// What every key block of a lane uses.
struct Lane {
  int64_t d;
  bool causal;
  double log2Scale;
  Value kMem, vMem, mask;
  Value sq, skv;
  Value batch, head, kvHead;
  Value g, t, twoT;
  Value row[2];  // query rows g, g + 8 of the warp (possibly >= Sq)
  Value rowC[2]; // the same, clamped to Sq - 1 (for reads)
  // Q's A fragments per k8 step of D (a0..a3 as in the file comment), split.
  SmallVector<SmallVector<Tf32Split, 4>> qSplit;
  SmallVector<Value> maskIsOne; // per mask dimension: size 1 at run time
};

/// The mask at (row r, key), as f32 scaled by log2 e; `key` clamped.
Value maskValue(KB &kb, const Lane &ln, int r, Value key) {
  auto type = cast<MemRefType>(ln.mask.getType());
  Value full[4] = {ln.batch, ln.head, ln.rowC[r], key};
  SmallVector<Value, 4> indices;
  int64_t rank = type.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    Value index = full[4 - rank + i];
    if (type.getDimSize(i) == 1)
      index = kb.idx(0);
    else if (type.isDynamicDim(i))
      index = arith::SelectOp::create(kb.b, ln.maskIsOne[i], kb.idx(0), index);
    indices.push_back(index);
  }
  Value v = memref::LoadOp::create(kb.b, ln.mask, indices);
  if (!v.getType().isF32())
    v = arith::ExtFOp::create(kb.b, kb.b.getF32Type(), v);
  return arith::MulFOp::create(kb.b, v, kb.f32(M_LOG2E));
}

/// One block of kKeys keys from `kb0`: S = Q K^T, masking, online softmax,
/// O += P V.
State keyBlock(KB &kb, const Lane &ln, Value kb0, const State &in) {
  ImplicitLocOpBuilder &b = kb.b;
  Value skvLast = kb.sub(ln.skv, kb.idx(1));
  Value zero = kb.f32(0.0), negInf = kb.f32(-INFINITY);
  int64_t steps = ln.d / 8;

  // S, n8 tile j = keys kb0 + 8j .. + 7; B: b0, b1 = K[key g][d 8s + 2t,
  // + 1] (the k8 step's columns t, t + 4).
  SmallVector<SmallVector<Value, 4>> s;
  for (int64_t j = 0; j < kKeys / 8; ++j) {
    Value key = kb.min(kb.add(kb.add(kb0, ln.g), 8 * j), skvLast);
    SmallVector<Value> acc(4, zero);
    for (int64_t st = 0; st < steps; ++st) {
      auto [k0, k1] = kb.loadPair(
          ln.kMem, ValueRange{ln.batch, ln.kvHead, key, kb.add(ln.twoT, 8 * st)});
      acc = mma3xTf32(b, b.getLoc(), ln.qSplit[st],
                      {kb.split(k0), kb.split(k1)}, acc);
    }
    s.emplace_back(acc.begin(), acc.end());
  }

  // Scores in the exp2 domain: element e of tile j is row g + 8 (e / 2),
  // key kb0 + 8j + 2t + e % 2; keys past Skv, or (causal) after the row's
  // position i + Skv - Sq (key + Sq <= i + Skv, all non-negative), drop.
  Value scale = kb.f32(ln.log2Scale);
  Value keyBase = kb.add(kb0, ln.twoT);
  Value rowPos[2];
  for (int r = 0; r < 2; ++r)
    rowPos[r] = kb.add(ln.row[r], ln.skv);
  for (int64_t j = 0; j < kKeys / 8; ++j)
    for (int64_t e = 0; e < 4; ++e) {
      int r = e / 2;
      Value key = kb.add(keyBase, 8 * j + e % 2);
      Value v = arith::MulFOp::create(b, s[j][e], scale);
      if (ln.mask)
        v = arith::AddFOp::create(b, v,
                                  maskValue(kb, ln, r, kb.min(key, skvLast)));
      Value visible = kb.cmp(arith::CmpIPredicate::slt, key, ln.skv);
      if (ln.causal)
        visible = arith::AndIOp::create(
            b, visible,
            kb.cmp(arith::CmpIPredicate::sle, kb.add(key, ln.sq), rowPos[r]));
      s[j][e] = arith::SelectOp::create(b, visible, v, negInf);
    }

  // Online softmax per row; shift by 0 while a row has seen no key.
  State out;
  Value alpha[2], shift[2];
  for (int r = 0; r < 2; ++r) {
    Value mx = in.m[r];
    for (int64_t j = 0; j < kKeys / 8; ++j)
      for (int64_t c = 0; c < 2; ++c)
        mx = arith::MaximumFOp::create(b, mx, s[j][2 * r + c]);
    out.m[r] = kb.quadReduce(mx, /*isMax=*/true);
    Value none =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, out.m[r], negInf);
    shift[r] = arith::SelectOp::create(b, none, zero, out.m[r]);
    alpha[r] =
        math::Exp2Op::create(b, arith::SubFOp::create(b, in.m[r], shift[r]));
  }
  Value rowSum[2] = {zero, zero};
  for (int64_t j = 0; j < kKeys / 8; ++j)
    for (int64_t e = 0; e < 4; ++e) {
      int r = e / 2;
      s[j][e] = math::Exp2Op::create(
          b, arith::SubFOp::create(b, s[j][e], shift[r]));
      rowSum[r] = arith::AddFOp::create(b, rowSum[r], s[j][e]);
    }
  for (int r = 0; r < 2; ++r)
    out.l[r] = arith::AddFOp::create(
        b, arith::MulFOp::create(b, in.l[r], alpha[r]), rowSum[r]);
  for (auto [i, v] : llvm::enumerate(in.o))
    out.o.push_back(arith::MulFOp::create(b, v, alpha[(i % 4) / 2]));

  // O += P V, one k8 step per tile j (keys in the order 2t, 2t + 1 for
  // columns t, t + 4): a = (c0, c2, c1, c3); b0, b1 = V[keys kb0 + 8j + 2t,
  // + 1][d 8n + g].
  for (int64_t j = 0; j < kKeys / 8; ++j) {
    SmallVector<Tf32Split, 4> a = {kb.split(s[j][0]), kb.split(s[j][2]),
                                   kb.split(s[j][1]), kb.split(s[j][3])};
    Value key0 = kb.min(kb.add(keyBase, 8 * j), skvLast);
    Value key1 = kb.min(kb.add(keyBase, 8 * j + 1), skvLast);
    for (int64_t n = 0; n < steps; ++n) {
      Value col = kb.add(ln.g, 8 * n);
      Value v0 = memref::LoadOp::create(
          b, ln.vMem, ValueRange{ln.batch, ln.kvHead, key0, col});
      Value v1 = memref::LoadOp::create(
          b, ln.vMem, ValueRange{ln.batch, ln.kvHead, key1, col});
      SmallVector<Value> c(ArrayRef(out.o).slice(4 * n, 4));
      SmallVector<Value> r =
          mma3xTf32(b, b.getLoc(), a, {kb.split(v0), kb.split(v1)}, c);
      for (int64_t e = 0; e < 4; ++e)
        out.o[4 * n + e] = r[e];
    }
  }
  return out;
}

} // namespace

bool nvidia::f32AttentionFits(attn::AttentionOp op) {
  if (op->getParentOfType<gpu::LaunchOp>() || op.getBias() ||
      op.getSparsityAttr() || op.getWindowAttr() || op.getSinksAttr() ||
      op.getSoftcapAttr() || !op.getScaleOrDefault())
    return false;
  auto q = cast<RankedTensorType>(op.getQuery().getType());
  auto k = cast<RankedTensorType>(op.getKey().getType());
  auto v = cast<RankedTensorType>(op.getValue().getType());
  auto r = cast<RankedTensorType>(op.getResult().getType());
  for (RankedTensorType type : {q, k, v, r})
    if (!type.getElementType().isF32() || type.getRank() != 4)
      return false;
  int64_t d = q.getDimSize(3), hq = q.getDimSize(1), hkv = k.getDimSize(1);
  if (ShapedType::isDynamic(d) || d % 8 || d <= 0 || d > kMaxD ||
      k.getDimSize(3) != d || v.getDimSize(3) != d ||
      ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hkv <= 0 ||
      hq % hkv || v.getDimSize(1) != hkv || r.getShape() != q.getShape())
    return false;
  if (Value mask = op.getMask()) {
    auto m = cast<RankedTensorType>(mask.getType());
    if (!isa<FloatType>(m.getElementType()) ||
        m.getElementType().getIntOrFloatBitWidth() > 32 || m.getRank() < 1 ||
        m.getRank() > 4)
      return false;
  }
  return true;
}

void nvidia::buildF32AttentionKernel(func::CallOp call, bool causal,
                                     double scale) {
  ImplicitLocOpBuilder b(call.getLoc(), call);
  KB kb{{b}};
  ValueRange args = call.getOperands();
  Value qMem = args[0], oMem = args.back();
  auto qType = cast<MemRefType>(qMem.getType());
  auto kType = cast<MemRefType>(args[1].getType());
  int64_t d = qType.getDimSize(3), hq = qType.getDimSize(1),
          hkv = kType.getDimSize(1);
  Lane ln;
  ln.d = d;
  ln.causal = causal;
  ln.log2Scale = scale * M_LOG2E;
  ln.kMem = args[1];
  ln.vMem = args[2];
  if (args.size() == 5) {
    ln.mask = args[3];
    auto type = cast<MemRefType>(ln.mask.getType());
    for (int64_t i = 0; i < type.getRank(); ++i)
      ln.maskIsOne.push_back(
          type.isDynamicDim(i)
              ? kb.cmp(arith::CmpIPredicate::eq, kb.dim(ln.mask, i), kb.idx(1))
              : Value());
  }
  Value batches = kb.dim(qMem, 0);
  ln.sq = kb.dim(qMem, 2);
  ln.skv = kb.dim(ln.kMem, 2);

  // At least one block (a launch of none is an error; host code stays
  // free of control flow): blocks past the output do nothing.
  Value one = kb.idx(1);
  Value heads = arith::MulIOp::create(b, batches, kb.idx(hq));
  Value qBlocks = kb.div(kb.add(ln.sq, kRows - 1), kRows);
  auto launch = gpu::LaunchOp::create(
      b, kb.max(heads, one), kb.max(qBlocks, one), one,
      kb.idx(kRows / 16 * kWarp), one, one, /*dynamicSharedMemorySize=*/Value(),
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/ValueRange{});
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b);
  b.setInsertionPointToStart(&launch.getBody().front());

  Value tid = launch.getThreadIds().x;
  Value warp = kb.div(tid, kWarp), lane = kb.rem(tid, kWarp);
  ln.g = kb.div(lane, 4);
  ln.t = kb.rem(lane, 4);
  ln.twoT = kb.mul(ln.t, 2);
  Value bh = launch.getBlockIds().x;
  ln.batch = kb.div(bh, hq);
  ln.head = kb.rem(bh, hq);
  ln.kvHead = kb.div(ln.head, hq / hkv);
  Value q0 = kb.add(kb.mul(launch.getBlockIds().y, kRows), kb.mul(warp, 16));
  // A warp whose rows are all past Sq (or a block past B * Hq) does nothing
  // (warp-uniform; no barrier in the kernel).
  Value work = arith::AndIOp::create(
      b, kb.cmp(arith::CmpIPredicate::slt, q0, ln.sq),
      kb.cmp(arith::CmpIPredicate::slt, bh, heads));
  auto ifWork = scf::IfOp::create(b, work, /*withElseRegion=*/false);
  b.setInsertionPointToStart(ifWork.thenBlock());
  Value sqLast = kb.sub(ln.sq, one);
  for (int r = 0; r < 2; ++r) {
    ln.row[r] = kb.add(kb.add(q0, ln.g), 8 * r);
    ln.rowC[r] = kb.min(ln.row[r], sqLast);
  }

  // Q's A fragments per k8 step st: a0, a2 = Q[row g][8st + 2t, + 1],
  // a1, a3 = the same of row g + 8.
  for (int64_t st = 0; st < d / 8; ++st) {
    Value col = kb.add(ln.twoT, 8 * st);
    auto [a0, a2] =
        kb.loadPair(qMem, ValueRange{ln.batch, ln.head, ln.rowC[0], col});
    auto [a1, a3] =
        kb.loadPair(qMem, ValueRange{ln.batch, ln.head, ln.rowC[1], col});
    ln.qSplit.push_back(
        {kb.split(a0), kb.split(a1), kb.split(a2), kb.split(a3)});
  }

  // The keys this warp's rows see: all Skv, or (causal) up to its last
  // row's position q0 + 15 + Skv - Sq.
  Value keysEnd = ln.skv;
  if (causal)
    keysEnd = kb.max(
        kb.idx(0), kb.min(ln.skv, kb.sub(kb.add(kb.add(q0, 16), ln.skv),
                                          ln.sq)));

  State state;
  state.o.assign(d / 2, kb.f32(0.0));
  for (int r = 0; r < 2; ++r) {
    state.m[r] = kb.f32(-INFINITY);
    state.l[r] = kb.f32(0.0);
  }
  auto loop =
      scf::ForOp::create(b, kb.idx(0), keysEnd, kb.idx(kKeys), state.flat());
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    State next = keyBlock(kb, ln, loop.getInductionVar(),
                          State::unflat(loop.getRegionIterArgs()));
    scf::YieldOp::create(b, next.flat());
  }
  state = State::unflat(loop.getResults());

  // O / l (zeros for a row without keys); O tile n: c0, c1 = (row g;
  // d 8n + 2t, + 1), c2, c3 = (row g + 8; same d). Rows past Sq: no store.
  Value fZero = kb.f32(0.0);
  for (int r = 0; r < 2; ++r) {
    Value l = kb.quadReduce(state.l[r], /*isMax=*/false);
    Value inv = arith::DivFOp::create(b, kb.f32(1.0), l);
    Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, l, fZero);
    inv = arith::SelectOp::create(b, empty, fZero, inv);
    Value inside = kb.cmp(arith::CmpIPredicate::slt, ln.row[r], ln.sq);
    auto ifInside = scf::IfOp::create(b, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifInside.thenBlock());
    for (int64_t n = 0; n < d / 8; ++n) {
      Value pair = vector::FromElementsOp::create(
          b, VectorType::get({2}, b.getF32Type()),
          ValueRange{arith::MulFOp::create(b, state.o[4 * n + 2 * r], inv),
                     arith::MulFOp::create(b, state.o[4 * n + 2 * r + 1], inv)});
      vector::StoreOp::create(
          b, pair, oMem,
          ValueRange{ln.batch, ln.head, ln.row[r], kb.add(ln.twoT, 8 * n)},
          /*nontemporal=*/false, llvm::MaybeAlign(8));
    }
  }
  call.erase();
}
