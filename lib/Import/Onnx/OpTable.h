//===- OpTable.h - Registry of ONNX op handlers -----------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Handlers are keyed by (domain, op_type, since_version). A node whose
// resolved opset is V uses the entry with the largest since_version <= V, so
// an op whose attributes moved to inputs (Squeeze, Split, ReduceSum, ...) has
// one entry per signature. The same table prints `loomc --list-ops` and
// docs/onnx-support.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_IMPORT_ONNX_OPTABLE_H
#define LOOM_LIB_IMPORT_ONNX_OPTABLE_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::loom::onnx_import {

class NodeImporter;
using OpHandler = LogicalResult (*)(NodeImporter &);

struct OpEntry {
  std::string domain; // "" is the default ai.onnx domain.
  std::string opType;
  int64_t sinceVersion;
  OpHandler handler;
};

class OpTable {
public:
  void add(StringRef domain, StringRef opType, int64_t since, OpHandler h) {
    entries.push_back({domain.str(), opType.str(), since, h});
  }
  /// Entry for `opType` at `opset`, or null. `known` tells whether the op
  /// exists in the table at all (unknown op vs. unsupported opset).
  const OpEntry *lookup(StringRef domain, StringRef opType, int64_t opset,
                        bool &known) const;
  void print(llvm::raw_ostream &os, bool markdown) const;

  static const OpTable &get();

private:
  std::vector<OpEntry> entries;
};

// One registration function per op family file.
void registerElementwiseOps(OpTable &t);
void registerActivationOps(OpTable &t);
void registerShapeOps(OpTable &t);
void registerGatherScatterOps(OpTable &t);
void registerReductionOps(OpTable &t);
void registerMatMulOps(OpTable &t);
void registerConvPoolOps(OpTable &t);
void registerNormalizationOps(OpTable &t);
void registerControlFlowOps(OpTable &t);
void registerTensorGenOps(OpTable &t);
void registerResizeOps(OpTable &t);
void registerQuantOps(OpTable &t);
void registerTopKOps(OpTable &t);
void registerTrainingOps(OpTable &t);
void registerAttentionOps(OpTable &t);
void registerRecurrentOps(OpTable &t);
void registerSelectionOps(OpTable &t);
void registerGridSampleOps(OpTable &t);
void registerLinearAlgebraOps(OpTable &t);
void registerNmsOps(OpTable &t);
void registerUniqueOps(OpTable &t);
void registerTextOps(OpTable &t);
void registerMaxUnpoolOps(OpTable &t);
void registerRoiAlignOps(OpTable &t);
void registerSequenceOps(OpTable &t);

/// Ops whose handlers accept sequence/optional inputs (the sequence and
/// optional ops, Identity, If, Loop); any other op given one is an error.
bool takesStructuredInputs(StringRef domain, StringRef opType);
void registerRandomOps(OpTable &t);
void registerSignalOps(OpTable &t);

} // namespace mlir::loom::onnx_import

#endif // LOOM_LIB_IMPORT_ONNX_OPTABLE_H
