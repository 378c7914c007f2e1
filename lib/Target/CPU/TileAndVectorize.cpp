//===- TileAndVectorize.cpp - Tile linalg ops for cores, cache, registers -===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Runs on tensors, before bufferization. Each linalg op with a static (or
// unit-tileable dynamic) iteration space is tiled twice:
//
//   1. when it is large enough, its outer parallel dimensions are tiled with
//      scf.forall: one task per tile, later an OpenMP work-sharing loop
//      (not when the op is already inside an scf.forall);
//   2. inside, with scf.for, down to a register tile: for contractions an
//      8x32 (M x N) output tile with K innermost in steps of one, so that the
//      tile is a vector.contract that lowers to broadcasts and FMAs on a
//      register-resident accumulator; for other ops one vector of the
//      innermost dimension.
//
// The register tile is then vectorized. Tile sizes are divisors of the
// static sizes, so every tile is full and static: no masks, no remainder
// loops. A dynamic parallel dimension (batch, sequence) is tiled by one,
// which keeps the tile static without recompiling per size. Ops that the
// vectorizer cannot handle stay tiled (or untouched) and become scalar loops.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// Lanes of the innermost vector of elementwise and reduction tiles: one
/// AVX-512 register of f32 (LLVM splits it for narrower targets).
constexpr int64_t kLanes = 16;
/// The contraction register tile: 8 rows x 32 columns of f32 accumulators
/// are 16 zmm registers, leaving room for the broadcast operands.
constexpr int64_t kRegM = 8, kRegN = 32;
/// Cache/thread tile of contractions (multiples of the register tile).
constexpr int64_t kTaskM = 32, kTaskN = 128;
/// Below this many iteration points, forking threads costs more than it
/// saves: the op runs on the calling thread.
constexpr int64_t kMinParallelWork = int64_t(1) << 16;
/// Aim for about this many tasks per parallel op.
constexpr int64_t kTargetTasks = 64;

/// The largest divisor of `n` that is at most `atMost`, so tiles are full.
int64_t largestDivisor(int64_t n, int64_t atMost) {
  for (int64_t t = std::min(n, atMost); t > 1; --t)
    if (n % t == 0)
      return t;
  return 1;
}

/// The largest multiple of `unit` that divides `n` and is at most `atMost`
/// (`unit` divides `n`).
int64_t largestMultipleDivisor(int64_t n, int64_t unit, int64_t atMost) {
  int64_t best = unit;
  for (int64_t t = unit; t <= std::min(n, atMost); t += unit)
    if (n % t == 0)
      best = t;
  return best;
}

bool isVectorElement(Type t) {
  // Bool is stored one byte per element, but LLVM packs a vector of i1 in
  // memory one bit per lane: vector loads and stores of i1 would disagree
  // with the scalar code and the runtime.
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() >= 8 && i.getWidth() <= 64;
  return isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(t);
}

/// What this pass will touch: pure-tensor ops of plain element types whose
/// body the vectorizer handles without gathers, with no empty dimension,
/// and whose innermost loop is static (it becomes the vector dimension).
bool isCandidate(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumLoops() == 0)
    return false;
  if (!isa<TilingInterface>(op.getOperation()))
    return false;
  for (OpOperand &operand : op->getOpOperands())
    if (!isVectorElement(getElementTypeOrSelf(operand.get().getType())))
      return false;
  for (Type t : op->getResultTypes())
    if (!isVectorElement(getElementTypeOrSelf(t)))
      return false;
  // Windows (d2 + d3: pooling, convolution) are left to the scalar loops:
  // the generic vectorizer does not model them correctly for every shape.
  if (!llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) {
                      // Constant 0 results are size-1 broadcasts: fine.
                      return m.isProjectedPermutation(
                          /*allowZeroInResults=*/true);
                    }))
    return false;
  // A reduction of a value that no input feeds (a window count, once the
  // constant input is folded in) vectorizes to a single step: keep those
  // scalar.
  if (op.getNumReductionLoops() > 0 &&
      !llvm::all_of(op.getDpsInputOperands(), [&](OpOperand *in) {
        return op.payloadUsesValueFromOperand(in);
      }))
    return false;
  bool gathers = false;
  op->walk([&](tensor::ExtractOp) { gathers = true; });
  if (gathers)
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (auto [i, r] : llvm::enumerate(ranges)) {
    if (r == 0)
      return false;
    // A dynamic dimension is tiled by one, which only parallel loops allow
    // here, and never the innermost (vector) one.
    if (ShapedType::isDynamic(r) &&
        (iters[i] != utils::IteratorType::parallel || i + 1 == ranges.size()))
      return false;
  }
  return succeeded(linalg::vectorizeOpPrecondition(op));
}

struct Tiling {
  SmallVector<int64_t> task;     // scf.forall tile sizes (0: not tiled)
  SmallVector<int64_t> registers; // scf.for tile sizes (0: not tiled)
};

/// Tile sizes for a contraction: tasks over the parallel M/N (and batch)
/// dimensions, registers kRegM x kRegN with every K dimension stepped by one.
std::optional<Tiling> contractionTiling(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned n = ranges.size();
  Tiling t{SmallVector<int64_t>(n, 0), SmallVector<int64_t>(n, 1)};
  auto setInner = [&](ArrayRef<unsigned> group, int64_t reg, int64_t task) {
    for (unsigned d : group)
      t.task[d] = 1;
    unsigned inner = group.back();
    if (ShapedType::isDynamic(ranges[inner]))
      return;
    int64_t r = largestDivisor(ranges[inner], reg);
    t.registers[inner] = r;
    t.task[inner] = largestMultipleDivisor(ranges[inner], r, task);
  };
  for (unsigned d : dims->batch)
    t.task[d] = 1;
  setInner(dims->m, kRegM, kTaskM);
  setInner(dims->n, kRegN, kTaskN);
  for (unsigned d : dims->k)
    t.task[d] = 0; // reductions stay whole within a task
  // A K of one row is already a single outer product per step.
  return t;
}

/// Tile sizes for every other op: tasks over the outermost parallel
/// dimension, one innermost vector of up to kLanes per step.
Tiling genericTiling(linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  unsigned n = ranges.size();
  Tiling t{SmallVector<int64_t>(n, 0), SmallVector<int64_t>(n, 1)};
  // An innermost reduction takes four registers per step: fewer horizontal
  // reductions into the accumulator.
  bool innerReduction = iters[n - 1] == utils::IteratorType::reduction;
  t.registers[n - 1] =
      largestDivisor(ranges[n - 1], innerReduction ? 4 * kLanes : kLanes);
  for (unsigned d = 0; d + 1 < n; ++d) {
    if (iters[d] != utils::IteratorType::parallel)
      continue;
    if (ShapedType::isDynamic(ranges[d]))
      t.task[d] = 1;
    else
      t.task[d] = largestDivisor(
          ranges[d], std::max<int64_t>(1, ranges[d] / kTargetTasks));
    break;
  }
  return t;
}

/// Iteration points, counting a dynamic dimension as 128 (a sequence).
int64_t work(linalg::LinalgOp op) {
  int64_t w = 1;
  for (int64_t r : op.getStaticLoopRanges())
    w = std::min<int64_t>(w * (ShapedType::isDynamic(r) ? 128 : r),
                          int64_t(1) << 40);
  return w;
}

bool allStatic(Operation *op) {
  for (Type t : op->getOperandTypes())
    if (auto s = dyn_cast<ShapedType>(t); s && !s.hasStaticShape())
      return false;
  return true;
}

FailureOr<Operation *> tile(RewriterBase &rewriter, Operation *op,
                            ArrayRef<int64_t> sizes, bool forall) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setLoopType(forall ? scf::SCFTilingOptions::LoopType::ForallOp
                             : scf::SCFTilingOptions::LoopType::ForOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

struct TileAndVectorizePass
    : public loom::cpu::impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isCandidate(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      Tiling t = contractionTiling(op).value_or(genericTiling(op));
      Operation *current = op;
      // An op already inside a parallel loop (the row tiles of a grouped
      // matmul) is one task of it: no nested thread team.
      if (enableThreads && work(op) >= kMinParallelWork &&
          !op->getParentOfType<scf::ForallOp>()) {
        FailureOr<Operation *> tiled = tile(rewriter, current, t.task, true);
        if (failed(tiled))
          continue; // the op is unchanged: scalar loops, still correct
        current = *tiled;
      }
      FailureOr<Operation *> inner =
          tile(rewriter, current, t.registers, false);
      if (failed(inner) || !allStatic(*inner))
        continue;
      rewriter.setInsertionPoint(*inner);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, *inner, /*inputVectorSizes=*/{}, /*scalableDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (succeeded(vectorized))
        rewriter.replaceOp(*inner, vectorized->replacements);
    }
  }
};

} // namespace
