//===- WidenPrecision.cpp - 16-bit float reductions computed in f32 -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A sum of thousands of bf16 terms stops growing once it is 256 times larger
// than a term (bf16 keeps 8 significant bits): a softmax over 2048 keys, a
// mean over a hidden dimension or a normalization's variance computed in
// bf16 is wrong by whole factors. Frameworks accumulate such reductions in
// f32 and round once; so does Loom: for the ops below, f16/bf16 inputs are
// extended to f32 before the op's handler runs and its f32 results are
// rounded back to the 16-bit type, which is what the graph declares.
// Activations that the importer builds from several float ops (sigmoid is
// 1 / (1 + exp(-x))) are widened too: in bf16 every step would round, and
// a bf16 SiLU came out one ulp off the correctly rounded value in a quarter
// of its elements; PyTorch computes them in f32 and rounds once.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::loom::onnx_import {

namespace {

constexpr int32_t kOnnxFloat = 1, kOnnxFloat16 = 10, kOnnxBFloat16 = 16;

bool computesInF32(StringRef domain, StringRef opType) {
  static constexpr StringLiteral kOnnx[] = {
      "Softmax",         "LogSoftmax",         "ReduceSum",
      "ReduceMean",      "ReduceSumSquare",    "ReduceL1",
      "ReduceL2",        "ReduceLogSum",       "ReduceLogSumExp",
      "LayerNormalization", "RMSNormalization", "GroupNormalization",
      "InstanceNormalization", "CumSum",
      // Composite activations.
      "Sigmoid", "HardSigmoid", "HardSwish", "Gelu", "Softplus", "Softsign",
      "Mish", "Elu", "Selu", "Celu"};
  static constexpr StringLiteral kMicrosoft[] = {
      "SkipLayerNormalization", "SimplifiedLayerNormalization",
      "SkipSimplifiedLayerNormalization"};
  if (domain.empty())
    return llvm::is_contained(kOnnx, opType);
  if (domain == "com.microsoft")
    return llvm::is_contained(kMicrosoft, opType);
  return false;
}

Value convert(OpBuilder &b, Location loc, Value v, Type to) {
  FailureOr<Value> r = buildElementwise(
      b, loc, ValueRange{v}, to,
      [&](OpBuilder &nb, Location l, ValueRange x) -> Value {
        if (to.getIntOrFloatBitWidth() > x[0].getType().getIntOrFloatBitWidth())
          return arith::ExtFOp::create(nb, l, to, x[0]);
        return arith::TruncFOp::create(nb, l, to, x[0]);
      });
  return succeeded(r) ? *r : Value();
}

} // namespace

WidenedInputs widenInputs(GraphImporter &g, const onnx::NodeProto &node,
                          StringRef domain, OpBuilder &b, Location loc) {
  WidenedInputs w;
  if (!computesInF32(domain, node.op_type()))
    return w;
  Type f32 = b.getF32Type();
  for (int i = 0; i < node.input_size(); ++i) {
    const ValueInfo *info =
        node.input(i).empty() ? nullptr : g.lookup(node.input(i));
    if (!info || !info->isTensor() || !info->value)
      continue;
    auto type = dyn_cast<RankedTensorType>(info->value.getType());
    if (!type || !(type.getElementType().isF16() ||
                   type.getElementType().isBF16()))
      continue;
    Value wide = convert(b, loc, info->value, f32);
    if (!wide)
      continue;
    if (!w.narrow) {
      w.narrow = type.getElementType();
      w.narrowOnnx = w.narrow.isF16() ? kOnnxFloat16 : kOnnxBFloat16;
    }
    w.saved.push_back({node.input(i), *info});
    g.define(node.input(i), ValueInfo{wide, {}, kOnnxFloat});
  }
  return w;
}

void restoreInputs(GraphImporter &g, const onnx::NodeProto &node,
                   OpBuilder &b, Location loc, const WidenedInputs &w) {
  if (!w.narrow)
    return;
  for (const auto &[name, info] : w.saved)
    g.define(name, info);
  for (const std::string &name : node.output()) {
    const ValueInfo *info = name.empty() ? nullptr : g.lookup(name);
    if (!info || !info->isTensor() || !info->value)
      continue;
    auto type = dyn_cast<RankedTensorType>(info->value.getType());
    if (!type || !type.getElementType().isF32())
      continue;
    if (Value narrow = convert(b, loc, info->value, w.narrow))
      g.define(name, ValueInfo{narrow, {}, w.narrowOnnx});
  }
}

} // namespace mlir::loom::onnx_import
