//===- EntryPoints.cpp - Entry points of a compiled CPU module -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The runtime calls every entry point through one signature,
// `void loom_call_<name>(void **args)` (runtime/include/loom_abi.h). These
// passes get there: mark public functions for MLIR's C interface before the
// LLVM conversion, then wrap each `_mlir_ciface_<name>` afterwards.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_EXPOSEENTRYPOINTSPASS
#define GEN_PASS_DEF_EMITENTRYWRAPPERSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

static constexpr StringLiteral kCInterfacePrefix = "_mlir_ciface_";
static constexpr StringLiteral kEntryPrefix = "loom_call_";

namespace {

struct ExposeEntryPointsPass
    : public loom::cpu::impl::ExposeEntryPointsPassBase<ExposeEntryPointsPass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isPrivate() || fn.isExternal())
        continue;
      // The runtime passes every value as a memref descriptor, so entry
      // points take and return shaped values only.
      auto isShaped = [](Type t) { return isa<ShapedType>(t); };
      for (auto [i, t] : llvm::enumerate(fn.getArgumentTypes()))
        if (!isShaped(t)) {
          fn.emitError() << "entry point @" << fn.getName() << " argument "
                         << i << " has type " << t
                         << "; entry points take tensors only";
          return signalPassFailure();
        }
      for (auto [i, t] : llvm::enumerate(fn.getResultTypes()))
        if (!isShaped(t)) {
          fn.emitError() << "entry point @" << fn.getName() << " result " << i
                         << " has type " << t
                         << "; entry points return tensors only";
          return signalPassFailure();
        }
      fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(&getContext()));
    }
  }
};

struct EmitEntryWrappersPass
    : public loom::cpu::impl::EmitEntryWrappersPassBase<EmitEntryWrappersPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> cifaces;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn.getName().starts_with(kCInterfacePrefix) && !fn.isExternal())
        cifaces.push_back(fn);
    for (LLVM::LLVMFuncOp ciface : cifaces)
      if (failed(emitWrapper(module, ciface)))
        return signalPassFailure();
  }

  LogicalResult emitWrapper(ModuleOp module, LLVM::LLVMFuncOp ciface) {
    StringRef name = ciface.getName().drop_front(kCInterfacePrefix.size());
    // The lowered original tells whether the C interface returns its
    // results through a leading pointer argument.
    auto original = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
    if (!original)
      return ciface.emitError() << "no function @" << name
                                << " behind the C interface";
    bool hasResults =
        !isa<LLVM::LLVMVoidType>(original.getFunctionType().getReturnType());
    LLVM::LLVMFunctionType cType = ciface.getFunctionType();
    if (!isa<LLVM::LLVMVoidType>(cType.getReturnType()))
      return ciface.emitError() << "entry point @" << name
                                << " returns a value directly; expected all "
                                << "results through memref descriptors";
    for (Type t : cType.getParams())
      if (!isa<LLVM::LLVMPointerType>(t))
        return ciface.emitError() << "entry point @" << name
                                  << " takes a non-pointer argument " << t;

    std::string wrapperName = (kEntryPrefix + name).str();
    if (module.lookupSymbol(wrapperName))
      return ciface.emitError() << "symbol @" << wrapperName
                                << " already exists";

    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    Location loc = ciface.getLoc();
    MLIRContext *ctx = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto wrapperType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {ptrType});
    auto wrapper =
        LLVM::LLVMFuncOp::create(b, loc, wrapperName, wrapperType);
    Block *entry = wrapper.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    Value args = entry->getArgument(0);

    // args[0] is the context, args[1] the results, args[2 + i] input i.
    SmallVector<Value> callArgs;
    for (unsigned i = 0, e = cType.getNumParams(); i < e; ++i) {
      int32_t slot = hasResults ? int32_t(i) + 1 : int32_t(i) + 2;
      Value addr = LLVM::GEPOp::create(b, loc, ptrType, ptrType, args,
                                       ArrayRef<LLVM::GEPArg>{slot});
      callArgs.push_back(LLVM::LoadOp::create(b, loc, ptrType, addr));
    }
    LLVM::CallOp::create(b, loc, ciface, callArgs);
    LLVM::ReturnOp::create(b, loc, ValueRange());
    return success();
  }
};

} // namespace
