//===- FunctionExpansion.cpp - Inline ONNX function ops -------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Many ONNX ops (the losses, Celu, MeanVarianceNormalization, ...) and all
// model-local functions are defined as a FunctionProto over simpler ops. An
// op without its own handler is expanded into that body (with fresh value
// names and attribute references resolved) and the body is imported.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "onnx/defs/schema.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

/// TypeProto for an imported value (for context-dependent function bodies).
onnx::TypeProto typeOf(GraphImporter &g, StringRef name) {
  onnx::TypeProto tp;
  const ValueInfo *v = g.lookup(name);
  if (!v || !v->isTensor())
    return tp; // Sequences/optionals: the declared type, if any, applies.
  auto *tt = tp.mutable_tensor_type();
  int32_t et = v->onnxElemType;
  if (!et)
    if (const onnx::TypeProto *t = g.onnxType(name))
      et = t->tensor_type().elem_type();
  tt->set_elem_type(et);
  auto *shape = tt->mutable_shape();
  for (int64_t d : cast<RankedTensorType>(v->value.getType()).getShape()) {
    auto *dim = shape->add_dim();
    if (!ShapedType::isDynamic(d))
      dim->set_dim_value(d);
  }
  return tp;
}

} // namespace

FailureOr<bool> GraphImporter::expandFunction(const onnx::NodeProto &node,
                                              OpBuilder &b, int64_t opset) {
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  onnx::FunctionProto fn;
  bool found = false;
  // Model-local functions first, then ONNX's own function-defined ops.
  for (const auto &f : model.functions())
    if (f.name() == node.op_type() && f.domain() == node.domain()) {
      fn = f;
      found = true;
      break;
    }
  if (!found) {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), opset, domain);
    if (!schema)
      return false;
    try {
      if (schema->HasContextDependentFunction()) {
        std::vector<onnx::TypeProto> types;
        for (const auto &in : node.input())
          types.push_back(in.empty() ? onnx::TypeProto() : typeOf(*this, in));
        onnx::FunctionBodyBuildContextImpl fctx(node, types);
        found = schema->BuildContextDependentFunction(fctx, fn);
      } else if (schema->HasFunction()) {
        fn = *schema->GetFunction();
        found = true;
      }
    } catch (const std::exception &) {
      found = false;
    }
  }
  if (!found)
    return false;
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), opset, domain);

  // Rename: formals -> actuals, locals -> fresh names.
  std::string prefix = "__" + node.op_type() + std::to_string(expansions++) + "/";
  std::map<std::string, std::string> names;
  for (int i = 0; i < fn.input_size(); ++i)
    names[fn.input(i)] = i < node.input_size() ? node.input(i) : "";
  for (int i = 0; i < fn.output_size(); ++i)
    names[fn.output(i)] = i < node.output_size() ? node.output(i) : "";
  auto rename = [&](const std::string &s) -> std::string {
    if (s.empty())
      return s;
    auto it = names.find(s);
    return it != names.end() ? it->second : prefix + s;
  };
  std::map<std::string, const onnx::AttributeProto *> attrs;
  for (const auto &a : node.attribute())
    attrs[a.name()] = &a;

  onnx::GraphProto body;
  for (const auto &fnode : fn.node()) {
    onnx::NodeProto *nn = body.add_node();
    *nn = fnode;
    nn->set_name((node.name().empty() ? node.op_type() : node.name()) + "/" + (fnode.name().empty() ? fnode.op_type()
                                                           : fnode.name()));
    for (auto &in : *nn->mutable_input())
      in = rename(in);
    for (auto &out : *nn->mutable_output())
      out = rename(out);
    nn->clear_attribute();
    for (const auto &a : fnode.attribute()) {
      if (a.ref_attr_name().empty()) {
        *nn->add_attribute() = a;
        continue;
      }
      auto it = attrs.find(a.ref_attr_name());
      const onnx::AttributeProto *src = it != attrs.end() ? it->second : nullptr;
      if (!src && schema) {
        // Not given on the node: the outer op's declared default applies.
        auto def = schema->attributes().find(a.ref_attr_name());
        if (def != schema->attributes().end() &&
            def->second.default_value.type() != 0)
          src = &def->second.default_value;
      }
      if (!src)
        continue; // The inner op's own default applies.
      onnx::AttributeProto *na = nn->add_attribute();
      *na = *src;
      na->set_name(a.name());
    }
  }
  // Keep the expanded body alive: Constant nodes inside hand their bytes to
  // resources that outlive this call.
  expandedBodies.push_back(std::make_unique<onnx::GraphProto>(std::move(body)));
  if (failed(importNodes(*expandedBodies.back(), b)))
    return failure();
  return true;
}
