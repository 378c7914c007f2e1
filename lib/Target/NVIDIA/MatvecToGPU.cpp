//===- MatvecToGPU.cpp - Skinny matmuls as bandwidth-bound kernels --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A matmul C[M, N] += A[M, K] * B with a few rows (decode: M = tokens <= 16)
// reads B once and does 2 * M flops per element of B: it is bound by the
// bandwidth of B. The kernels here read B with 16-byte loads, coalesced
// across the lanes of a warp, keep f32 partial sums in registers and split K
// over warps and blocks so that enough blocks stream B at once:
//
//   B is K x N (ONNX MatMul): a lane owns 16 bytes of columns, a warp 512
//     contiguous bytes of a row, the 8 warps of a block interleave over the
//     rows of the block's K slice; the warps' sums meet in shared memory.
//   B is N x K (a linear layer's weight): a warp owns a row of B (a column
//     of C), its lanes 16 bytes each of K; the lanes' sums meet through
//     butterfly shuffles.
//
// With more than one K slice, each block writes its sums into an f32
// workspace [slices, M, N] and a second kernel adds the slices in a fixed
// order into C: the result does not depend on scheduling.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_MATVECTOGPUPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;

namespace {

constexpr int64_t kMaxRows = 16, kWarp = 32, kWarps = 8;
constexpr int64_t kThreads = kWarp * kWarps, kVectorBytes = 16;
// Blocks to aim for: a few per SM of the largest chips (132 on H100).
constexpr int64_t kTargetBlocks = 512;

/// A matmul in 2-d form: A [M, K], B [K, N] or [N, K] (`transposedB`),
/// C [M, N], all static identity-layout memrefs.
struct Matvec {
  Value a, b, c;
  bool transposedB = false;
  int64_t m = 0, n = 0, k = 0;
};

bool isStaticIdentity2D(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == 2 && type.hasStaticShape() &&
         type.getLayout().isIdentity() && !type.getMemorySpace();
}

unsigned bytesOf(Value v) {
  return cast<MemRefType>(v.getType()).getElementTypeBitWidth() / 8;
}

/// Elements of B per 16-byte load.
int64_t vectorWidth(const Matvec &mv) { return kVectorBytes / bytesOf(mv.b); }

/// Whether the kernels take `mv`: float types of 16 or 32 bits (f32
/// accumulation), few rows, sizes that the vector width and the warps'
/// split of K divide.
bool fits(const Matvec &mv) {
  for (Value v : {mv.a, mv.b, mv.c}) {
    if (!isStaticIdentity2D(v))
      return false;
    Type t = cast<MemRefType>(v.getType()).getElementType();
    // (8-bit floats: their vector extf has no LLVM lowering.)
    if (!isa<FloatType>(t) || t.getIntOrFloatBitWidth() > 32 ||
        t.getIntOrFloatBitWidth() < 16)
      return false;
  }
  if (mv.m < 1 || mv.m > kMaxRows)
    return false;
  int64_t v = vectorWidth(mv);
  if (mv.transposedB)
    return mv.k % (kWarp * v) == 0;
  return mv.n % (kWarp * v) == 0 && mv.k % kWarps == 0;
}

/// The 2-d form of a `linalg.matmul` (no user maps, B is K x N).
std::optional<Matvec> fromMatmul(linalg::MatmulOp op) {
  if (!op.hasPureBufferSemantics() || op.hasUserDefinedMaps())
    return std::nullopt;
  Matvec mv{op.getDpsInputs()[0], op.getDpsInputs()[1], op.getDpsInits()[0]};
  if (!isStaticIdentity2D(mv.a) || !isStaticIdentity2D(mv.c))
    return std::nullopt;
  mv.m = cast<MemRefType>(mv.c.getType()).getDimSize(0);
  mv.n = cast<MemRefType>(mv.c.getType()).getDimSize(1);
  mv.k = cast<MemRefType>(mv.a.getType()).getDimSize(1);
  if (!fits(mv))
    return std::nullopt;
  return mv;
}

/// The 2-d form of a contraction generic that is a matmul once its
/// dimensions are grouped: C[m.., n..] += A[m.., k..] * B[k.., n..] or
/// B[n.., k..] (the importer's MatMul of an N-d activation, possibly with
/// the weight's transpose folded in). The views are created before `op`;
/// nothing is created when it does not fit.
std::optional<Matvec> fromGeneric(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || !isMulAddBody(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps,
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  SmallVector<unsigned> aDims = dimsOf(maps[0]), bDims = dimsOf(maps[1]),
                        cDims = dimsOf(maps[2]);
  auto iterators = op.getIteratorTypesArray();
  auto isReduction = [&](unsigned d) {
    return iterators[d] == utils::IteratorType::reduction;
  };
  auto firstK = llvm::find_if(aDims, isReduction);
  SmallVector<unsigned> mDims(aDims.begin(), firstK), kDims(firstK, aDims.end());
  if (mDims.empty() || kDims.empty() || !llvm::all_of(kDims, isReduction) ||
      cDims.size() <= mDims.size() ||
      !llvm::equal(mDims, ArrayRef(cDims).take_front(mDims.size())))
    return std::nullopt;
  SmallVector<unsigned> nDims(cDims.begin() + mDims.size(), cDims.end());
  if (int64_t(mDims.size() + nDims.size() + kDims.size()) != op.getNumLoops())
    return std::nullopt;
  SmallVector<unsigned> kn(kDims), nk(nDims);
  kn.append(nDims.begin(), nDims.end());
  nk.append(kDims.begin(), kDims.end());
  bool transposedB = bDims == nk;
  if (bDims != kn && !transposedB)
    return std::nullopt;
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  for (Value v : {a, b, c}) {
    auto t = cast<MemRefType>(v.getType());
    if (!t.hasStaticShape() || !t.getLayout().isIdentity() ||
        t.getMemorySpace())
      return std::nullopt;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto product = [&](ArrayRef<unsigned> dims) {
    int64_t p = 1;
    for (unsigned d : dims)
      p *= ranges[d];
    return p;
  };
  Matvec mv;
  mv.transposedB = transposedB;
  mv.m = product(mDims);
  mv.n = product(nDims);
  mv.k = product(kDims);
  OpBuilder builder(op);
  Location loc = op.getLoc();
  SmallVector<Operation *> created;
  auto collapse = [&](Value v, int64_t split) -> Value {
    auto type = cast<MemRefType>(v.getType());
    if (type.getRank() == 2 && split == 1)
      return v;
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t i = 0; i < type.getRank(); ++i)
      groups[i < split ? 0 : 1].push_back(i);
    auto view = memref::CollapseShapeOp::create(builder, loc, v, groups);
    created.push_back(view);
    return view;
  };
  mv.a = collapse(a, mDims.size());
  mv.c = collapse(c, mDims.size());
  mv.b = collapse(b, transposedB ? nDims.size() : kDims.size());
  if (!fits(mv)) {
    for (Operation *dead : llvm::reverse(created))
      dead->erase();
    return std::nullopt;
  }
  return mv;
}

struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  const Matvec &mv;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, x, idx(y)); }
  Value toF32(Value v) {
    Type f32 = b.getF32Type();
    Type element = getElementTypeOrSelf(v.getType());
    if (element == f32)
      return v;
    Type type = f32;
    if (auto vec = dyn_cast<VectorType>(v.getType()))
      type = VectorType::get(vec.getShape(), f32);
    return arith::ExtFOp::create(b, type, v);
  }
  Value load(Value mem, ValueRange indices, int64_t width) {
    Type element = cast<MemRefType>(mem.getType()).getElementType();
    auto type = VectorType::get({width}, element);
    unsigned bytes = width * element.getIntOrFloatBitWidth() / 8;
    return vector::LoadOp::create(b, type, mem, indices, /*nontemporal=*/false,
                                  llvm::MaybeAlign(bytes));
  }

  /// A kernel of `grid` blocks of kThreads threads; the builder is left at
  /// the start of its body.
  gpu::LaunchOp launch(int64_t gridX, int64_t gridY, int64_t smemBytes) {
    Value one = idx(1);
    Value smem = arith::ConstantIntOp::create(b, smemBytes, 32);
    auto op = gpu::LaunchOp::create(b, idx(gridX), idx(gridY), one,
                                    idx(kThreads), one, one, smem,
                                    /*asyncTokenType=*/nullptr,
                                    /*asyncDependencies=*/ValueRange{});
    b.setInsertionPointToStart(&op.getBody().front());
    gpu::TerminatorOp::create(b);
    b.setInsertionPointToStart(&op.getBody().front());
    return op;
  }

  /// C[m, n] += sum, in C's type.
  void addToC(Value m, Value n, Value sum) {
    Value old = memref::LoadOp::create(b, mv.c, ValueRange{m, n});
    Value result = arith::AddFOp::create(b, toF32(old), sum);
    if (old.getType() != result.getType())
      result = arith::TruncFOp::create(b, old.getType(), result);
    memref::StoreOp::create(b, result, mv.c, ValueRange{m, n});
  }

  /// The block's sum for row m and column n goes to C, or to the
  /// workspace's slice `slice` when K is split over blocks.
  void writeSum(Value workspace, Value slice, Value m, Value n, Value sum) {
    if (workspace)
      memref::StoreOp::create(b, sum, workspace, ValueRange{slice, m, n});
    else
      addToC(m, n, sum);
  }

  void kernelKN(Value workspace, int64_t slices);
  void kernelNK(Value workspace, int64_t slices);
  void kernelSumSlices(Value workspace, int64_t slices);
};

/// B is K x N. Block (x, y): columns [x * 32v, (x + 1) * 32v), K slice y;
/// warp w takes the slice's rows w, w + 8, ...; lane l the v columns at
/// l * v. The warps' sums go through shared memory, one row of C at a time.
void KernelBuilder::kernelKN(Value workspace, int64_t slices) {
  int64_t v = vectorWidth(mv), blockCols = kWarp * v;
  int64_t sliceK = mv.k / slices, rowsPerWarp = sliceK / kWarps;
  int64_t unroll = rowsPerWarp % 4 == 0 ? 4 : rowsPerWarp % 2 == 0 ? 2 : 1;
  auto op = launch(mv.n / blockCols, slices, kWarps * blockCols * 4);
  Value tid = op.getThreadIds().x;
  Value warp = arith::DivUIOp::create(b, tid, idx(kWarp));
  Value lane = arith::RemUIOp::create(b, tid, idx(kWarp));
  Value colBase = mul(op.getBlockIds().x, blockCols);
  Value col = add(colBase, mul(lane, v));
  Value slice = op.getBlockIds().y;
  Value kBase = add(mul(slice, sliceK), warp);

  auto accType = VectorType::get({v}, b.getF32Type());
  Value zero =
      arith::ConstantOp::create(b, accType, b.getZeroAttr(accType));
  SmallVector<Value> init(mv.m, zero);
  auto loop = scf::ForOp::create(b, idx(0), idx(rowsPerWarp), idx(unroll),
                                 init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> accs(loop.getRegionIterArgs());
    // All loads of the step first: `unroll` 16-byte loads in flight.
    SmallVector<Value> rows, bVecs;
    for (int64_t u = 0; u < unroll; ++u) {
      Value k = add(kBase, mul(add(loop.getInductionVar(), idx(u)), kWarps));
      rows.push_back(k);
      bVecs.push_back(toF32(load(mv.b, ValueRange{k, col}, v)));
    }
    for (int64_t u = 0; u < unroll; ++u)
      for (int64_t m = 0; m < mv.m; ++m) {
        Value a = toF32(
            memref::LoadOp::create(b, mv.a, ValueRange{idx(m), rows[u]}));
        Value splat = vector::BroadcastOp::create(b, accType, a);
        accs[m] = vector::FMAOp::create(b, splat, bVecs[u], accs[m]);
      }
    scf::YieldOp::create(b, accs);
  }

  // Shared memory [warps, blockCols] f32: each row of C in turn.
  auto smemType = MemRefType::get(
      {kWarps, blockCols}, b.getF32Type(), MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  Value raw = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(),
                         smemType.getMemorySpace()));
  Value partial = memref::ViewOp::create(b, smemType, raw, idx(0),
                                         ValueRange{});
  for (int64_t m = 0; m < mv.m; ++m) {
    vector::StoreOp::create(b, loop.getResult(m), partial,
                            ValueRange{warp, mul(lane, v)});
    gpu::BarrierOp::create(b);
    auto cols = scf::ForOp::create(b, tid, idx(blockCols), idx(kThreads));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(cols.getBody());
      Value j = cols.getInductionVar();
      Value sum = memref::LoadOp::create(b, partial, ValueRange{idx(0), j});
      for (int64_t w = 1; w < kWarps; ++w)
        sum = arith::AddFOp::create(
            b, sum, memref::LoadOp::create(b, partial, ValueRange{idx(w), j}));
      writeSum(workspace, slice, idx(m), add(colBase, j), sum);
    }
    gpu::BarrierOp::create(b);
  }
}

/// B is N x K. Block (x, y): rows [x * 8, x * 8 + 8) of B, K slice y; warp
/// w takes row x * 8 + w, lane l the v elements at l * v of each 32v
/// elements of the slice. The lanes' sums meet by butterfly shuffles.
void KernelBuilder::kernelNK(Value workspace, int64_t slices) {
  int64_t v = vectorWidth(mv), sliceK = mv.k / slices;
  int64_t steps = sliceK / (kWarp * v);
  int64_t unroll = steps % 4 == 0 ? 4 : steps % 2 == 0 ? 2 : 1;
  auto op = launch((mv.n + kWarps - 1) / kWarps, slices, 0);
  Value tid = op.getThreadIds().x;
  Value warp = arith::DivUIOp::create(b, tid, idx(kWarp));
  Value lane = arith::RemUIOp::create(b, tid, idx(kWarp));
  Value n = add(mul(op.getBlockIds().x, kWarps), warp);
  Value slice = op.getBlockIds().y;
  // The whole warp takes the same side: the shuffles below see every lane.
  Value inRange =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, n, idx(mv.n));
  auto guard = scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard insertion(b);
  b.setInsertionPointToStart(guard.thenBlock());
  Value kBase = add(mul(slice, sliceK), mul(lane, v));

  auto accType = VectorType::get({v}, b.getF32Type());
  Value zero =
      arith::ConstantOp::create(b, accType, b.getZeroAttr(accType));
  SmallVector<Value> init(mv.m, zero);
  auto loop = scf::ForOp::create(b, idx(0), idx(steps), idx(unroll), init);
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> accs(loop.getRegionIterArgs());
    SmallVector<Value> cols, bVecs;
    for (int64_t u = 0; u < unroll; ++u) {
      Value k = add(kBase,
                    mul(add(loop.getInductionVar(), idx(u)), kWarp * v));
      cols.push_back(k);
      bVecs.push_back(toF32(load(mv.b, ValueRange{n, k}, v)));
    }
    for (int64_t u = 0; u < unroll; ++u)
      for (int64_t m = 0; m < mv.m; ++m) {
        Value a = toF32(load(mv.a, ValueRange{idx(m), cols[u]}, v));
        accs[m] = vector::FMAOp::create(b, a, bVecs[u], accs[m]);
      }
    scf::YieldOp::create(b, accs);
  }
  Value first =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, idx(0));
  for (int64_t m = 0; m < mv.m; ++m) {
    Value sum = vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                            loop.getResult(m));
    for (int32_t offset = kWarp / 2; offset > 0; offset /= 2) {
      auto shuffle = gpu::ShuffleOp::create(b, sum, offset, kWarp,
                                            gpu::ShuffleMode::XOR);
      sum = arith::AddFOp::create(b, sum, shuffle.getShuffleResult());
    }
    auto store = scf::IfOp::create(b, first, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(store.thenBlock());
    writeSum(workspace, slice, idx(m), n, sum);
  }
}

/// C[m, n] += the slices' sums of the workspace, added in slice order.
void KernelBuilder::kernelSumSlices(Value workspace, int64_t slices) {
  int64_t total = mv.m * mv.n;
  auto op = launch((total + kThreads - 1) / kThreads, 1, 0);
  Value i = add(mul(op.getBlockIds().x, kThreads), op.getThreadIds().x);
  Value inRange =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i, idx(total));
  auto guard = scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard insertion(b);
  b.setInsertionPointToStart(guard.thenBlock());
  Value m = arith::DivUIOp::create(b, i, idx(mv.n));
  Value n = arith::RemUIOp::create(b, i, idx(mv.n));
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
  auto loop = scf::ForOp::create(b, idx(0), idx(slices), idx(1),
                                 ValueRange{zero});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(loop.getBody());
    Value part = memref::LoadOp::create(
        b, workspace, ValueRange{loop.getInductionVar(), m, n});
    scf::YieldOp::create(
        b, ValueRange{arith::AddFOp::create(b, loop.getRegionIterArgs()[0],
                                            part)});
  }
  addToC(m, n, loop.getResult(0));
}

/// K slices over blocks: doubled while there are fewer than kTargetBlocks
/// blocks and each warp keeps enough of K to stream.
int64_t chooseSlices(const Matvec &mv) {
  int64_t v = vectorWidth(mv);
  int64_t blocks = mv.transposedB ? (mv.n + kWarps - 1) / kWarps
                                  : mv.n / (kWarp * v);
  // Per slice, K must stay a multiple of the warp's step and long enough.
  int64_t unit = mv.transposedB ? kWarp * v : kWarps;
  int64_t minK = mv.transposedB ? 4 * kWarp * v : 16 * kWarps;
  int64_t slices = 1;
  while (blocks * slices < kTargetBlocks && mv.k % (2 * slices * unit) == 0 &&
         mv.k / (2 * slices) >= minK)
    slices *= 2;
  return slices;
}

void rewrite(Operation *op, const Matvec &mv) {
  ImplicitLocOpBuilder b(op->getLoc(), op);
  KernelBuilder kb{b, mv};
  int64_t slices = chooseSlices(mv);
  Value workspace;
  if (slices > 1)
    workspace = memref::AllocOp::create(
        b, MemRefType::get({slices, mv.m, mv.n}, b.getF32Type()));
  {
    OpBuilder::InsertionGuard guard(b);
    if (mv.transposedB)
      kb.kernelNK(workspace, slices);
    else
      kb.kernelKN(workspace, slices);
  }
  if (workspace) {
    {
      OpBuilder::InsertionGuard guard(b);
      kb.kernelSumSlices(workspace, slices);
    }
    memref::DeallocOp::create(b, workspace);
  }
  op->erase();
}

bool outsideKernels(Operation *op) {
  return !op->getParentOfType<scf::ParallelOp>() &&
         !op->getParentOfType<gpu::LaunchOp>();
}

struct MatvecToGPUPass
    : public nvidia::impl::MatvecToGPUPassBase<MatvecToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::MatmulOp, linalg::GenericOp>(op) && outsideKernels(op))
        candidates.push_back(op);
    });
    for (Operation *op : candidates) {
      std::optional<Matvec> mv;
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
        mv = fromMatmul(matmul);
      else
        mv = fromGeneric(cast<linalg::GenericOp>(op));
      if (mv)
        rewrite(op, *mv);
    }
  }
};

} // namespace
