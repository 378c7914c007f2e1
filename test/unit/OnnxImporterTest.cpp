//===- OnnxImporterTest.cpp - Bad-input handling of the ONNX importer -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Each malformed model must give one clear error (naming the node or the
// initializer) and never crash. Models are built with ONNX's protobuf API and
// written to a fresh temporary folder.
//
//===----------------------------------------------------------------------===//

#include "loom/Import/OnnxImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <fstream>
#include <gtest/gtest.h>

using namespace mlir;

namespace {

class OnnxImporterTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> d;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("loom-onnx-test", d));
    dir = std::string(d);
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string write(const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  /// Model with one input X: float[4] and the given opset.
  static onnx::ModelProto model(int64_t opset = 13) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto *o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    auto *g = m.mutable_graph();
    g->set_name("g");
    auto *in = g->add_input();
    in->set_name("X");
    auto *tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(4);
    auto *out = g->add_output();
    out->set_name("Y");
    *out->mutable_type() = in->type();
    return m;
  }

  static onnx::NodeProto *addNode(onnx::ModelProto &m, const std::string &op,
                                  const std::string &name) {
    auto *n = m.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    n->add_input("X");
    n->add_output("Y");
    return n;
  }

  /// Imports `path`; returns the errors reported (empty on success).
  std::vector<std::string> import(const std::string &path) {
    MLIRContext ctx;
    std::vector<std::string> errors;
    ScopedDiagnosticHandler h(&ctx, [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error)
        errors.push_back(d.str());
      return success();
    });
    auto mod = loom::onnx_import::importOnnxFile(&ctx, path);
    if (succeeded(mod)) {
      EXPECT_TRUE(errors.empty());
      printed.clear();
      llvm::raw_string_ostream os(printed);
      (*mod)->print(os);
    } else {
      EXPECT_FALSE(errors.empty()) << "failure without a diagnostic";
    }
    return errors;
  }

  std::string dir;
  std::string printed;
};

TEST_F(OnnxImporterTest, ValidModelImports) {
  auto m = model();
  addNode(m, "Relu", "relu0");
  auto errors = import(write("ok.onnx", m.SerializeAsString()));
  EXPECT_TRUE(errors.empty());
  EXPECT_NE(printed.find("func.func @main"), std::string::npos);
}

TEST_F(OnnxImporterTest, TruncatedFile) {
  auto m = model();
  addNode(m, "Relu", "relu0");
  std::string bytes = m.SerializeAsString();
  auto errors = import(write("cut.onnx", bytes.substr(0, bytes.size() / 2)));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("not a valid ONNX model"), std::string::npos)
      << errors[0];
}

TEST_F(OnnxImporterTest, NotOnnxBytes) {
  auto errors = import(write("junk.onnx", "\x89PNG\r\n\x1a\n this is an image"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("ONNX model"), std::string::npos) << errors[0];
}

TEST_F(OnnxImporterTest, UnknownOpNamesTheNode) {
  auto m = model();
  addNode(m, "Frobnicate", "frob7");
  auto errors = import(write("unknown.onnx", m.SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("node 'frob7' (op_type 'Frobnicate', domain "
                           "'ai.onnx', opset 13)"),
            std::string::npos)
      << errors[0];
  EXPECT_NE(errors[0].find("--list-ops"), std::string::npos);
}

TEST_F(OnnxImporterTest, UnknownDomain) {
  auto m = model();
  auto *n = addNode(m, "Op", "n0");
  n->set_domain("com.nowhere");
  auto errors = import(write("domain.onnx", m.SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("no opset for domain 'com.nowhere'"),
            std::string::npos)
      << errors[0];
}

TEST_F(OnnxImporterTest, UnsupportedOpset) {
  // Trilu exists from opset 14 on.
  auto m = model(/*opset=*/13);
  addNode(m, "Trilu", "tri");
  auto errors = import(write("opset.onnx", m.SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("node 'tri' (op_type 'Trilu'"), std::string::npos);
  EXPECT_NE(errors[0].find("opset 13 of this op is not supported"),
            std::string::npos)
      << errors[0];
}

TEST_F(OnnxImporterTest, WrongAttributeType) {
  auto m = model();
  auto *n = addNode(m, "LeakyRelu", "lrelu");
  auto *a = n->add_attribute();
  a->set_name("alpha");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("big");
  auto errors = import(write("attr.onnx", m.SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("node 'lrelu' (op_type 'LeakyRelu'"),
            std::string::npos);
  EXPECT_NE(errors[0].find("attribute 'alpha' must be FLOAT but has type "
                           "STRING"),
            std::string::npos)
      << errors[0];
}

TEST_F(OnnxImporterTest, InitializerSizeMismatch) {
  auto m = model();
  auto *n = addNode(m, "Add", "add0");
  n->add_input("W");
  auto *w = m.mutable_graph()->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_raw_data(std::string(8, '\0')); // 2 floats, shape says 4
  auto errors = import(write("init.onnx", m.SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("initializer 'W'"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("holds 8 bytes"), std::string::npos) << errors[0];
}

TEST_F(OnnxImporterTest, ConstantNodeSizeMismatchNamesTheNode) {
  auto m = model();
  auto *c = m.mutable_graph()->add_node();
  c->set_op_type("Constant");
  c->set_name("cst");
  c->add_output("C");
  auto *a = c->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(4);
  a->mutable_t()->add_float_data(1.0f);
  auto *n = addNode(m, "Add", "add0");
  n->add_input("C");
  auto errors = import(write("cst.onnx", m.SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("node 'cst' (op_type 'Constant'"), std::string::npos)
      << errors[0];
}

/// Model whose initializer W (float[1024]) lives in external file `location`.
static onnx::ModelProto externalModel(const std::string &location) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto *g = m.mutable_graph();
  auto *out = g->add_output();
  out->set_name("Y");
  auto *tt = out->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(1024);
  auto *n = g->add_node();
  n->set_op_type("Relu");
  n->set_name("relu");
  n->add_input("W");
  n->add_output("Y");
  auto *w = g->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(1024);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto *kv = w->add_external_data();
  kv->set_key("location");
  kv->set_value(location);
  return m;
}

TEST_F(OnnxImporterTest, ExternalDataEscapingTheFolder) {
  auto errors =
      import(write("ext.onnx", externalModel("../../etc/passwd").SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("initializer 'W'"), std::string::npos) << errors[0];
  EXPECT_TRUE(errors[0].find("escapes the model's folder") != std::string::npos ||
              errors[0].find("not found") != std::string::npos)
      << errors[0];
  errors = import(write("abs.onnx", externalModel("/etc/passwd").SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("must be relative"), std::string::npos) << errors[0];
}

TEST_F(OnnxImporterTest, ExternalDataBecomesResource) {
  write("w.bin", std::string(1024 * 4, '\0'));
  auto errors = import(write("ext.onnx", externalModel("w.bin").SerializeAsString()));
  EXPECT_TRUE(errors.empty());
  EXPECT_NE(printed.find("dense_resource<W>"), std::string::npos);
  // The data file is shorter than the shape needs: one clear error.
  write("short.bin", std::string(16, '\0'));
  errors = import(write("ext2.onnx", externalModel("short.bin").SerializeAsString()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("lies outside"), std::string::npos) << errors[0];
}

TEST_F(OnnxImporterTest, LargeInitializerBecomesResource) {
  auto m = model();
  auto *n = addNode(m, "Add", "add0");
  n->add_input("W");
  auto *w = m.mutable_graph()->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_raw_data(std::string(16, '\0'));
  // Small: a dense splat. Grow X/Y/W to 1024 to cross the resource threshold.
  auto errors = import(write("small.onnx", m.SerializeAsString()));
  EXPECT_TRUE(errors.empty());
  EXPECT_NE(printed.find("dense<0.000000e+00>"), std::string::npos);
  for (auto *vi : {m.mutable_graph()->mutable_input(0), m.mutable_graph()->mutable_output(0)})
    vi->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(1024);
  w->set_dims(0, 1024);
  w->set_raw_data(std::string(4096, '\0'));
  errors = import(write("big.onnx", m.SerializeAsString()));
  EXPECT_TRUE(errors.empty());
  EXPECT_NE(printed.find("dense_resource<W>"), std::string::npos);
}

} // namespace
