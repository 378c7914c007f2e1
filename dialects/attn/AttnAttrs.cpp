//===- AttnAttrs.cpp - Attributes of the loom_attn dialect ----------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom::attn;

#define GET_ATTRDEF_CLASSES
#include "dialects/attn/AttnAttrs.cpp.inc"

// The storage classes are defined by the .cpp.inc above, so registration has
// to happen in this file (LoomAttnDialect::initialize calls it).
void LoomAttnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/attn/AttnAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// BlockSparseAttr
//===----------------------------------------------------------------------===//

LogicalResult
BlockSparseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t qBlock, int64_t kvBlock,
                        DenseElementsAttr layout) {
  if (qBlock <= 0)
    return emitError() << "q_block must be positive, got " << qBlock;
  if (kvBlock <= 0)
    return emitError() << "kv_block must be positive, got " << kvBlock;
  ShapedType type = layout.getType();
  if (!type.getElementType().isInteger(1))
    return emitError() << "layout must be a tensor of i1, got " << type;
  if (type.getRank() != 3)
    return emitError() << "layout must have rank 3 [heads, q_blocks, "
                          "kv_blocks], got "
                       << type;
  // An empty layout would describe attention over nothing.
  if (llvm::is_contained(type.getShape(), 0))
    return emitError() << "layout dimensions must be positive, got " << type;
  return success();
}

int64_t BlockSparseAttr::getNumHeads() const {
  return getLayout().getType().getDimSize(0);
}

int64_t BlockSparseAttr::getNumQueryBlocks() const {
  return getLayout().getType().getDimSize(1);
}

int64_t BlockSparseAttr::getNumKeyBlocks() const {
  return getLayout().getType().getDimSize(2);
}

bool BlockSparseAttr::isBlockVisible(int64_t head, int64_t qBlock,
                                     int64_t kvBlock) const {
  int64_t h = getNumHeads() == 1 ? 0 : head;
  uint64_t flat =
      (h * getNumQueryBlocks() + qBlock) * getNumKeyBlocks() + kvBlock;
  return getLayout().getValues<bool>()[flat];
}

//===----------------------------------------------------------------------===//
// StridedAttr
//===----------------------------------------------------------------------===//

LogicalResult
StridedAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                    int64_t block, int64_t stride, ArrayRef<int64_t> offsets) {
  if (block <= 0)
    return emitError() << "block must be positive, got " << block;
  if (stride <= 0)
    return emitError() << "stride must be positive, got " << stride;
  // The textual form cannot spell an empty list; the C++ API can.
  if (offsets.empty())
    return emitError() << "offsets must have at least one entry";
  for (auto [head, offset] : llvm::enumerate(offsets))
    if (offset < 0 || offset >= stride)
      return emitError() << "offset " << offset << " of head " << head
                         << " must be in [0, " << stride << ")";
  return success();
}

int64_t StridedAttr::getOffsetForHead(int64_t head) const {
  ArrayRef<int64_t> offsets = getOffsets();
  return offsets.size() == 1 ? offsets.front() : offsets[head];
}

bool StridedAttr::isBlockVisible(int64_t head, int64_t kvBlock) const {
  return kvBlock % getStride() == getOffsetForHead(head);
}
