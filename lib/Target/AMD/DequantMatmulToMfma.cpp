//===- DequantMatmulToMfma.cpp - dequantizing matmuls on the f32 MFMA -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A quantized matmul with f32 activations (W4 per-group after
// loom-convert-quant-to-linalg) is one f32 contraction whose body reads the
// packed weight byte, its group's scale and zero point and dequantizes the
// element before the product. Its weights cannot be staged as they are
// stored, so this kernel stages what the body computes: the body is split
// at its product `x * y` into the slice that computes x (the A side: rows
// and K) and the one that computes y (the B side: columns and K), and each
// K step clones both slices at the elements a thread stages, writing the
// f32 results into the LDS tiles of the shared MFMA kernel body
// (MfmaKernel.cpp). The slices' loads are issued before the step's MFMAs
// like the plain kernel's; the unpacking and dequantizing run after them.
//
// The same contraction comes from W4A16 (f16 activations and scales: the
// body widens both to f32 and dequantizes in f32, a value f16 cannot hold
// in general, so the f32 MFMA, not the f16 one, keeps the body's numerics)
// and from FP8 products (the dequantizing lowering decodes both e4m3
// values to f32 exactly and scales them in f32); the kernel stages what
// the body computes in each case, and only the order of the K sum differs
// from the body's. N need not be a multiple of the tile: columns past N
// are staged from column N - 1 and never stored.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/MfmaKernel.h"
#include "lib/Target/AMD/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir::loom::amd {
#define GEN_PASS_DEF_DEQUANTMATMULTOMFMAPASS
#include "lib/Target/AMD/Passes.h.inc"
} // namespace mlir::loom::amd

using namespace mlir;
using namespace mlir::loom;
using amd::Instr;
using amd::kThreads;
using amd::kTileM;
using amd::kTileN;

namespace {

/// One factor of the body's product and what computes it.
struct Side {
  Value root;
  // The body ops it is computed from, and those of them that its loads
  // need (the loads included).
  llvm::SetVector<Operation *> ops, loadOps;
  llvm::SetVector<unsigned> args; // input block arguments it reads
  llvm::SmallBitVector dims;      // loops it depends on
  bool dequantizes = false;       // converts an integer to a float
};

struct Plan {
  linalg::GenericOp op;
  Side a, b;
  unsigned kDim;
  int64_t k, n;
  int64_t numRowDims; // C's leading dims are rows, the rest columns
};

/// Fills `side` with the slice of `op`'s body that computes `side.root`;
/// false if anything in it cannot be cloned into the kernel.
bool slice(linalg::GenericOp op, Side &side) {
  Block *body = op.getBlock();
  unsigned numInputs = op.getNumDpsInputs();
  side.dims = llvm::SmallBitVector(op.getNumLoops());
  SmallVector<Value> work{side.root};
  llvm::SmallPtrSet<Operation *, 16> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != body)
        continue; // defined outside the op: captured as it is
      if (arg.getArgNumber() >= numInputs)
        return false; // the accumulator
      side.args.insert(arg.getArgNumber());
      AffineMap map = op.getIndexingMapsArray()[arg.getArgNumber()];
      for (unsigned d = 0; d < map.getNumDims(); ++d)
        if (map.isFunctionOfDim(d))
          side.dims.set(d);
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != body)
      continue; // defined outside the op
    if (!seen.insert(def).second)
      continue;
    if (def->getNumRegions() != 0)
      return false;
    if (auto index = dyn_cast<linalg::IndexOp>(def)) {
      side.dims.set(index.getDim());
    } else if (auto load = dyn_cast<memref::LoadOp>(def)) {
      if (load.getMemRef().getParentBlock() == body)
        return false;
    } else if (!isMemoryEffectFree(def)) {
      return false;
    }
    if (isa<arith::SIToFPOp, arith::UIToFPOp>(def))
      side.dequantizes = true;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  // In block order, for cloning.
  for (Operation &inner : *body)
    if (seen.contains(&inner))
      side.ops.insert(&inner);
  // The loads and the ops their indices need.
  SmallVector<Operation *> loadWork;
  for (Operation *inner : side.ops)
    if (isa<memref::LoadOp>(inner))
      loadWork.push_back(inner);
  llvm::SmallPtrSet<Operation *, 16> needed;
  while (!loadWork.empty()) {
    Operation *inner = loadWork.pop_back_val();
    if (!needed.insert(inner).second)
      continue;
    for (Value operand : inner->getOperands())
      if (Operation *def = operand.getDefiningOp())
        if (seen.contains(def))
          loadWork.push_back(def);
  }
  for (Operation *inner : side.ops)
    if (needed.contains(inner))
      side.loadOps.insert(inner);
  return true;
}

/// The plan for `op`, if it is a dequantizing contraction the kernel takes.
std::optional<Plan> analyze(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || !op.hasPureBufferSemantics())
    return std::nullopt;
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Value out = body->getArguments().back();
  if (yield.getNumOperands() != 1 || !out.getType().isF32() ||
      !out.hasOneUse())
    return std::nullopt;
  auto addOp = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!addOp || (addOp.getLhs() != out && addOp.getRhs() != out))
    return std::nullopt;
  auto mulOp = (addOp.getLhs() == out ? addOp.getRhs() : addOp.getLhs())
                   .getDefiningOp<arith::MulFOp>();
  if (!mulOp || !mulOp->hasOneUse() || mulOp->getBlock() != body)
    return std::nullopt;

  Plan plan{op, {}, {}, 0, 0, 0, 0};
  plan.a.root = mulOp.getLhs();
  plan.b.root = mulOp.getRhs();
  if (!slice(op, plan.a) || !slice(op, plan.b) ||
      !(plan.a.dequantizes || plan.b.dequantizes))
    return std::nullopt;
  // Nothing else in the body may matter: ops outside the two slices are
  // dropped.
  for (Operation &inner : *body)
    if (&inner != addOp && &inner != mulOp && &inner != yield &&
        !plan.a.ops.contains(&inner) && !plan.b.ops.contains(&inner) &&
        !isMemoryEffectFree(&inner))
      return std::nullopt;

  // One reduction loop, used by both sides; C indexed by every parallel
  // loop, each used by exactly one side.
  auto iterators = op.getIteratorTypesArray();
  std::optional<unsigned> kDim;
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    if (iterators[d] != utils::IteratorType::reduction)
      continue;
    if (kDim)
      return std::nullopt;
    kDim = d;
  }
  if (!kDim || !plan.a.dims.test(*kDim) || !plan.b.dims.test(*kDim))
    return std::nullopt;
  plan.kDim = *kDim;
  AffineMap cMap = op.getIndexingMapsArray().back();
  if (cMap.getNumResults() != op.getNumLoops() - 1 ||
      !cMap.isProjectedPermutation())
    return std::nullopt;
  // C's results: the dims of one side, then those of the other; the side
  // that comes first is A.
  SmallVector<int> owner; // 0: mulOp's lhs side, 1: rhs side
  for (AffineExpr e : cMap.getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    bool inX = plan.a.dims.test(d), inY = plan.b.dims.test(d);
    if (inX == inY)
      return std::nullopt; // a batch loop, or one neither side reads
    owner.push_back(inX ? 0 : 1);
  }
  int64_t rows = 0;
  while (rows < int64_t(owner.size()) && owner[rows] == owner[0])
    ++rows;
  for (int64_t i = rows; i < int64_t(owner.size()); ++i)
    if (owner[i] == owner[0])
      return std::nullopt;
  if (rows == int64_t(owner.size()))
    return std::nullopt;
  if (owner[0] == 1)
    std::swap(plan.a, plan.b);
  plan.numRowDims = rows;

  // C: an identity-layout f32 buffer; N and K static, K whole steps (a
  // last partial column tile is clamped like the rows).
  auto cType = dyn_cast<MemRefType>(op.getDpsInits()[0].getType());
  if (!cType || !cType.getLayout().isIdentity() ||
      cType.getMemorySpace() != nullptr || !cType.getElementType().isF32())
    return std::nullopt;
  plan.n = 1;
  for (int64_t i = rows; i < cType.getRank(); ++i) {
    if (cType.isDynamicDim(i))
      return std::nullopt;
    plan.n *= cType.getDimSize(i);
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  plan.k = ranges[plan.kDim];
  std::optional<Instr> in = amd::instrFor(Builder(op).getF32Type(), "");
  if (ShapedType::isDynamic(plan.k) || plan.k % in->tileK() ||
      !plan.a.root.getType().isF32() || !plan.b.root.getType().isF32())
    return std::nullopt;
  return plan;
}

/// Splits the linear index `flat` into the dims `dims` of sizes `sizes`
/// (row-major), writing them into `dimValues`.
void delinearize(OpBuilder &b, Location loc, Value flat,
                 ArrayRef<unsigned> dims, ArrayRef<Value> sizes,
                 SmallVectorImpl<Value> &dimValues) {
  for (int64_t i = int64_t(dims.size()) - 1; i > 0; --i) {
    dimValues[dims[i]] = arith::RemUIOp::create(b, loc, flat, sizes[i]);
    flat = arith::DivUIOp::create(b, loc, flat, sizes[i]);
  }
  dimValues[dims[0]] = flat;
}

/// Clones `side`'s loads at loop indices `dims` (phase 1) into `map`.
void cloneLoads(OpBuilder &b, Location loc, linalg::GenericOp op,
                const Side &side, ArrayRef<Value> dims, IRMapping &map) {
  Block *body = op.getBlock();
  for (unsigned arg : side.args) {
    AffineMap imap = op.getIndexingMapsArray()[arg];
    SmallVector<Value> indices;
    for (AffineExpr e : imap.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        indices.push_back(dims[d.getPosition()]);
        continue;
      }
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(imap.getNumDims(), 0, e), dims));
    }
    map.map(body->getArgument(arg),
            memref::LoadOp::create(b, loc, op.getDpsInputs()[arg], indices)
                .getResult());
  }
  for (Operation *inner : side.loadOps) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner))
      map.map(index.getResult(), dims[index.getDim()]);
    else
      b.clone(*inner, map);
  }
}

/// Clones the rest of `side` (phase 2) and returns its value.
Value cloneRest(OpBuilder &b, const Side &side, ArrayRef<Value> dims,
                IRMapping &map) {
  for (Operation *inner : side.ops) {
    if (side.loadOps.contains(inner))
      continue;
    if (auto index = dyn_cast<linalg::IndexOp>(inner))
      map.map(index.getResult(), dims[index.getDim()]);
    else
      b.clone(*inner, map);
  }
  return map.lookupOrDefault(side.root);
}

void rewrite(const Plan &plan) {
  linalg::GenericOp op = plan.op;
  Instr in = *amd::instrFor(Builder(op).getF32Type(), "");
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, idx(y));
  };

  // C as rows x N; the rows' and columns' loops in C's order, their sizes.
  Value c = op.getDpsInits()[0];
  auto cType = cast<MemRefType>(c.getType());
  AffineMap cMap = op.getIndexingMapsArray().back();
  SmallVector<unsigned> rowDims, colDims;
  SmallVector<Value> rowSizes, colSizes;
  for (int64_t i = 0; i < cType.getRank(); ++i) {
    unsigned d = cast<AffineDimExpr>(cMap.getResult(i)).getPosition();
    bool isRow = i < plan.numRowDims;
    (isRow ? rowDims : colDims).push_back(d);
    Value size = cType.isDynamicDim(i)
                     ? memref::DimOp::create(b, loc, c, i).getResult()
                     : idx(cType.getDimSize(i));
    (isRow ? rowSizes : colSizes).push_back(size);
  }
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i < cType.getRank(); ++i)
    groups[i < plan.numRowDims ? 0 : 1].push_back(i);
  Value c2 = cType.getRank() == 2
                 ? c
                 : memref::CollapseShapeOp::create(b, loc, c, groups)
                       .getResult();
  Value m = memref::DimOp::create(b, loc, c2, 0);
  Value one = idx(1);
  Value rowTiles = arith::CeilDivUIOp::create(b, loc, m, idx(kTileM));

  auto launch = gpu::LaunchOp::create(
      b, loc, rowTiles, idx(llvm::divideCeil(plan.n, kTileN)), one,
      idx(kThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{},
      /*workgroupAttributions=*/
      TypeRange{amd::ldsTileType(ctx, in, kTileM),
                amd::ldsTileType(ctx, in, kTileN)});
  b.setInsertionPointToStart(&launch.getBody().front());
  Value aTiles = launch.getWorkgroupAttributions()[0];
  Value bTiles = launch.getWorkgroupAttributions()[1];
  Value tid = launch.getThreadIds().x;
  Value row0 = mul(launch.getBlockIds().x, kTileM);
  Value col0 = mul(launch.getBlockIds().y, kTileN);
  amd::TileThread thread = amd::tileThread(b, loc, tid);

  // Staging: thread t computes 2 consecutive K elements (offset (t % 8) *
  // 2) of row t / 8 of A's tile and of column t / 8 of B's. Rows past M
  // compute row M - 1 and columns past N column N - 1 (never stored), so
  // every load stays in bounds.
  int64_t width = in.stageWidth();
  amd::StageSlots slots = amd::stageSlots(b, loc, tid, width);
  Value sRow = slots.row, sK = slots.k;
  Value lastRow = arith::SubIOp::create(b, loc, m, one);
  Value aRow = arith::MinUIOp::create(b, loc, add(row0, sRow), lastRow);
  Value zero = idx(0);
  SmallVector<Value> aDims(op.getNumLoops(), zero),
      bDims(op.getNumLoops(), zero);
  delinearize(b, loc, aRow, rowDims, rowSizes, aDims);
  Value bCol =
      arith::MinUIOp::create(b, loc, add(col0, sRow), idx(plan.n - 1));
  delinearize(b, loc, bCol, colDims, colSizes, bDims);

  // The loads of a step, per element: what phase 2 continues from.
  SmallVector<IRMapping> pending;
  SmallVector<SmallVector<Value>> pendingDims;
  auto loadStep = [&](Value k0) -> SmallVector<Value> {
    pending.clear();
    pendingDims.clear();
    for (int64_t e = 0; e < width; ++e) {
      Value kv = add(add(k0, sK), idx(e));
      for (const Side *side : {&plan.a, &plan.b}) {
        SmallVector<Value> dims = side == &plan.a ? aDims : bDims;
        dims[plan.kDim] = kv;
        pending.emplace_back();
        pendingDims.push_back(dims);
        cloneLoads(b, loc, op, *side, dims, pending.back());
      }
    }
    return {};
  };
  auto storeStep = [&](ValueRange, Value buffer) {
    SmallVector<Value> aValues, bValues;
    for (int64_t e = 0; e < width; ++e) {
      aValues.push_back(
          cloneRest(b, plan.a, pendingDims[2 * e], pending[2 * e]));
      bValues.push_back(
          cloneRest(b, plan.b, pendingDims[2 * e + 1], pending[2 * e + 1]));
    }
    VectorType stageType = VectorType::get({width}, in.element);
    for (int64_t side = 0; side < 2; ++side) {
      Value tiles = side == 0 ? aTiles : bTiles;
      Value v = vector::FromElementsOp::create(b, loc, stageType,
                                               side == 0 ? aValues : bValues);
      vector::StoreOp::create(b, loc, v, tiles, ValueRange{buffer, sRow, sK},
                              false, llvm::Align(amd::kStageBytes));
    }
  };

  auto at = [&](Value row, Value col) -> SmallVector<Value, 3> {
    return {row, col};
  };
  Value accRow = add(row0, thread.accRow);
  Value accCol = add(col0, thread.accCol);
  // A lane's accumulator is one column: past N it holds no row of C.
  Value rowsHere = m;
  if (plan.n % kTileN)
    rowsHere = arith::SelectOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, accCol,
                              idx(plan.n)),
        m, zero);
  Value acc =
      amd::loadAccumulator(b, loc, in, c2, at, accRow, accCol, rowsHere);
  Value result = amd::buildMfmaKLoop(b, loc, in, thread, aTiles, bTiles,
                                     plan.k, acc, {loadStep, storeStep});
  amd::storeAccumulator(b, loc, result, c2, at, accRow, accCol, rowsHere);
  gpu::TerminatorOp::create(b, loc);
  op->erase();
}

struct DequantMatmulToMfmaPass
    : public amd::impl::DequantMatmulToMfmaPassBase<DequantMatmulToMfmaPass> {
  using Base::Base;

  void runOnOperation() override {
    std::vector<Plan> plans;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<gpu::LaunchOp>())
        return;
      if (std::optional<Plan> plan = analyze(op))
        plans.push_back(*plan);
    });
    for (const Plan &plan : plans)
      rewrite(plan);
  }
};

} // namespace
