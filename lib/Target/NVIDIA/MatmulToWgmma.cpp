//===- MatmulToWgmma.cpp - Hopper matmuls on TMA + wgmma ------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A 16-bit float matmul with an f32 accumulator becomes one kernel per
// 128x128 output tile, written in the nvgpu dialect:
//
//   host:     TMA descriptors of A (128x64 boxes) and B (64x64 boxes of a
//             K x N B, or 128x64 boxes of an N x K B, read K-major)
//   kernel:   `stages` shared-memory slots, one mbarrier each
//     producer (thread 0): TMA loads of a K step's A and B tiles into a slot;
//                          the mbarrier completes when the bytes landed
//     consumer (the warpgroup): wait on the slot's mbarrier, wgmma
//                          128x128x64 from shared memory into registers,
//                          hand the slot back to the producer
//     epilogue: accumulator -> shared memory -> global, coalesced (rounded
//               to 16 bits when the f32 result was only rounded after)
//
// The producer and consumer are separate regions of the K loop (marked
// `loom.role`), in one warpgroup for now: the warp-specialization passes
// split them into warp groups connected by the slots' barriers.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_MATMULTOWGMMAPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;

namespace {

// Tile of C per block, K step, and the TMA box width: 64 16-bit elements
// are one 128-byte swizzle row.
constexpr int64_t kTileM = 128, kTileN = 128, kTileK = 64, kBoxN = 64;
constexpr int64_t kWarpgroup = 128;

bool isStaticIdentity(Value value, Type element) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == 2 && type.hasStaticShape() &&
         type.getLayout().isIdentity() && type.getElementType() == element &&
         !type.getMemorySpace();
}

/// Whether `op` reads B as N x K (`linalg.matmul` with the transposed-B
/// maps): the kernel then loads B K-major, without a transpose.
bool isKMajorB(linalg::MatmulOp op) {
  return isa<linalg::MatmulTransposeBOp>(op.getOperation());
}

/// Whether `op` qualifies: A and B of one 16-bit float type, C f32, static
/// identity layouts, sizes multiples of the tile. B is K x N, or N x K with
/// the transposed-B maps.
bool qualifies(linalg::MatmulOp op) {
  if (op->getParentOfType<scf::ParallelOp>() ||
      op->getParentOfType<gpu::LaunchOp>() || !op.hasPureBufferSemantics() ||
      (op.hasUserDefinedMaps() && !isKMajorB(op)))
    return false;
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  Type element = cast<MemRefType>(a.getType()).getElementType();
  if (!element.isF16() && !element.isBF16())
    return false;
  Builder builder(op.getContext());
  if (!isStaticIdentity(a, element) || !isStaticIdentity(b, element) ||
      !isStaticIdentity(c, builder.getF32Type()))
    return false;
  auto cType = cast<MemRefType>(c.getType());
  int64_t k = cast<MemRefType>(a.getType()).getDimSize(1);
  return cType.getDimSize(0) % kTileM == 0 &&
         cType.getDimSize(1) % kTileN == 0 && k % kTileK == 0;
}

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

/// The `linalg.fill` of zero that initializes `op`'s accumulator just
/// before it (nothing in between touches the buffer), if there is one. The
/// accumulator may be a collapsed view of the filled buffer.
linalg::FillOp zeroFillBefore(linalg::MatmulOp op) {
  Value c = op.getDpsInits()[0];
  if (auto collapse = c.getDefiningOp<memref::CollapseShapeOp>())
    c = collapse.getSrc();
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(prev);
        collapse && collapse.getSrc() == c)
      continue;
    auto fill = dyn_cast<linalg::FillOp>(prev);
    if (fill && fill.getDpsInits()[0] == c) {
      auto cst = fill.getDpsInputs()[0].getDefiningOp<arith::ConstantOp>();
      auto value = cst ? dyn_cast<FloatAttr>(cst.getValue()) : FloatAttr();
      return value && value.getValue().isZero() ? fill : linalg::FillOp();
    }
    if (usesBuffer(prev, c))
      return {};
  }
  return {};
}

/// `v`, a value of the generic's body, with float extensions looked
/// through.
Value skipExt(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
}

/// Whether `op`'s body is `yield out + a * b` (a and b possibly extended).
bool isMulAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() > 5)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto addOp = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  Value acc = body.getArgument(2);
  if (!addOp || (addOp.getLhs() != acc && addOp.getRhs() != acc))
    return false;
  Value prod = addOp.getLhs() == acc ? addOp.getRhs() : addOp.getLhs();
  auto mulOp = prod.getDefiningOp<arith::MulFOp>();
  if (!mulOp)
    return false;
  Value x = skipExt(mulOp.getLhs()), y = skipExt(mulOp.getRhs());
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (x == a && y == b) || (x == b && y == a);
}

/// The loop dimensions of `map`'s results (a projected permutation).
SmallVector<unsigned> dimsOf(AffineMap map) {
  return llvm::map_to_vector(map.getResults(), [](AffineExpr e) {
    return cast<AffineDimExpr>(e).getPosition();
  });
}

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

/// A contraction `linalg.generic` that is a matmul once its dimensions are
/// grouped: C[m.., n..] += A[m.., k..] * B[k.., n..] or B[n.., k..] (the
/// importer's MatMul of an N-d activation by a 2-d weight, after
/// elementwise fusion folded reshapes and the weight's transpose into it).
/// It becomes a `linalg.matmul` on collapsed views. A B stored N x K (a
/// linear layer's weight, `x @ W^T`) becomes the transposed-B matmul, which
/// the kernel reads K-major; so does a K x N B that is a transposed copy of
/// an N x K buffer (the importer's explicit Transpose of a weight), and the
/// copy is dropped when nothing else reads it.
void contractionAsMatmul(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || op->getParentOfType<scf::ParallelOp>() ||
      !isMulAddBody(op))
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
  // A = M dims then K dims; C = the same M dims then N dims.
  auto firstK = llvm::find_if(aDims, isReduction);
  SmallVector<unsigned> mDims(aDims.begin(), firstK), kDims(firstK, aDims.end());
  if (mDims.empty() || kDims.empty() ||
      !llvm::all_of(kDims, isReduction) ||
      cDims.size() <= mDims.size() ||
      !llvm::equal(mDims, ArrayRef(cDims).take_front(mDims.size())))
    return;
  SmallVector<unsigned> nDims(cDims.begin() + mDims.size(), cDims.end());
  if (int64_t(mDims.size() + nDims.size() + kDims.size()) != op.getNumLoops())
    return;
  SmallVector<unsigned> kn(kDims), nk(nDims);
  kn.append(nDims.begin(), nDims.end());
  nk.append(kDims.begin(), kDims.end());
  bool transposedB = bDims == nk;
  if (bDims != kn && !transposedB)
    return;
  auto identity = [](Value v) {
    auto t = cast<MemRefType>(v.getType());
    return t.hasStaticShape() && t.getLayout().isIdentity();
  };
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  if (!identity(a) || !identity(b) || !identity(c))
    return;

  OpBuilder builder(op);
  Location loc = op.getLoc();
  SmallVector<Operation *> created;
  auto collapse = [&](Value v, int64_t split) -> Value {
    auto type = cast<MemRefType>(v.getType());
    if (type.getRank() == 2 && split == 1)
      return v;
    auto op = memref::CollapseShapeOp::create(
        builder, loc, v, twoGroups(split, type.getRank()));
    created.push_back(op);
    return op;
  };
  Value a2 = collapse(a, mDims.size());
  Value c2 = collapse(c, mDims.size());
  linalg::TransposeOp copy;
  Value source = transposedB ? Value()
                         : transposeSource(b, kDims.size(), op, copy);
  Value b2 =
      source ? source : collapse(b, transposedB ? nDims.size() : kDims.size());
  linalg::MatmulOp matmul;
  if (transposedB || copy)
    matmul = linalg::MatmulTransposeBOp::create(
        builder, loc, ValueRange{a2, b2}, ValueRange{c2});
  else
    matmul = linalg::MatmulOp::create(builder, loc, ValueRange{a2, b2},
                                      ValueRange{c2});
  // Only for the kernels here; other contractions keep the importer's form.
  if (!qualifies(matmul)) {
    matmul.erase();
    for (Operation *dead : llvm::reverse(created))
      dead->erase();
    return;
  }
  if (copy && !copyStillRead(copy, op))
    copy.erase();
  op.erase();
}

/// The elementwise op that only rounds a zero-filled matmul's f32 result
/// to 16 bits (the importer's f32 accumulation of a 16-bit graph), with
/// the 16-bit buffer the kernel then writes instead.
struct Truncation {
  linalg::GenericOp generic;
  Value out;
};

/// `op`'s truncation: C (or the buffer C is a collapsed view of) is an
/// allocation that only the fill, `op`, a `linalg.generic` after `op` that
/// yields `arith.truncf` of it into a 16-bit buffer of the same shape, and
/// deallocations use; nothing between `op` and the generic touches the
/// 16-bit buffer, which is a function argument or an allocation of the
/// block (moved before `op`).
std::optional<Truncation> truncationOf(linalg::MatmulOp op) {
  Value c = op.getDpsInits()[0], buffer = c;
  auto collapse = c.getDefiningOp<memref::CollapseShapeOp>();
  if (collapse)
    buffer = collapse.getSrc();
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  linalg::GenericOp generic;
  for (Operation *user : buffer.getUsers()) {
    if (user == op.getOperation() ||
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
      alloc->moveBefore(collapse ? collapse.getOperation() : op.getOperation());
  } else if (!isa<BlockArgument>(out)) {
    return std::nullopt;
  }
  if (collapse) {
    OpBuilder builder(op);
    out = memref::CollapseShapeOp::create(builder, op.getLoc(), out,
                                          collapse.getReassociationIndices());
  }
  return Truncation{generic, out};
}

/// Erases `truncation`'s generic and the f32 buffer it read (`c`, or what
/// `c` is a view of), which nothing else uses now.
void eraseTruncated(Truncation truncation, Value c) {
  truncation.generic.erase();
  Operation *collapse = c.getDefiningOp<memref::CollapseShapeOp>();
  Value buffer = collapse ? collapse->getOperand(0) : c;
  if (collapse)
    collapse->erase();
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    user->erase();
  buffer.getDefiningOp()->erase();
}

struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  int64_t stages;
  Type element;
  Attribute smemSpace;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, x, idx(y)); }

  int64_t aTileBytes() const { return kTileM * kTileK * 2; }
  int64_t bTileBytes() const { return kTileK * kTileN * 2; }
  int64_t sharedBytes() const {
    return std::max((aTileBytes() + bTileBytes()) * stages,
                    kTileM * kTileN * int64_t(sizeof(float)));
  }

  MemRefType smemType(ArrayRef<int64_t> shape, Type type) {
    return MemRefType::get(shape, type, MemRefLayoutAttrInterface(),
                           smemSpace);
  }
  /// A view of `shape` at byte `offset` of the dynamic shared memory.
  Value view(Value smem, Value offset, ArrayRef<int64_t> shape, Type type) {
    return memref::ViewOp::create(b, smemType(shape, type), smem, offset,
                                  ValueRange{});
  }
  Value aSlot(Value smem, Value slot) {
    return view(smem, mul(slot, aTileBytes()), {kTileM, kTileK}, element);
  }
  /// Slot `slot` of B at column half `half` (TMA writes 64-column boxes).
  Value bSlot(Value smem, Value slot, ArrayRef<int64_t> shape,
              int64_t half = 0) {
    Value offset = add(mul(slot, bTileBytes()),
                       idx(aTileBytes() * stages + half * kTileK * kBoxN * 2));
    return view(smem, offset, shape, element);
  }
};

/// One K step of a 128x128 tile with B K-major (N x K in shared memory),
/// written in NVVM: `nvgpu.warpgroup.mma` advances B's descriptor as if B
/// were N-major (by 16 rows of K per k16 instruction) and cannot read a
/// K-major B.
///
/// Layout: A's slot holds 128 rows of M and B's slot 128 rows of N, each
/// row 64 elements of K (128 bytes) with TMA's 128-byte swizzle: both are
/// the K-major canonical layout wgmma takes without a transpose flag (A's
/// is the one `nvgpu.warpgroup.mma` already uses). Their descriptors come
/// from `nvgpu.warpgroup.generate.descriptor` (stride between 8-row groups
/// 1024 bytes, 128-byte swizzle; the leading-dimension offset is unused by
/// swizzled K-major layouts). Instruction (h, kk), m64n128k16, reads A rows
/// [64h, 64h + 64) and K [16kk, 16kk + 16): A's descriptor advanced by
/// 64 rows x 128 bytes x h + 32 bytes x kk, B's by 32 bytes x kk (the
/// address bits the swizzle applies to are those of the 1024-byte-aligned
/// slot plus the offset, as for A in the nvgpu lowering). In NVVM's BLAS
/// terms A (M x K, K contiguous) is row-major and B (K x N, K contiguous)
/// column-major: PTX imm-trans-a = imm-trans-b = 0, where the K x N
/// row-major B of the other kernel has imm-trans-b = 1.
Value kMajorStep(KernelBuilder &kb, Value acc, Value descA, Value descB) {
  ImplicitLocOpBuilder &b = kb.b;
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  // The accumulator as nvgpu's lowering types it: one struct of 64 f32
  // per 64-row half.
  auto half = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(kTileN / 2, f32));
  auto whole = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(kTileM / 64, half));
  Value regs =
      UnrealizedConversionCastOp::create(b, TypeRange{whole}, acc).getResult(0);
  auto asI64 = [&](Value desc) {
    return UnrealizedConversionCastOp::create(b, TypeRange{i64}, desc)
        .getResult(0);
  };
  Value dA = asI64(descA), dB = asI64(descB);
  // Descriptor start addresses count 16-byte units.
  auto advance = [&](Value desc, int64_t bytes) -> Value {
    if (!bytes)
      return desc;
    return arith::AddIOp::create(
        b, desc, arith::ConstantIntOp::create(b, bytes / 16, 64));
  };
  NVVM::WGMMATypes type = kb.element.isBF16() ? NVVM::WGMMATypes::bf16
                                              : NVVM::WGMMATypes::f16;
  auto shape = NVVM::MMAShapeAttr::get(ctx, 64, kTileN, 16);
  NVVM::WgmmaFenceAlignedOp::create(b);
  for (int64_t h = 0; h < kTileM / 64; ++h) {
    Value part = LLVM::ExtractValueOp::create(b, regs, h);
    for (int64_t kk = 0; kk < kTileK / 16; ++kk) {
      auto mma = NVVM::WgmmaMmaAsyncOp::create(
          b, half, part, advance(dA, h * 64 * kTileK * 2 + kk * 32),
          advance(dB, kk * 32), shape, type, type, NVVM::WGMMATypes::f32,
          NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
          NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
          NVVM::MMALayout::col, /*satfinite=*/nullptr);
      mma->setAttr("loom.role", b.getStringAttr("consumer"));
      part = mma.getResult();
    }
    regs = LLVM::InsertValueOp::create(b, regs, part, h);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b);
  // As `waitGroup = 1` of the nvgpu op: this step stays in flight.
  NVVM::WgmmaWaitGroupSyncOp::create(b, 1);
  return UnrealizedConversionCastOp::create(b, TypeRange{acc.getType()}, regs)
      .getResult(0);
}

LogicalResult rewrite(linalg::MatmulOp op, int64_t stages) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  MLIRContext *ctx = op.getContext();
  Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  auto aType = cast<MemRefType>(a.getType());
  auto cType = cast<MemRefType>(c.getType());
  int64_t m = cType.getDimSize(0), n = cType.getDimSize(1),
          k = aType.getDimSize(1), kSteps = k / kTileK;
  Type element = aType.getElementType();
  stages = std::min(stages, kSteps);
  KernelBuilder kb{b, stages, element,
                   gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup)};

  // Accumulate into C unless C was just zero-filled (the importer's form).
  bool accumulate = true;
  if (linalg::FillOp fill = zeroFillBefore(op)) {
    fill.erase();
    accumulate = false;
  }
  // A zero-filled C only rounded to 16 bits afterwards: the epilogue
  // rounds and writes the 16-bit buffer; C and the rounding op go away.
  std::optional<Truncation> truncation;
  if (!accumulate)
    truncation = truncationOf(op);
  Value out = truncation ? truncation->out : c;
  Type outElement = cast<MemRefType>(out.getType()).getElementType();

  // Host: one TMA descriptor per operand, 128-byte swizzled boxes.
  auto descriptorType = [&](ArrayRef<int64_t> box) {
    return nvgpu::TensorMapDescriptorType::get(
        ctx, kb.smemType(box, element), nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  auto descriptor = [&](Value mem, ArrayRef<int64_t> box) -> Value {
    Value unranked = memref::CastOp::create(
        b, UnrankedMemRefType::get(element, Attribute()), mem);
    SmallVector<Value> sizes =
        llvm::map_to_vector(box, [&](int64_t v) { return kb.idx(v); });
    return nvgpu::TmaCreateDescriptorOp::create(b, descriptorType(box),
                                                unranked, sizes);
  };
  // B K x N: 64x64 boxes (64 columns are one 128-byte swizzle row), two per
  // tile; B N x K: one 128x64 box per tile, laid out as A's.
  bool kMajorB = isKMajorB(op);
  Value descA = descriptor(a, {kTileM, kTileK});
  Value descB = kMajorB ? descriptor(bMat, {kTileN, kTileK})
                        : descriptor(bMat, {kTileK, kBoxN});

  Value one = kb.idx(1);
  Value smemBytes = arith::ConstantIntOp::create(b, kb.sharedBytes(), 32);
  auto launch = gpu::LaunchOp::create(
      b, kb.idx(m / kTileM), kb.idx(n / kTileN), one, kb.idx(kWarpgroup), one,
      one, smemBytes, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{});
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b);
  b.setInsertionPointToStart(&launch.getBody().front());

  // C is a whole device allocation (identity layout, static shape): 16-byte
  // aligned, so the epilogue's vectors become 16-byte accesses.
  out = memref::AssumeAlignmentOp::create(b, out, 16);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, kb.smemType({ShapedType::kDynamic}, b.getI8Type()));
  Value tid = launch.getThreadIds().x;
  Value row0 = kb.mul(launch.getBlockIds().x, kTileM);
  Value col0 = kb.mul(launch.getBlockIds().y, kTileN);
  Value leader = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid,
                                       kb.idx(0));

  auto barrierType = nvgpu::MBarrierGroupType::get(ctx, kb.smemSpace, stages);
  Value barriers = nvgpu::MBarrierCreateOp::create(b, barrierType);
  for (int64_t s = 0; s < stages; ++s)
    nvgpu::MBarrierInitOp::create(b, barriers, one, kb.idx(s), leader);
  nvgpu::TmaPrefetchOp::create(b, descA, leader);
  nvgpu::TmaPrefetchOp::create(b, descB, leader);
  gpu::BarrierOp::create(b);

  // Producer: K step `step` into its slot; the barrier expects its bytes.
  auto produce = [&](Value step) {
    Value slot = arith::RemUIOp::create(b, step, kb.idx(stages));
    Value kOffset = kb.mul(step, kTileK);
    int64_t bytes = kb.aTileBytes() + kb.bTileBytes();
    nvgpu::MBarrierArriveExpectTxOp::create(b, barriers, kb.idx(bytes), slot,
                                            leader);
    // TMA coordinates run innermost dimension first.
    nvgpu::TmaAsyncLoadOp::create(b, kb.aSlot(smem, slot), barriers, descA,
                                  ValueRange{kOffset, row0}, slot,
                                  /*multicastMask=*/Value(), leader);
    if (kMajorB) {
      nvgpu::TmaAsyncLoadOp::create(b, kb.bSlot(smem, slot, {kTileN, kTileK}),
                                    barriers, descB, ValueRange{kOffset, col0},
                                    slot, /*multicastMask=*/Value(), leader);
      return;
    }
    for (int64_t half = 0; half < kTileN / kBoxN; ++half)
      nvgpu::TmaAsyncLoadOp::create(
          b, kb.bSlot(smem, slot, {kTileK, kBoxN}, half), barriers, descB,
          ValueRange{kb.add(col0, kb.idx(half * kBoxN)), kOffset}, slot,
          /*multicastMask=*/Value(), leader);
  };
  for (int64_t s = 0; s < stages; ++s)
    produce(kb.idx(s));

  auto accType = nvgpu::WarpgroupAccumulatorType::get(
      ctx, VectorType::get({kTileM, kTileN}, b.getF32Type()));
  Value acc = nvgpu::WarpgroupMmaInitAccumulatorOp::create(b, accType);
  auto loop = scf::ForOp::create(b, kb.idx(0), kb.idx(kSteps), one,
                                 ValueRange{acc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value slot = arith::RemUIOp::create(b, step, kb.idx(stages));
    // The slot's barrier completes once per use: phase (step / stages) % 2.
    Value round = arith::DivUIOp::create(b, step, kb.idx(stages));
    Value parity = arith::IndexCastUIOp::create(b, b.getI1Type(), round);
    nvgpu::MBarrierTryWaitParityOp::create(b, barriers, parity,
                                           kb.idx(10000000), slot);
    auto descType = [&](ArrayRef<int64_t> shape) {
      return nvgpu::WarpgroupMatrixDescriptorType::get(
          ctx, kb.smemType(shape, element));
    };
    Value dA = nvgpu::WarpgroupGenerateDescriptorOp::create(
        b, descType({kTileM, kTileK}), kb.aSlot(smem, slot), descA);
    // The wgmma stays in flight (wait until one group is pending): the
    // previous step's is complete, so its slot is free.
    Value result;
    if (kMajorB) {
      Value dB = nvgpu::WarpgroupGenerateDescriptorOp::create(
          b, descType({kTileN, kTileK}),
          kb.bSlot(smem, slot, {kTileN, kTileK}), descB);
      result = kMajorStep(kb, loop.getRegionIterArgs()[0], dA, dB);
    } else {
      // B is K x N row-major in shared memory: wgmma's transposed B.
      Value dB = nvgpu::WarpgroupGenerateDescriptorOp::create(
          b, descType({kTileK, kTileN}),
          kb.bSlot(smem, slot, {kTileK, kTileN}), descB);
      auto mma = nvgpu::WarpgroupMmaOp::create(
          b, accType, dA, dB, /*waitGroup=*/b.getI64IntegerAttr(1),
          /*transposeA=*/UnitAttr(), /*transposeB=*/b.getUnitAttr(),
          loop.getRegionIterArgs()[0]);
      mma->setAttr("loom.role", b.getStringAttr("consumer"));
      result = mma.getResult();
    }
    // Every warp is done with the previous slot: refill it with the step
    // `stages` after the previous one.
    gpu::BarrierOp::create(b);
    Value next = kb.add(step, kb.idx(stages - 1));
    Value started = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, step,
                                          kb.idx(1));
    Value inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, next,
                                          kb.idx(kSteps));
    Value more = arith::AndIOp::create(b, started, inRange);
    auto refill = scf::IfOp::create(b, more, /*withElseRegion=*/false);
    refill->setAttr("loom.role", b.getStringAttr("producer"));
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(refill.thenBlock());
      produce(next);
    }
    scf::YieldOp::create(b, result);
  }
  // Epilogue: registers -> shared memory (the slots are free now) -> C.
  NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
  gpu::BarrierOp::create(b);
  Value staged = kb.view(smem, kb.idx(0), {kTileM, kTileN}, b.getF32Type());
  nvgpu::WarpgroupMmaStoreOp::create(b, loop.getResult(0), staged);
  gpu::BarrierOp::create(b);
  // 16 bytes of the output per thread and iteration.
  int64_t vector = 16 / (outElement.getIntOrFloatBitWidth() / 8);
  auto vecType = VectorType::get({vector}, b.getF32Type());
  int64_t rowVectors = kTileN / vector;
  auto copy = scf::ForOp::create(b, tid, kb.idx(kTileM * rowVectors),
                                 kb.idx(kWarpgroup));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(copy.getBody());
    Value i = copy.getInductionVar();
    Value r = arith::DivUIOp::create(b, i, kb.idx(rowVectors));
    Value col = kb.mul(arith::RemUIOp::create(b, i, kb.idx(rowVectors)),
                       vector);
    Value v = vector::LoadOp::create(b, vecType, staged, ValueRange{r, col});
    Value gr = kb.add(row0, r), gc = kb.add(col0, col);
    if (accumulate)
      v = arith::AddFOp::create(
          b, v, vector::LoadOp::create(b, vecType, out, ValueRange{gr, gc}));
    if (truncation)
      v = arith::TruncFOp::create(
          b, VectorType::get({vector}, outElement), v);
    vector::StoreOp::create(b, v, out, ValueRange{gr, gc});
  }
  op.erase();
  if (truncation)
    eraseTruncated(*truncation, c);
  return success();
}

struct MatmulToWgmmaPass
    : public nvidia::impl::MatmulToWgmmaPassBase<MatmulToWgmmaPass> {
  using Base::Base;

  void runOnOperation() override {
    if (stages < 1) {
      getOperation().emitError("loom-nvidia-matmul-to-wgmma: stages must be "
                               "at least 1");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      contractionAsMatmul(op);
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (qualifies(op))
        matmuls.push_back(op);
    });
    for (linalg::MatmulOp op : matmuls)
      if (failed(rewrite(op, stages)))
        return signalPassFailure();
  }
};

} // namespace
