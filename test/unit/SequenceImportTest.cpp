//===- SequenceImportTest.cpp - Sequence/optional graph inputs and outputs -===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// ONNX's textual syntax (1.12) has no sequence or optional types, so models
// with sequence/optional graph inputs are built with the protobuf API here.
// Checks the import options (sequence lengths, element ranks, absent
// optionals), the flattened entry signature, and the errors for a missing
// length and for options that name no such input.
//
//===----------------------------------------------------------------------===//

#include "loom/Import/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

using namespace mlir;
namespace oi = mlir::loom::onnx_import;

namespace {

/// A graph `(seq(float[?]) S, float[3] X) => (seq Y, int64 L)` with
/// Y = SequenceInsert(S, X) and L = SequenceLength(Y); the elements of S
/// have no declared shape unless `elemRank` >= 0.
onnx::ModelProto sequenceModel(int elemRank) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto *o = m.add_opset_import();
  o->set_domain("");
  o->set_version(17);
  auto *g = m.mutable_graph();
  g->set_name("g");
  auto *s = g->add_input();
  s->set_name("S");
  auto *et = s->mutable_type()->mutable_sequence_type()->mutable_elem_type()
                 ->mutable_tensor_type();
  et->set_elem_type(onnx::TensorProto::FLOAT);
  if (elemRank >= 0) {
    et->mutable_shape();
    for (int d = 0; d < elemRank; ++d)
      et->mutable_shape()->add_dim()->set_dim_value(3);
  }
  auto *x = g->add_input();
  x->set_name("X");
  auto *xt = x->mutable_type()->mutable_tensor_type();
  xt->set_elem_type(onnx::TensorProto::FLOAT);
  xt->mutable_shape()->add_dim()->set_dim_value(3);
  auto *n = g->add_node();
  n->set_op_type("SequenceInsert");
  n->add_input("S");
  n->add_input("X");
  n->add_output("Y");
  auto *l = g->add_node();
  l->set_op_type("SequenceLength");
  l->add_input("Y");
  l->add_output("L");
  auto *y = g->add_output();
  y->set_name("Y");
  *y->mutable_type() = s->type();
  auto *lo = g->add_output();
  lo->set_name("L");
  lo->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::INT64);
  lo->mutable_type()->mutable_tensor_type()->mutable_shape();
  return m;
}

/// `(optional(float[4]) O) => (bool H)` with H = OptionalHasElement(O).
onnx::ModelProto optionalModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto *o = m.add_opset_import();
  o->set_domain("");
  o->set_version(16);
  auto *g = m.mutable_graph();
  g->set_name("g");
  auto *in = g->add_input();
  in->set_name("O");
  auto *tt = in->mutable_type()->mutable_optional_type()->mutable_elem_type()
                 ->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  auto *n = g->add_node();
  n->set_op_type("OptionalHasElement");
  n->add_input("O");
  n->add_output("H");
  auto *out = g->add_output();
  out->set_name("H");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::BOOL);
  out->mutable_type()->mutable_tensor_type()->mutable_shape();
  return m;
}

/// `(bool C, float[4] X) => (int64 L)`: S = If(cond) yields a sequence of two
/// X in then_branch and of one X in else_branch; L = SequenceLength(S). The
/// condition is the constant true when `constantCond`, else input C.
onnx::ModelProto ifModel(bool constantCond) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto *o = m.add_opset_import();
  o->set_domain("");
  o->set_version(16);
  auto *g = m.mutable_graph();
  g->set_name("g");
  auto *c = g->add_input();
  c->set_name("C");
  c->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::BOOL);
  c->mutable_type()->mutable_tensor_type()->mutable_shape();
  auto *x = g->add_input();
  x->set_name("X");
  auto *xt = x->mutable_type()->mutable_tensor_type();
  xt->set_elem_type(onnx::TensorProto::FLOAT);
  xt->mutable_shape()->add_dim()->set_dim_value(4);
  std::string cond = "C";
  if (constantCond) {
    auto *k = g->add_node();
    k->set_op_type("Constant");
    k->add_output("K");
    auto *a = k->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::BOOL);
    a->mutable_t()->add_int32_data(1);
    cond = "K";
  }
  onnx::TypeProto seqType;
  *seqType.mutable_sequence_type()->mutable_elem_type() = x->type();
  auto *n = g->add_node();
  n->set_op_type("If");
  n->add_input(cond);
  n->add_output("S");
  for (int branch = 0; branch < 2; ++branch) {
    auto *a = n->add_attribute();
    a->set_name(branch == 0 ? "then_branch" : "else_branch");
    a->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto *b = a->mutable_g();
    b->set_name(a->name());
    auto *sc = b->add_node();
    sc->set_op_type("SequenceConstruct");
    sc->add_input("X");
    if (branch == 0)
      sc->add_input("X");
    sc->add_output("s" + std::to_string(branch));
    auto *out = b->add_output();
    out->set_name("s" + std::to_string(branch));
    *out->mutable_type() = seqType;
  }
  auto *l = g->add_node();
  l->set_op_type("SequenceLength");
  l->add_input("S");
  l->add_output("L");
  auto *lo = g->add_output();
  lo->set_name("L");
  lo->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::INT64);
  lo->mutable_type()->mutable_tensor_type()->mutable_shape();
  return m;
}

struct Result {
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> errors;
};

Result importModel(MLIRContext &ctx, const onnx::ModelProto &m,
                   const oi::ImportOptions &options) {
  Result r;
  ScopedDiagnosticHandler h(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      r.errors.push_back(d.str());
    return success();
  });
  std::string bytes = m.SerializeAsString();
  auto mod = oi::importOnnxBytes(&ctx, bytes.data(), bytes.size(), "test",
                                 options);
  if (succeeded(mod))
    r.module = std::move(*mod);
  return r;
}

std::vector<std::string> names(func::FuncOp f, bool args) {
  std::vector<std::string> out;
  unsigned n = args ? f.getNumArguments() : f.getNumResults();
  for (unsigned i = 0; i < n; ++i) {
    auto a = args ? f.getArgAttrOfType<StringAttr>(i, "loom.name")
                  : f.getResultAttrOfType<StringAttr>(i, "loom.name");
    out.push_back(a ? a.str() : "");
  }
  return out;
}

TEST(SequenceImport, InputWithoutLengthIsAClearError) {
  MLIRContext ctx;
  Result r = importModel(ctx, sequenceModel(1), {});
  ASSERT_FALSE(r.module);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("graph input 'S' is a sequence; its length must "
                             "be known at compile time"),
            std::string::npos)
      << r.errors[0];
  EXPECT_NE(r.errors[0].find("--sequence-length S=N"), std::string::npos);
}

TEST(SequenceImport, SequenceIsFlattenedIntoEntryTensors) {
  MLIRContext ctx;
  oi::ImportOptions options;
  options.sequenceLengths["S"] = 2;
  Result r = importModel(ctx, sequenceModel(1), options);
  ASSERT_TRUE(r.module) << (r.errors.empty() ? "" : r.errors[0]);
  auto f = r.module->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(f);
  EXPECT_EQ(names(f, true), (std::vector<std::string>{"S.0", "S.1", "X"}));
  // The inserted X is the third element; L folds to the constant 3.
  EXPECT_EQ(names(f, false),
            (std::vector<std::string>{"Y.0", "Y.1", "Y.2", "L"}));
  EXPECT_EQ(f.getArgument(0).getType(),
            RankedTensorType::get({3}, Float32Type::get(&ctx)));
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  EXPECT_EQ(ret.getOperand(0), f.getArgument(0));
  EXPECT_EQ(ret.getOperand(2), f.getArgument(2));
}

TEST(SequenceImport, UnshapedElementsNeedARank) {
  MLIRContext ctx;
  oi::ImportOptions options;
  options.sequenceLengths["S"] = 1;
  Result r = importModel(ctx, sequenceModel(-1), options);
  ASSERT_FALSE(r.module);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("--sequence-elem-rank S=R"), std::string::npos)
      << r.errors[0];

  MLIRContext ctx2;
  options.sequenceElemRanks["S"] = 2;
  Result ok = importModel(ctx2, sequenceModel(-1), options);
  ASSERT_TRUE(ok.module) << (ok.errors.empty() ? "" : ok.errors[0]);
  auto f = ok.module->lookupSymbol<func::FuncOp>("main");
  auto t = cast<RankedTensorType>(f.getArgument(0).getType());
  EXPECT_EQ(t.getRank(), 2);
  EXPECT_TRUE(t.isDynamicDim(0) && t.isDynamicDim(1));
}

TEST(SequenceImport, EmptySequenceTakesNoInputs) {
  MLIRContext ctx;
  oi::ImportOptions options;
  options.sequenceLengths["S"] = 0;
  Result r = importModel(ctx, sequenceModel(-1), options);
  ASSERT_TRUE(r.module) << (r.errors.empty() ? "" : r.errors[0]);
  auto f = r.module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(names(f, true), (std::vector<std::string>{"X"}));
  EXPECT_EQ(names(f, false), (std::vector<std::string>{"Y.0", "L"}));
}

TEST(SequenceImport, OptionalPresentAndAbsent) {
  MLIRContext ctx;
  Result present = importModel(ctx, optionalModel(), {});
  ASSERT_TRUE(present.module);
  auto f = present.module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(names(f, true), (std::vector<std::string>{"O"}));

  MLIRContext ctx2;
  oi::ImportOptions options;
  options.absentOptionals.insert("O");
  Result absent = importModel(ctx2, optionalModel(), options);
  ASSERT_TRUE(absent.module);
  auto g = absent.module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(g.getNumArguments(), 0u);
  EXPECT_EQ(g.getNumResults(), 1u);
}

TEST(SequenceImport, OptionsMustNameSuchInputs) {
  MLIRContext ctx;
  oi::ImportOptions options;
  options.sequenceLengths["S"] = 1;
  options.absentOptionals.insert("S"); // A sequence, not an optional.
  Result r = importModel(ctx, sequenceModel(1), options);
  ASSERT_FALSE(r.module);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("import option names 'S' as an optional input"),
            std::string::npos)
      << r.errors[0];

  MLIRContext ctx2;
  oi::ImportOptions typo;
  typo.sequenceLengths["s"] = 1;
  Result t = importModel(ctx2, sequenceModel(1), typo);
  ASSERT_FALSE(t.module);
  EXPECT_NE(t.errors[0].find("'s' as a sequence input"), std::string::npos);
}

TEST(SequenceImport, IfWithConstantConditionImportsTheTakenBranch) {
  MLIRContext ctx;
  Result r = importModel(ctx, ifModel(/*constantCond=*/true), {});
  ASSERT_TRUE(r.module) << (r.errors.empty() ? "" : r.errors[0]);
  auto f = r.module->lookupSymbol<func::FuncOp>("main");
  bool hasIf = false;
  f.walk([&](Operation *op) {
    hasIf |= op->getName().getStringRef() == "scf.if";
  });
  EXPECT_FALSE(hasIf);
  // L is the length of the then_branch's sequence, folded to 2.
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  auto cst = ret.getOperand(0).getDefiningOp();
  ASSERT_TRUE(cst);
  auto value = cst->getAttrOfType<DenseElementsAttr>("value");
  ASSERT_TRUE(value);
  EXPECT_EQ((*value.getValues<APInt>().begin()).getSExtValue(), 2);
}

TEST(SequenceImport, IfWithRuntimeConditionNeedsEqualLengths) {
  MLIRContext ctx;
  Result r = importModel(ctx, ifModel(/*constantCond=*/false), {});
  ASSERT_FALSE(r.module);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("output 0 is a sequence of 2 in then_branch but "
                             "a sequence of 1 in else_branch"),
            std::string::npos)
      << r.errors[0];
}

} // namespace
