//===- DeviceBuffers.cpp - Host buffers at the boundary, device inside ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

#include <type_traits>

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_DEVICEBUFFERSPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;

namespace {

/// The dynamic sizes of `value`'s shape, read with memref.dim.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(memref::DimOp::create(b, loc, value, i));
  return sizes;
}

/// A device buffer of `value`'s type holding a copy of it.
Value copyToDevice(OpBuilder &b, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  auto alloc = gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(),
                                    ValueRange{}, dynamicSizes(b, loc, value),
                                    ValueRange{}, /*hostShared=*/false);
  gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, alloc.getMemref(), value);
  return alloc.getMemref();
}

/// Makes every existing use of host buffer `value` use a device copy of it
/// instead, and returns the copy.
Value replaceWithDeviceCopy(OpBuilder &b, Location loc, Value value) {
  SmallVector<OpOperand *> uses =
      llvm::map_to_vector(value.getUses(), [](OpOperand &use) { return &use; });
  Value device = copyToDevice(b, loc, value);
  for (OpOperand *use : uses)
    use->set(device);
  return device;
}

constexpr llvm::StringLiteral kResidentFn = "loom_gpu_resident";

/// Declares `index loom_gpu_resident(index host, index bytes)` (the
/// runtime's GpuShim.cpp) in `module` once.
func::FuncOp residentFunction(ModuleOp module) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(kResidentFn))
    return fn;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Type index = b.getIndexType();
  auto fn = func::FuncOp::create(b, module.getLoc(), kResidentFn,
                                 b.getFunctionType({index, index}, {index}));
  fn.setPrivate();
  return fn;
}

constexpr llvm::StringLiteral kOutputsOnDeviceFn = "loom_gpu_outputs_on_device";

/// Declares `index loom_gpu_outputs_on_device()` (GpuShim.cpp): nonzero
/// when the invoking session keeps outputs on the device.
func::FuncOp outputsOnDeviceFunction(ModuleOp module) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(kOutputsOnDeviceFn))
    return fn;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), kOutputsOnDeviceFn,
                                 b.getFunctionType({}, {b.getIndexType()}));
  fn.setPrivate();
  return fn;
}

/// A memref of `type` (static shape, identity layout) whose buffer is at
/// device address `address`: the LLVM memref descriptor built by hand, cast
/// to the memref type (the cast folds away when memrefs become LLVM).
Value memrefAtAddress(OpBuilder &b, Location loc, MemRefType type,
                      Value address) {
  MLIRContext *ctx = b.getContext();
  auto i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  int64_t rank = type.getRank();
  SmallVector<Type> fields = {ptrType, ptrType, i64};
  if (rank) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  auto descType = LLVM::LLVMStructType::getLiteral(ctx, fields);
  Value addr64 = arith::IndexCastOp::create(b, loc, i64, address);
  Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, addr64);
  Value desc = LLVM::PoisonOp::create(b, loc, descType);
  desc = LLVM::InsertValueOp::create(b, loc, desc, ptr, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, ptr, ArrayRef<int64_t>{1});
  auto constant = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  desc = LLVM::InsertValueOp::create(b, loc, desc, constant(0),
                                     ArrayRef<int64_t>{2});
  SmallVector<int64_t> strides = type.getStridesAndOffset().first;
  for (int64_t i = 0; i < rank; ++i) {
    desc = LLVM::InsertValueOp::create(b, loc, desc,
                                       constant(type.getDimSize(i)),
                                       ArrayRef<int64_t>{3, i});
    desc = LLVM::InsertValueOp::create(b, loc, desc, constant(strides[i]),
                                       ArrayRef<int64_t>{4, i});
  }
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

/// The byte size of a statically shaped memref type, if it has one.
std::optional<int64_t> staticByteSize(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return std::nullopt;
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8)
    return std::nullopt;
  return type.getNumElements() * int64_t(bits / 8);
}

/// The allocation a device view is taken from (through subviews, casts,
/// reshapes), or null if it does not come from one this pass knows.
Value rootAllocation(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (isa<gpu::AllocOp>(def))
      return value;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return {};
    value = view.getViewSource();
  }
  return {};
}

bool readsMemory(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
        if ((effects && effects.hasEffect<MemoryEffects::Read>()) ||
            (!effects && !inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
             !isMemoryEffectFree(inner)))
          return WalkResult::interrupt();
        return WalkResult::advance();
      })
      .wasInterrupted();
}

/// A host-level op whose results the host needs but which reads buffers
/// (a `memref.load` of a shape or a count, a scalar loop over a buffer):
/// the buffers are on the device, so the op runs in a one-thread kernel
/// that stores its results into small device buffers, read back after.
struct Readback {
  scf::ParallelOp kernel;
  // Each result and the store that saves it in its (device) buffer.
  SmallVector<std::pair<Value, memref::StoreOp>> results;
};

FailureOr<Readback> wrapForReadback(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  b.setInsertionPoint(op);
  Readback rb;
  SmallVector<Value> buffers;
  for (Value result : op->getResults()) {
    Type type = result.getType();
    if (!type.isIntOrIndexOrFloat())
      return failure();
    buffers.push_back(
        memref::AllocOp::create(b, loc, MemRefType::get({1}, type)));
  }
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  rb.kernel = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  MLIRContext *ctx = op->getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping = {
      gpu::ParallelLoopDimMappingAttr::get(ctx, gpu::Processor::BlockX, id,
                                           id)};
  if (failed(gpu::setMappingAttr(rb.kernel, mapping)))
    return failure();
  op->moveBefore(rb.kernel.getBody()->getTerminator());
  b.setInsertionPoint(rb.kernel.getBody()->getTerminator());
  // Until the readback exists, the uses outside keep the op's results;
  // finishReadback replaces them.
  for (auto [result, buffer] : llvm::zip(op->getResults(), buffers))
    rb.results.push_back(
        {result, memref::StoreOp::create(b, loc, result, buffer,
                                         ValueRange{zero})});
  return rb;
}

/// After the body's buffers became device buffers: copy each result's
/// device buffer to the host and give the host the value.
void finishReadback(OpBuilder &b, Readback &rb) {
  Location loc = rb.kernel.getLoc();
  b.setInsertionPointAfter(rb.kernel);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  for (auto [result, store] : rb.results) {
    Value device = store.getMemref(); // a gpu.alloc by now
    auto type = cast<MemRefType>(device.getType());
    Value host = memref::AllocOp::create(b, loc, type);
    gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, host, device);
    Value value = memref::LoadOp::create(b, loc, host, ValueRange{zero});
    result.replaceUsesWithIf(value, [&](OpOperand &use) {
      return !rb.kernel->isAncestor(use.getOwner());
    });
    memref::DeallocOp::create(b, loc, host);
    gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, device);
  }
}

/// `value` (a returned device buffer) as a memref of the same shape with
/// the identity layout, or null if it is not known to be one. A contiguous
/// subview at offset 0 (`memref<4x3xi64, strided<[3, 1]>>`, the first rows
/// of a buffer) is such a view, also behind a `memref.cast` to the identity
/// layout; it is reinterpreted rather than cast, because canonicalization
/// folds a cast into the `gpu.memcpy` that uses it, which brings the strided
/// type back.
Value identityView(OpBuilder &b, Location loc, Value value) {
  Value source = value;
  while (auto castOp = source.getDefiningOp<memref::CastOp>())
    source = castOp.getSource();
  auto sourceType = cast<MemRefType>(source.getType());
  if (sourceType.getLayout().isIdentity())
    return {};
  auto type = cast<MemRefType>(value.getType());
  auto identity =
      MemRefType::get(type.getShape(), type.getElementType(),
                      MemRefLayoutAttrInterface{}, type.getMemorySpace());
  // Static strides and offset must be the identity's; dynamic ones are by
  // the contract of the cast to the identity layout (or of this view).
  if (!memref::CastOp::areCastCompatible(sourceType, identity))
    return {};
  // Sizes from the value (its static dims are facts about the source too),
  // row-major strides from the sizes.
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes, strides(rank);
  for (int64_t i = 0; i < rank; ++i)
    sizes.push_back(type.isDynamicDim(i)
                        ? OpFoldResult(memref::DimOp::create(b, loc, value, i)
                                           .getResult())
                        : OpFoldResult(b.getIndexAttr(type.getDimSize(i))));
  OpFoldResult stride = b.getIndexAttr(1);
  for (int64_t i = rank - 1; i >= 0; --i) {
    strides[i] = stride;
    std::optional<int64_t> s = getConstantIntValue(stride);
    std::optional<int64_t> n = getConstantIntValue(sizes[i]);
    if (s && n)
      stride = b.getIndexAttr(*s * *n);
    else
      stride = arith::MulIOp::create(
                   b, loc, getValueOrCreateConstantIndexOp(b, loc, stride),
                   getValueOrCreateConstantIndexOp(b, loc, sizes[i]))
                   .getResult();
  }
  return memref::ReinterpretCastOp::create(b, loc, identity, source,
                                           b.getIndexAttr(0), sizes, strides)
      .getResult();
}

/// `value` with an identity layout when its layout is equivalent to one (a
/// contiguous subview), as copies want; null if it has none.
Value withIdentityLayout(OpBuilder &b, Location loc, Value value) {
  if (Value view = identityView(b, loc, value))
    return view;
  auto type = cast<MemRefType>(value.getType());
  return type.getLayout().isIdentity() ? value : Value();
}

/// Copies device buffer `value` into a new buffer made by `alloc` (host or
/// device) and returns the copy with `value`'s type.
template <typename AllocOpT>
Value copyOut(OpBuilder &b, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  Value source = withIdentityLayout(b, loc, value);
  if (!source) // the copy reports the layout mismatch
    source = value;
  auto copyType = cast<MemRefType>(source.getType());
  Value copy;
  if constexpr (std::is_same_v<AllocOpT, gpu::AllocOp>)
    copy = gpu::AllocOp::create(b, loc, copyType, Type(), ValueRange{},
                                dynamicSizes(b, loc, source), ValueRange{},
                                /*hostShared=*/false)
               .getMemref();
  else
    copy = memref::AllocOp::create(b, loc, copyType,
                                   dynamicSizes(b, loc, source));
  gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, copy, source);
  if (copyType != type)
    copy = memref::CastOp::create(b, loc, type, copy);
  return copy;
}

/// Whether `value` is `root` seen through views that keep its start and
/// its dense row-major layout (casts and reshapes), so that a descriptor of
/// `value` describes the whole allocation the runtime will free.
bool isPlainView(Value value, Value root) {
  while (value != root) {
    Operation *def = value.getDefiningOp();
    if (!isa_and_nonnull<memref::CastOp, memref::CollapseShapeOp,
                         memref::ExpandShapeOp, memref::ReshapeOp>(def))
      return false;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return false;
    value = view.getViewSource();
  }
  return cast<MemRefType>(value.getType()).getLayout().isIdentity();
}

/// The host path of a return: every result copied into a host buffer; the
/// device buffers freed.
SmallVector<Value> hostResults(OpBuilder &b, Location loc,
                               ArrayRef<OpOperand *> results,
                               ArrayRef<Value> inputCopies) {
  llvm::SetVector<Value> toFree(inputCopies.begin(), inputCopies.end());
  SmallVector<Value> host;
  for (OpOperand *operand : results) {
    Value device = operand->get();
    if (Value root = rootAllocation(device))
      toFree.insert(root);
    host.push_back(copyOut<memref::AllocOp>(b, loc, device));
  }
  for (Value device : toFree)
    gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, device);
  return host;
}

/// The device path of a return: a result that is (a plain view of) a
/// buffer this function allocated, with an identity layout, is handed out
/// as it is, the first time its buffer is; any other (a resident weight, a
/// strided view, a buffer already handed out) is copied into a new device
/// buffer, so the caller owns each result's whole allocation and nothing
/// it frees is used elsewhere. The rest is freed.
SmallVector<Value> deviceResults(OpBuilder &b, Location loc,
                                 ArrayRef<OpOperand *> results,
                                 ArrayRef<Value> inputCopies) {
  llvm::SetVector<Value> toFree(inputCopies.begin(), inputCopies.end());
  llvm::SetVector<Value> handedOut;
  SmallVector<Value> device;
  for (OpOperand *operand : results) {
    Value value = operand->get();
    Value root = rootAllocation(value);
    if (root)
      toFree.insert(root);
    auto type = cast<MemRefType>(value.getType());
    if (root && type.getLayout().isIdentity() && isPlainView(value, root) &&
        handedOut.insert(root)) {
      device.push_back(value);
      continue;
    }
    device.push_back(copyOut<gpu::AllocOp>(b, loc, value));
  }
  for (Value value : toFree)
    if (!handedOut.contains(value))
      gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, value);
  return device;
}

struct DeviceBuffersPass
    : public nvidia::impl::DeviceBuffersPassBase<DeviceBuffersPass> {
  using Base::Base;

  LogicalResult runOnFunction(func::FuncOp func) {
    OpBuilder b(func.getContext());

    // Host code that reads buffers for values it needs (loads of sizes and
    // counts, scalar loops with results) moves into one-thread kernels.
    SmallVector<Operation *> hostReads;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      // Kernels: loops that become kernels, and kernels a target pass wrote
      // directly (the AMD MFMA matmul's gpu.launch).
      if (isa<scf::ParallelOp, gpu::LaunchOp>(op))
        return WalkResult::skip();
      // A TMA descriptor encodes a device buffer's address and shape on the
      // host; it does not read the buffer.
      if (op->getNumResults() == 0 || op == func.getOperation() ||
          isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp,
              memref::DimOp, func::CallOp, nvgpu::TmaCreateDescriptorOp>(op))
        return WalkResult::advance();
      // Views (memref.reshape reads its shape operand only for dynamic
      // result dims) stay on the host.
      if (llvm::any_of(op->getResultTypes(), llvm::IsaPred<MemRefType>))
        return WalkResult::advance();
      bool hasKernels =
          op->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      if (hasKernels || !readsMemory(op))
        return WalkResult::advance();
      hostReads.push_back(op);
      return WalkResult::skip();
    });
    SmallVector<Readback> readbacks;
    for (Operation *op : hostReads) {
      FailureOr<Readback> rb = wrapForReadback(b, op);
      if (failed(rb))
        return op->emitError("the NVIDIA target cannot read this value back "
                             "from the device (non-scalar result)");
      readbacks.push_back(std::move(*rb));
    }

    // Buffers the body allocates live on the device. Host-side scratch
    // would be unreachable from the kernels.
    // Allocations inside parallel loops are per-thread scratch of a
    // kernel and stay as they are.
    WalkResult walk = func.walk([&](Operation *op) {
      if (op->getParentOfType<scf::ParallelOp>())
        return WalkResult::advance();
      b.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        if (!alloc.getSymbolOperands().empty())
          return WalkResult(alloc.emitError("symbol operands not supported"));
        auto device = gpu::AllocOp::create(
            b, alloc.getLoc(), alloc.getType(), Type(), ValueRange{},
            alloc.getDynamicSizes(), ValueRange{}, /*hostShared=*/false);
        alloc.replaceAllUsesWith(device.getMemref());
        alloc.erase();
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange{},
                               dealloc.getMemref());
        dealloc.erase();
      } else if (isa<memref::AllocaOp>(op)) {
        return WalkResult(op->emitError(
            "stack buffers are not supported by the NVIDIA target"));
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    for (Readback &rb : readbacks)
      finishReadback(b, rb);

    // A reshape to dynamic sizes reads them from its shape buffer on the
    // host: give it a host buffer. The sizes are copied back and stored into
    // it with host loads and stores, which also make `gpu-async-region`
    // wait for the copy (the reshape itself has no memory effects).
    SmallVector<memref::ReshapeOp> reshapes;
    func.walk([&](memref::ReshapeOp reshape) {
      if (!reshape->getParentOfType<scf::ParallelOp>() &&
          !reshape.getType().hasStaticShape())
        reshapes.push_back(reshape);
    });
    for (memref::ReshapeOp reshape : reshapes) {
      Location loc = reshape.getLoc();
      b.setInsertionPoint(reshape);
      Value shape = reshape.getShape();
      auto type = cast<MemRefType>(shape.getType());
      Value copy = memref::AllocOp::create(b, loc, type);
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, copy, shape);
      Value host = memref::AllocOp::create(b, loc, type);
      for (int64_t i = 0; i < type.getDimSize(0); ++i) {
        Value at = arith::ConstantIndexOp::create(b, loc, i);
        Value size = memref::LoadOp::create(b, loc, copy, ValueRange{at});
        memref::StoreOp::create(b, loc, size, host, ValueRange{at});
      }
      reshape.getShapeMutable().assign(host);
      b.setInsertionPointAfter(reshape);
      memref::DeallocOp::create(b, loc, copy);
      memref::DeallocOp::create(b, loc, host);
    }

    // Inputs and constants: copied to the device where they are defined.
    SmallVector<Value> inputCopies;
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      if (!isa<MemRefType>(arg.getType()) || arg.use_empty())
        continue;
      inputCopies.push_back(replaceWithDeviceCopy(b, func.getLoc(), arg));
    }
    // Globals are read where they are needed, maybe inside a kernel or a
    // host loop; they are made available once, at entry. Constant ones
    // (weights) stay resident on the device across calls.
    auto module = func->getParentOfType<ModuleOp>();
    SmallVector<memref::GetGlobalOp> globals;
    func.walk([&](memref::GetGlobalOp global) { globals.push_back(global); });
    for (memref::GetGlobalOp global : globals) {
      global->moveBefore(&entry, entry.begin());
      b.setInsertionPointAfter(global);
      auto def = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          global, global.getNameAttr());
      MemRefType type = global.getType();
      std::optional<int64_t> bytes = staticByteSize(type);
      if (!def || !def.getConstant() || !bytes) {
        inputCopies.push_back(
            replaceWithDeviceCopy(b, global.getLoc(), global.getResult()));
        continue;
      }
      Location loc = global.getLoc();
      SmallVector<OpOperand *> uses = llvm::map_to_vector(
          global->getUses(), [](OpOperand &use) { return &use; });
      Value host = memref::ExtractAlignedPointerAsIndexOp::create(
          b, loc, global.getResult());
      Value size = arith::ConstantIndexOp::create(b, loc, *bytes);
      Value address = func::CallOp::create(b, loc, residentFunction(module),
                                           ValueRange{host, size})
                          .getResult(0);
      Value device = memrefAtAddress(b, loc, type, address);
      for (OpOperand *use : uses)
        use->set(device);
    }

    // Results: when the runtime keeps outputs on the device
    // (loom_gpu_outputs_on_device() != 0, asked at each return), the device
    // buffers the body made are handed out as they are: the caller owns and
    // frees them. Otherwise they are copied back into host buffers the
    // caller owns. Either way the rest of the device side is freed.
    for (auto ret : llvm::to_vector(func.getBody().getOps<func::ReturnOp>())) {
      b.setInsertionPoint(ret);
      Location loc = ret.getLoc();
      SmallVector<OpOperand *> results;
      for (OpOperand &operand : ret->getOpOperands())
        if (isa<MemRefType>(operand.get().getType()))
          results.push_back(&operand);
      if (results.empty()) {
        for (Value device : inputCopies)
          gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, device);
        continue;
      }
      Value flag =
          func::CallOp::create(b, loc, outputsOnDeviceFunction(module),
                               ValueRange{})
              .getResult(0);
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value onDevice = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                             flag, zero);
      SmallVector<Type> types = llvm::map_to_vector(
          results, [](OpOperand *o) { return o->get().getType(); });
      auto choice = scf::IfOp::create(b, loc, types, onDevice,
                                      /*withElseRegion=*/true);
      b.setInsertionPointToStart(choice.thenBlock());
      SmallVector<Value> device = deviceResults(b, loc, results, inputCopies);
      scf::YieldOp::create(b, loc, device);
      b.setInsertionPointToStart(choice.elseBlock());
      SmallVector<Value> host = hostResults(b, loc, results, inputCopies);
      scf::YieldOp::create(b, loc, host);
      for (auto [operand, value] : llvm::zip(results, choice.getResults()))
        operand->set(value);
    }
    return success();
  }

  void runOnOperation() override {
    for (auto func :
         llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      if (!func.getBody().hasOneBlock())
        return (void)(func.emitError("the NVIDIA target expects structured "
                                     "control flow (one block per function)"),
                      signalPassFailure());
      if (failed(runOnFunction(func)))
        return signalPassFailure();
    }
  }
};

} // namespace
