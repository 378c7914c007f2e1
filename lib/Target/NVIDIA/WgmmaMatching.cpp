//===- WgmmaMatching.cpp - Matmuls the Hopper wgmma kernel takes ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/WgmmaMatching.h"
#include "lib/Target/NVIDIA/KernelHelpers.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;

namespace {

constexpr int64_t kTileM = kWgmmaTileM, kTileN = kWgmmaTileN,
                  kTileK = kWgmmaTileK;

/// Whether `value` is an identity-layout memref of `rank` and `element` in
/// the default memory space, static but for the dimensions in `dynamic`.
bool isIdentity(Value value, int64_t rank, Type element,
                ArrayRef<int64_t> dynamic = {}) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() != rank || !type.getLayout().isIdentity() ||
      type.getElementType() != element || type.getMemorySpace())
    return false;
  for (int64_t d = 0; d < rank; ++d)
    if (type.isDynamicDim(d) && !llvm::is_contained(dynamic, d))
      return false;
  return true;
}

/// Whether `op` is not yet inside a loop nest or a kernel.
bool atTopLevel(Operation *op) {
  return !op->getParentOfType<scf::ParallelOp>() &&
         !op->getParentOfType<gpu::LaunchOp>();
}

} // namespace

std::optional<WgmmaMatmul> nvidia::matchWgmmaMatmul(Operation *operation) {
  auto op = dyn_cast<linalg::LinalgOp>(operation);
  if (!op || !atTopLevel(op) || !op.hasPureBufferSemantics())
    return std::nullopt;
  WgmmaMatmul match{op, op.getDpsInputs()[0], op.getDpsInputs()[1],
                    op.getDpsInits()[0]};
  if (auto matmul = dyn_cast<linalg::MatmulOp>(operation)) {
    match.kMajorB = isa<linalg::MatmulTransposeBOp>(operation);
    if (matmul.hasUserDefinedMaps() && !match.kMajorB)
      return std::nullopt;
  } else if (auto batch = dyn_cast<linalg::BatchMatmulOp>(operation)) {
    match.kMajorB = isa<linalg::BatchMatmulTransposeBOp>(operation);
    if (batch.hasUserDefinedMaps() && !match.kMajorB)
      return std::nullopt;
    match.batched = true;
  } else {
    return std::nullopt;
  }
  Type element = cast<MemRefType>(match.a.getType()).getElementType();
  if (!element.isF16() && !element.isBF16())
    return std::nullopt;
  // M is dimension 0 of A and C (1 when batched); only an unbatched M may
  // be dynamic.
  int64_t rank = match.batched ? 3 : 2, mDim = rank - 2;
  SmallVector<int64_t> dynamicM;
  if (!match.batched)
    dynamicM.push_back(0);
  Type f32 = Float32Type::get(op.getContext());
  if (!isIdentity(match.a, rank, element, dynamicM) ||
      !isIdentity(match.b, rank, element) ||
      !isIdentity(match.c, rank, f32, dynamicM))
    return std::nullopt;
  auto cType = cast<MemRefType>(match.c.getType());
  int64_t m = cType.getDimSize(mDim), n = cType.getDimSize(rank - 1),
          k = cast<MemRefType>(match.a.getType()).getDimSize(rank - 1);
  if (n % kTileN != 0 || k % kTileK != 0 ||
      (match.batched && m % kTileM != 0))
    return std::nullopt;
  return match;
}

namespace {

/// Whether `op` or an op nested in it uses `buffer`.
bool usesBuffer(Operation *op, Value buffer) {
  return op
      ->walk([&](Operation *inner) {
        return llvm::is_contained(inner->getOperands(), buffer)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

} // namespace

namespace {

/// Whether `op` is a `linalg.fill` of zero into `buffer`.
bool isZeroFill(Operation *op, Value buffer) {
  auto fill = dyn_cast<linalg::FillOp>(op);
  if (!fill || fill.getDpsInits()[0] != buffer)
    return false;
  auto cst = fill.getDpsInputs()[0].getDefiningOp<arith::ConstantOp>();
  auto value = cst ? dyn_cast<FloatAttr>(cst.getValue()) : FloatAttr();
  return value && value.getValue().isZero();
}

/// Whether `source` (an allocation, or a reshaped view of one) holds zeros
/// when `reader` runs: the last op before it in the block that writes the
/// allocation is a zero fill of it, and what comes between only reshapes
/// it or copies out of it.
bool zeroFilledAt(Value source, Operation *reader) {
  Value root = source;
  while (Operation *def = root.getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      break;
    root = def->getOperand(0);
  }
  if (!root.getDefiningOp<memref::AllocOp>())
    return false;
  SmallVector<Value> views{root};
  for (size_t i = 0; i < views.size(); ++i)
    for (Operation *user : views[i].getUsers())
      if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(user))
        views.push_back(user->getResult(0));
  for (Operation *prev = reader->getPrevNode(); prev;
       prev = prev->getPrevNode()) {
    if (isZeroFill(prev, root))
      return true;
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(prev))
      continue;
    auto copy = dyn_cast<linalg::CopyOp>(prev);
    if (copy && llvm::is_contained(views, copy.getDpsInputs()[0]) &&
        !llvm::is_contained(views, copy.getDpsInits()[0]))
      continue;
    if (llvm::any_of(views, [&](Value v) { return usesBuffer(prev, v); }))
      return false;
  }
  return false;
}

} // namespace

/// The op that zeroes `op`'s accumulator just before it (nothing in
/// between touches the buffer), if there is one: a `linalg.fill` of zero,
/// or a `linalg.copy` into it of a zero-filled buffer (Llama's form, one
/// zero buffer copied into each accumulator). The accumulator may be a
/// collapsed view of the buffer.
Operation *nvidia::zeroFillBefore(Operation *op, Value c) {
  if (auto collapse = c.getDefiningOp<memref::CollapseShapeOp>())
    c = collapse.getSrc();
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(prev);
        collapse && collapse.getSrc() == c)
      continue;
    if (isa<linalg::FillOp>(prev) && prev->getOperand(1) == c)
      return isZeroFill(prev, c) ? prev : nullptr;
    if (auto copy = dyn_cast<linalg::CopyOp>(prev);
        copy && copy.getDpsInits()[0] == c)
      return zeroFilledAt(copy.getDpsInputs()[0], copy) ? prev : nullptr;
    if (usesBuffer(prev, c))
      return nullptr;
  }
  return nullptr;
}

namespace {

/// Groups of consecutive memref dimensions, one group per operand side:
/// [[0 .. split-1], [split .. rank-1]].
SmallVector<ReassociationIndices> twoGroups(int64_t split, int64_t rank) {
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i < rank; ++i)
    groups[i < split ? 0 : 1].push_back(i);
  return groups;
}

/// The buffer `kn` (an allocation, or a full `memref.expand_shape` view of
/// one) and its views, if the allocation is used only through them by
/// transposes writing it whole, linalg ops reading it, and deallocations.
std::optional<SmallVector<Value>> copyBuffer(Value kn) {
  Value root = kn;
  if (auto expand = kn.getDefiningOp<memref::ExpandShapeOp>())
    root = expand.getSrc();
  if (!root.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  SmallVector<Value> values{root};
  for (Operation *user : root.getUsers())
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(user))
      values.push_back(expand.getResult());
  for (Value v : values)
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user) ||
          (v == root && isa<memref::ExpandShapeOp>(user)))
        continue;
      if (auto transpose = dyn_cast<linalg::TransposeOp>(user)) {
        if (transpose.getInit() == v &&
            !llvm::is_contained(values, transpose.getInput()))
          continue;
        return std::nullopt;
      }
      auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
      if (!linalgOp || !linalgOp.isDpsInput(&use))
        return std::nullopt;
    }
  return values;
}

bool usesAny(Operation *op, ArrayRef<Value> buffers) {
  return llvm::any_of(buffers, [&](Value v) { return usesBuffer(op, v); });
}

/// The 2-d identity N x K memref whose transposed copy `kn` is, when `kn`
/// (read by `user` as K x N with its first `kGroup` dimensions K) is
/// written by a `linalg.transpose` as the last op before `user` that
/// touches its buffer, and nothing between writes the source. The copy
/// may be of reshaped views: `kn` an expand_shape [[K..], [N..]] of a K x N
/// buffer and the source one [[N..], [K..]] of the N x K memref, the
/// permutation moving the K dimensions first. Sets `copy` to the transpose.
Value transposeSource(Value kn, int64_t kGroup, Operation *user,
                      linalg::TransposeOp &copy) {
  std::optional<SmallVector<Value>> buffer = copyBuffer(kn);
  if (!buffer)
    return {};
  for (Operation *prev = user->getPrevNode(); prev;
       prev = prev->getPrevNode()) {
    auto transpose = dyn_cast<linalg::TransposeOp>(prev);
    if (!transpose || transpose.getInit() != kn) {
      if (usesAny(prev, *buffer))
        return {};
      continue;
    }
    Value input = transpose.getInput(), nk = input;
    auto rank = int64_t(transpose.getPermutation().size());
    int64_t nGroup = rank - kGroup;
    if (rank != 2) {
      auto from = input.getDefiningOp<memref::ExpandShapeOp>();
      auto to = kn.getDefiningOp<memref::ExpandShapeOp>();
      if (!from || !to || from.getReassociationIndices() !=
                              twoGroups(nGroup, rank) ||
          to.getReassociationIndices() != twoGroups(kGroup, rank))
        return {};
      nk = from.getSrc();
    }
    SmallVector<int64_t> rotate;
    for (int64_t d = 0; d < rank; ++d)
      rotate.push_back((d + nGroup) % rank);
    auto type = dyn_cast<MemRefType>(nk.getType());
    if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
        !type.getLayout().isIdentity() ||
        transpose.getPermutation() != ArrayRef<int64_t>(rotate))
      return {};
    for (Operation *between = transpose->getNextNode(); between != user;
         between = between->getNextNode())
      if (usesBuffer(between, nk) || usesBuffer(between, input))
        return {};
    copy = transpose;
    return nk;
  }
  return {};
}

/// Whether the copy `transpose` writes is read after it by something else
/// than `reader` before another transpose overwrites it or it is freed.
bool copyStillRead(linalg::TransposeOp transpose, Operation *reader) {
  std::optional<SmallVector<Value>> buffer = copyBuffer(transpose.getInit());
  if (!buffer)
    return true;
  for (Operation *next = transpose->getNextNode(); next;
       next = next->getNextNode()) {
    if (next == reader)
      continue;
    auto other = dyn_cast<linalg::TransposeOp>(next);
    if ((other && llvm::is_contained(*buffer, other.getInit())) ||
        (isa<memref::DeallocOp>(next) &&
         llvm::is_contained(*buffer, next->getOperand(0))))
      return false;
    if (usesAny(next, *buffer))
      return true;
  }
  return true;
}

} // namespace

/// A contraction `linalg.generic` that is a matmul once its dimensions are
/// grouped: C[m.., n..] += A[m.., k..] * B[k.., n..] or B[n.., k..] (the
/// importer's MatMul of an N-d activation by a 2-d weight, after
/// elementwise fusion folded reshapes and the weight's transpose into it).
/// It becomes a `linalg.matmul` on collapsed views. A B stored N x K (a
/// linear layer's weight, `x @ W^T`) becomes the transposed-B matmul, which
/// the kernel reads K-major; so does a K x N B that is a transposed copy of
/// an N x K buffer (the importer's explicit Transpose of a weight), and the
/// copy is dropped when nothing else reads it. Leading dimensions that all
/// three operands share (batch, heads) make it a `linalg.batch_matmul` on
/// [batch.., m.., k..] / [batch.., k.., n..] / [batch.., m.., n..] views
/// collapsed to 3-d.
void nvidia::contractionAsMatmul(
    linalg::GenericOp op, llvm::function_ref<bool(Operation *)> accepts) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || !atTopLevel(op) || !isMulAddBody(op))
    return;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return;
  SmallVector<unsigned> aDims = dimsOf(maps[0]), bDims = dimsOf(maps[1]),
                        cDims = dimsOf(maps[2]);
  auto iterators = op.getIteratorTypesArray();
  auto isReduction = [&](unsigned d) {
    return iterators[d] == utils::IteratorType::reduction;
  };
  // Batch dims lead all three operands.
  size_t batch = 0;
  while (batch < aDims.size() && batch < bDims.size() &&
         batch < cDims.size() && aDims[batch] == bDims[batch] &&
         aDims[batch] == cDims[batch] && !isReduction(aDims[batch]))
    ++batch;
  ArrayRef<unsigned> aRest = ArrayRef(aDims).drop_front(batch),
                     bRest = ArrayRef(bDims).drop_front(batch),
                     cRest = ArrayRef(cDims).drop_front(batch);
  // A = M dims then K dims; C = the same M dims then N dims.
  auto firstK = llvm::find_if(aRest, isReduction);
  SmallVector<unsigned> mDims(aRest.begin(), firstK),
      kDims(firstK, aRest.end());
  if (mDims.empty() || kDims.empty() ||
      !llvm::all_of(kDims, isReduction) ||
      cRest.size() <= mDims.size() ||
      !llvm::equal(mDims, cRest.take_front(mDims.size())))
    return;
  SmallVector<unsigned> nDims(cRest.begin() + mDims.size(), cRest.end());
  if (int64_t(batch + mDims.size() + nDims.size() + kDims.size()) !=
      op.getNumLoops())
    return;
  SmallVector<unsigned> kn(kDims), nk(nDims);
  kn.append(nDims.begin(), nDims.end());
  nk.append(kDims.begin(), kDims.end());
  bool transposedB = llvm::equal(bRest, nk);
  if (!llvm::equal(bRest, kn) && !transposedB)
    return;
  // Only unbatched M dimensions may be dynamic (a sequence length); the
  // collapsed M is then dynamic, which the kernel takes.
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  auto identity = [&](Value v, bool dynamicM) {
    auto t = cast<MemRefType>(v.getType());
    if (!t.getLayout().isIdentity())
      return false;
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (t.isDynamicDim(d) &&
          !(dynamicM && !batch && d < int64_t(mDims.size())))
        return false;
    return true;
  };
  if (!identity(a, true) || !identity(b, false) || !identity(c, true))
    return;

  OpBuilder builder(op);
  Location loc = op.getLoc();
  SmallVector<Operation *> created;
  // The view of `v` as [batch, rows, columns] (no batch group unbatched),
  // rows its first `split` dimensions after the batch ones.
  auto collapse = [&](Value v, int64_t split) -> Value {
    auto type = cast<MemRefType>(v.getType());
    int64_t rank = type.getRank();
    SmallVector<ReassociationIndices> groups(batch ? 3 : 2);
    for (int64_t d = 0; d < rank; ++d)
      groups[d < int64_t(batch)               ? 0
             : d < int64_t(batch) + split     ? (batch ? 1 : 0)
                                              : (batch ? 2 : 1)]
          .push_back(d);
    if (llvm::all_of(groups, [](auto &g) { return g.size() == 1; }))
      return v;
    auto op = memref::CollapseShapeOp::create(builder, loc, v, groups);
    created.push_back(op);
    return op;
  };
  Value a2 = collapse(a, mDims.size());
  Value c2 = collapse(c, mDims.size());
  linalg::TransposeOp copy;
  Value source = transposedB || batch
                     ? Value()
                     : transposeSource(b, kDims.size(), op, copy);
  Value b2 =
      source ? source : collapse(b, transposedB ? nDims.size() : kDims.size());
  Operation *matmul;
  SmallVector<Value> ins{a2, b2}, outs{c2};
  if (batch && transposedB)
    matmul = linalg::BatchMatmulTransposeBOp::create(builder, loc, ins, outs);
  else if (batch)
    matmul = linalg::BatchMatmulOp::create(builder, loc, ins, outs);
  else if (transposedB || copy)
    matmul = linalg::MatmulTransposeBOp::create(builder, loc, ins, outs);
  else
    matmul = linalg::MatmulOp::create(builder, loc, ins, outs);
  // Only for the kernels here; other contractions keep the importer's form.
  if (!accepts(matmul)) {
    matmul->erase();
    for (Operation *dead : llvm::reverse(created))
      dead->erase();
    return;
  }
  if (copy && !copyStillRead(copy, op))
    copy.erase();
  op.erase();
}

/// `op`'s truncation: C (or the buffer C is a collapsed view of) is an
/// allocation that only the fill, `op`, a `linalg.generic` after `op` that
/// yields `arith.truncf` of it into a 16-bit buffer of the same shape, and
/// deallocations use; nothing between `op` and the generic touches the
/// 16-bit buffer, which is a function argument or an allocation of the
/// block (moved before `op`).
std::optional<WgmmaTruncation> nvidia::truncationOf(Operation *op, Value c) {
  Value buffer = c;
  auto collapse = c.getDefiningOp<memref::CollapseShapeOp>();
  if (collapse)
    buffer = collapse.getSrc();
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  linalg::GenericOp generic;
  for (Operation *user : buffer.getUsers()) {
    if (user == op ||
        (collapse && user == collapse.getOperation()) ||
        isa<memref::DeallocOp>(user))
      continue;
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (!g || generic)
      return std::nullopt;
    generic = g;
  }
  if (!generic || (collapse && !collapse->hasOneUse()) ||
      generic->getBlock() != op->getBlock() ||
      !op->isBeforeInBlock(generic) || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getDpsInputs()[0] != buffer ||
      !generic.hasPureBufferSemantics() ||
      generic.getNumReductionLoops() != 0 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto trunc = yield.getValues()[0].getDefiningOp<arith::TruncFOp>();
  if (body.getOperations().size() != 2 || !trunc ||
      trunc.getIn() != body.getArgument(0))
    return std::nullopt;
  Value out = generic.getDpsInits()[0];
  auto outType = dyn_cast<MemRefType>(out.getType());
  auto bufferType = cast<MemRefType>(buffer.getType());
  if (!outType || outType.getShape() != bufferType.getShape() ||
      !outType.getLayout().isIdentity() || outType.getMemorySpace() ||
      (!outType.getElementType().isBF16() && !outType.getElementType().isF16()))
    return std::nullopt;
  for (Operation *between = op->getNextNode(); between != generic;
       between = between->getNextNode())
    if (usesBuffer(between, out))
      return std::nullopt;
  // The kernel writes `out` where `op` is: it must exist there.
  if (auto alloc = out.getDefiningOp<memref::AllocOp>()) {
    if (alloc->getBlock() != op->getBlock() || alloc->getNumOperands())
      return std::nullopt;
    if (!alloc->isBeforeInBlock(op))
      alloc->moveBefore(collapse ? collapse.getOperation() : op);
  } else if (!isa<BlockArgument>(out)) {
    return std::nullopt;
  }
  if (collapse) {
    OpBuilder builder(op);
    out = memref::CollapseShapeOp::create(builder, op->getLoc(), out,
                                          collapse.getReassociationIndices());
  }
  return WgmmaTruncation{generic, out};
}

/// Erases `truncation`'s generic and the f32 buffer it read (`c`, or what
/// `c` is a view of), which nothing else uses now.
void nvidia::eraseTruncated(WgmmaTruncation truncation, Value c) {
  truncation.generic.erase();
  Operation *collapse = c.getDefiningOp<memref::CollapseShapeOp>();
  Value buffer = collapse ? collapse->getOperand(0) : c;
  if (collapse)
    collapse->erase();
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    user->erase();
  buffer.getDefiningOp()->erase();
}

