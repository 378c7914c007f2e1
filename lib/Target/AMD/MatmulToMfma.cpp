//===- MatmulToMfma.cpp - matmuls on MFMA with double-buffered LDS --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// One kernel shape for every element type: 256-thread workgroups (four
// wave64 wavefronts) computing a 32x32 tile of C, each wavefront a 16x16
// quarter with 16x16xK MFMAs. Per K step every thread moves 8 bytes of A
// and 8 bytes of B from global memory to LDS, and every lane reads 16 bytes
// of A and of B back from LDS, which feed one to four MFMAs. B is kept
// N-major in LDS (like A, K contiguous), so both fragments are contiguous
// 16-byte reads. The K loop, thread layout and accumulator are the shared
// body of MfmaKernel.cpp; this pass matches the matmul and stages it.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/MfmaKernel.h"
#include "lib/Target/AMD/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::loom::amd {
#define GEN_PASS_DEF_MATMULTOMFMAPASS
#include "lib/Target/AMD/Passes.h.inc"
} // namespace mlir::loom::amd

using namespace mlir;
using namespace mlir::loom;
using amd::Instr;
using amd::instrFor;
using amd::kStageBytes;
using amd::kThreads;
using amd::kTileM;
using amd::kTileN;

namespace {

/// A matched matmul: C[batch, m, n] += A[batch, m, k] * B[batch, k, n] on
/// identity-layout buffers (collapsed views of them, see `view`).
struct Plan {
  linalg::LinalgOp op;
  Instr instr;
  // Dimension groups of A, B and C: the batch (if any), then rows (A, C),
  // K (A, B) and columns (B, C); B's may be (batch, N, K).
  SmallVector<ReassociationIndices> aGroups, bGroups, cGroups;
  bool batched = false, transposedB = false;
};

/// An identity-layout buffer in the default memory space.
bool isPlainBuffer(Value value, Type element) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getLayout().isIdentity() &&
         type.getElementType() == element && type.getMemorySpace() == nullptr;
}

/// `v` with a float extension looked through.
Value skipExt(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
}

/// `v` = sign extension of an i8, looked through; null otherwise (the
/// integer MFMAs multiply signed bytes).
Value skipExtSI(Value v) {
  auto ext = v.getDefiningOp<arith::ExtSIOp>();
  return ext && ext.getIn().getType().isInteger(8) ? ext.getIn() : Value();
}

/// Whether `op`'s body is `yield out + a * b`: floats with a and b possibly
/// extended (a 16-bit matmul accumulating in f32, as the importer writes
/// it), or integers with a and b sign-extended bytes.
bool isMulAddBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (body->getNumArguments() != 3 || body->getOperations().size() > 5)
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  Value out = body->getArgument(2);
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add) ||
      (add->getOperand(0) != out && add->getOperand(1) != out))
    return false;
  bool isFloat = isa<arith::AddFOp>(add);
  Operation *mul = (add->getOperand(0) == out ? add->getOperand(1)
                                              : add->getOperand(0))
                       .getDefiningOp();
  if (!mul || (isFloat ? !isa<arith::MulFOp>(mul) : !isa<arith::MulIOp>(mul)))
    return false;
  Value x = mul->getOperand(0), y = mul->getOperand(1);
  x = isFloat ? skipExt(x) : skipExtSI(x);
  y = isFloat ? skipExt(y) : skipExtSI(y);
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (x == a && y == b) || (x == b && y == a);
}

enum class Role { Batch, Row, Col, Red };

/// Splits the results of `map` (a projected permutation) into groups of
/// consecutive positions with the roles `order`, in that order; a Batch
/// group may be missing, the others must not. `dims` gets each group's loop
/// dimensions.
bool split(AffineMap map, ArrayRef<Role> roles, ArrayRef<Role> order,
           SmallVector<ReassociationIndices> &groups,
           SmallVector<SmallVector<unsigned>> &dims) {
  size_t at = 0;
  for (Role role : order) {
    ReassociationIndices group;
    SmallVector<unsigned> groupDims;
    for (; at < map.getNumResults(); ++at) {
      unsigned d = cast<AffineDimExpr>(map.getResult(at)).getPosition();
      if (roles[d] != role)
        break;
      group.push_back(at);
      groupDims.push_back(d);
    }
    if (group.empty() && role != Role::Batch)
      return false;
    if (!group.empty()) {
      groups.push_back(group);
      dims.push_back(groupDims);
    } else {
      dims.push_back({});
    }
  }
  return at == map.getNumResults();
}

/// The product of `type`'s sizes at `group`, or dynamic.
int64_t groupSize(MemRefType type, const ReassociationIndices &group) {
  int64_t size = 1;
  for (int64_t d : group) {
    if (type.isDynamicDim(d))
      return ShapedType::kDynamic;
    size *= type.getDimSize(d);
  }
  return size;
}

/// The plan for `op`, if it is a matmul the kernel takes: a contraction
/// (linalg.matmul, batch_matmul or a generic) whose loops are batch (in A,
/// B and C), rows (A, C), columns (B, C) and K (A, B), each operand's
/// dimensions grouped in that order (B as K, N or N, K).
std::optional<Plan> analyze(linalg::LinalgOp op, StringRef chip) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !isMulAddBody(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps,
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  SmallVector<Role> roles;
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    bool inA = maps[0].isFunctionOfDim(d), inB = maps[1].isFunctionOfDim(d),
         inC = maps[2].isFunctionOfDim(d);
    bool reduction = iterators[d] == utils::IteratorType::reduction;
    if (inA && inB && inC && !reduction)
      roles.push_back(Role::Batch);
    else if (inA && !inB && inC && !reduction)
      roles.push_back(Role::Row);
    else if (!inA && inB && inC && !reduction)
      roles.push_back(Role::Col);
    else if (inA && inB && !inC && reduction)
      roles.push_back(Role::Red);
    else
      return std::nullopt;
  }
  Plan plan{op, Instr{}, {}, {}, {}};
  SmallVector<SmallVector<unsigned>> aDims, bDims, cDims;
  if (!split(maps[0], roles, {Role::Batch, Role::Row, Role::Red},
             plan.aGroups, aDims) ||
      !split(maps[2], roles, {Role::Batch, Role::Row, Role::Col},
             plan.cGroups, cDims))
    return std::nullopt;
  if (!split(maps[1], roles, {Role::Batch, Role::Red, Role::Col},
             plan.bGroups, bDims)) {
    plan.bGroups.clear();
    bDims.clear();
    if (!split(maps[1], roles, {Role::Batch, Role::Col, Role::Red},
               plan.bGroups, bDims))
      return std::nullopt;
    plan.transposedB = true;
    std::swap(bDims[1], bDims[2]);
  }
  // The same loops in the same order wherever a group appears twice.
  if (aDims[0] != cDims[0] || aDims[0] != bDims[0] || aDims[1] != cDims[1] ||
      aDims[2] != bDims[1] || bDims[2] != cDims[2])
    return std::nullopt;
  plan.batched = !aDims[0].empty();

  Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  auto aType = cast<MemRefType>(a.getType());
  auto cType = cast<MemRefType>(c.getType());
  std::optional<Instr> instr = instrFor(aType.getElementType(), chip);
  if (!instr || !isPlainBuffer(a, instr->element) ||
      !isPlainBuffer(bMat, instr->element) ||
      !isPlainBuffer(c, instr->accumulator))
    return std::nullopt;
  plan.instr = *instr;
  int64_t k = groupSize(aType, plan.aGroups.back());
  int64_t n = groupSize(cType, plan.cGroups.back());
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n) ||
      k % instr->tileK() || n % kTileN)
    return std::nullopt;
  return plan;
}

/// Emits the kernel for `plan`.
void rewrite(const Plan &plan) {
  linalg::LinalgOp op = plan.op;
  const Instr &in = plan.instr;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  // The kernel works on [batch,] rows x K, [batch,] K x N (or N x K) and
  // [batch,] rows x N views.
  auto view = [&](Value v, ArrayRef<ReassociationIndices> groups) -> Value {
    if (int64_t(groups.size()) == cast<MemRefType>(v.getType()).getRank())
      return v;
    return memref::CollapseShapeOp::create(b, loc, v, groups);
  };
  a = view(a, plan.aGroups);
  bMat = view(bMat, plan.bGroups);
  c = view(c, plan.cGroups);
  int64_t rank = plan.batched ? 3 : 2;
  int64_t n = cast<MemRefType>(c.getType()).getDimSize(rank - 1);
  int64_t k = cast<MemRefType>(a.getType()).getDimSize(rank - 1);
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value m = memref::DimOp::create(b, loc, c, rank - 2);
  Value rowTiles = arith::CeilDivUIOp::create(b, loc, m, idx(kTileM));
  Value one = idx(1);
  // Batches along the grid's z.
  Value batches = plan.batched ? memref::DimOp::create(b, loc, c, 0).getResult()
                               : one;

  // Two LDS buffers per operand: [buffer][row of A / column of C][k].
  MLIRContext *ctx = b.getContext();
  auto launch = gpu::LaunchOp::create(
      b, loc, rowTiles, idx(n / kTileN), batches, idx(kThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{},
      /*workgroupAttributions=*/
      TypeRange{amd::ldsTileType(ctx, in, kTileM),
                amd::ldsTileType(ctx, in, kTileN)});
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value aTiles = launch.getWorkgroupAttributions()[0];
  Value bTiles = launch.getWorkgroupAttributions()[1];

  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, idx(y));
  };

  Value batch = launch.getBlockIds().z;
  // Indices into a view: the batch first when there is one.
  auto at = [&](Value row, Value col) -> SmallVector<Value, 3> {
    if (plan.batched)
      return {batch, row, col};
    return {row, col};
  };

  Value tid = launch.getThreadIds().x;
  Value row0 = mul(launch.getBlockIds().x, kTileM);
  Value col0 = mul(launch.getBlockIds().y, kTileN);
  amd::TileThread thread = amd::tileThread(b, loc, tid);

  // Staging: thread t moves `stageWidth` contiguous elements of A (row
  // t / 8 of the tile, K offset (t % 8) * width) and of B. B stored N x K
  // is staged like A; B stored K x N: thread t takes row t / (32 / width)
  // along K, `width` columns, and writes them N-major into LDS.
  int64_t width = in.stageWidth();
  VectorType stageType = VectorType::get({width}, in.element);
  amd::StageSlots slots = amd::stageSlots(b, loc, tid, width);
  Value aRow = slots.row, aCol = slots.k, bRow = slots.kRow, bCol = slots.col;
  // Rows of A past M load row M - 1 instead: they only feed rows of C
  // past M, which are not stored. (No select: nothing but the LDS store
  // waits for the load.)
  Value lastRow = arith::SubIOp::create(b, loc, m, one);
  Value aClamped =
      arith::MinUIOp::create(b, loc, add(row0, aRow), lastRow);
  auto loadStep = [&](Value k0) -> SmallVector<Value> {
    Value av = vector::LoadOp::create(b, loc, stageType, a,
                                      at(aClamped, add(k0, aCol)), false,
                                      llvm::Align(kStageBytes));
    SmallVector<Value, 3> bAt = plan.transposedB
                                    ? at(add(col0, aRow), add(k0, aCol))
                                    : at(add(k0, bRow), add(col0, bCol));
    Value bv = vector::LoadOp::create(b, loc, stageType, bMat, bAt, false,
                                      llvm::Align(kStageBytes));
    return {av, bv};
  };
  auto storeStep = [&](ValueRange values, Value buffer) {
    vector::StoreOp::create(b, loc, values[0], aTiles,
                            ValueRange{buffer, aRow, aCol}, false,
                            llvm::Align(kStageBytes));
    if (plan.transposedB)
      vector::StoreOp::create(b, loc, values[1], bTiles,
                              ValueRange{buffer, aRow, aCol}, false,
                              llvm::Align(kStageBytes));
    else
      amd::storeKRowNMajor(b, loc, values[1], bTiles, buffer, bCol, bRow);
  };

  // The accumulator: lane j + 16q holds C[4q + i][j], i = 0..3.
  Value accRow = add(row0, thread.accRow);
  Value accCol = add(col0, thread.accCol);
  Value acc = amd::loadAccumulator(b, loc, in, c, at, accRow, accCol, m);
  Value result = amd::buildMfmaKLoop(b, loc, in, thread, aTiles, bTiles, k,
                                     acc, {loadStep, storeStep});
  amd::storeAccumulator(b, loc, result, c, at, accRow, accCol, m);
  gpu::TerminatorOp::create(b, loc);
  op->erase();
}

struct MatmulToMfmaPass
    : public amd::impl::MatmulToMfmaPassBase<MatmulToMfmaPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Plan> plans;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<gpu::LaunchOp>() || !op.hasPureBufferSemantics())
        return;
      if (std::optional<Plan> plan = analyze(op, chip))
        plans.push_back(*plan);
    });
    for (const Plan &plan : plans)
      rewrite(plan);
  }
};

} // namespace
