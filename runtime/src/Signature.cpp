//===- Signature.cpp - Checks tensors against entry-point metadata --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Signature.h"

#include "Status.h"
#include "Tensor.h"

using namespace loom;

const SymbolBindings::Binding *
SymbolBindings::find(const std::string &symbol) const {
  for (const Binding &b : bindings_)
    if (b.symbol == symbol)
      return &b;
  return nullptr;
}

void SymbolBindings::bind(const std::string &symbol, int64_t size,
                          std::string boundBy) {
  bindings_.push_back(Binding{symbol, size, std::move(boundBy)});
}

std::string loom::formatShape(const int64_t *shape, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string loom::formatSpec(const TensorMeta &t) {
  std::string s = "[";
  for (size_t i = 0; i < t.dims.size(); ++i) {
    s += i ? ", " : "";
    if (t.dims[i] >= 0)
      s += std::to_string(t.dims[i]);
    else
      s += "?" + t.symbols[i];
  }
  return s + "]";
}

static std::string describe(const char *kind, size_t index,
                            const TensorMeta &t) {
  return std::string(kind) + " " + std::to_string(index) + " ('" + t.name +
         "')";
}

// Shared by inputs and outputs: static dims and symbols.
static loom_status_t checkDims(const std::string &entryName,
                               const std::string &who, const TensorMeta &meta,
                               const int64_t *sizes, SymbolBindings &bindings,
                               loom_status_code_t code) {
  for (size_t d = 0; d < meta.dims.size(); ++d) {
    std::string where = who + " dim " + std::to_string(d);
    if (meta.dims[d] >= 0 && sizes[d] != meta.dims[d])
      return makeStatus(code, "entry '" + entryName + "' " + where + " is " +
                                  std::to_string(sizes[d]) + ", expected " +
                                  std::to_string(meta.dims[d]) + " (shape " +
                                  formatSpec(meta) + ")");
    const std::string &sym = meta.symbols[d];
    if (sym.empty())
      continue;
    if (const SymbolBindings::Binding *b = bindings.find(sym)) {
      if (b->size != sizes[d])
        return makeStatus(
            code, "entry '" + entryName + "': symbolic dim '" + sym + "' is " +
                      std::to_string(b->size) + " from " + b->boundBy +
                      " but " + std::to_string(sizes[d]) + " from " + where);
    } else {
      bindings.bind(sym, sizes[d], where);
    }
  }
  return nullptr;
}

loom_status_t loom::checkInputs(const EntryMeta &entry,
                                loom_tensor_t *const *inputs, size_t numInputs,
                                SymbolBindings &bindings) {
  if (numInputs != entry.inputs.size())
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "entry '" + entry.name + "' takes " +
                          std::to_string(entry.inputs.size()) +
                          " inputs, got " + std::to_string(numInputs));
  if (numInputs && !inputs)
    return makeStatus(LOOM_INVALID_ARGUMENT, "null input array");
  for (size_t i = 0; i < numInputs; ++i) {
    const TensorMeta &meta = entry.inputs[i];
    const loom_tensor_t *t = inputs[i];
    std::string who = describe("input", i, meta);
    if (!t)
      return makeStatus(LOOM_INVALID_ARGUMENT,
                        "entry '" + entry.name + "' " + who + " is null");
    if (t->dtype != meta.dtype)
      return makeStatus(LOOM_INVALID_ARGUMENT,
                        "entry '" + entry.name + "' " + who + " has dtype " +
                            loom_dtype_name(t->dtype) + ", expected " +
                            loom_dtype_name(meta.dtype));
    if (t->shape.size() != meta.dims.size())
      return makeStatus(LOOM_INVALID_ARGUMENT,
                        "entry '" + entry.name + "' " + who + " has rank " +
                            std::to_string(t->shape.size()) + " (shape " +
                            formatShape(t->shape.data(), t->shape.size()) +
                            "), expected rank " +
                            std::to_string(meta.dims.size()) + " " +
                            formatSpec(meta));
    if (loom_status_t st = checkDims(entry.name, who, meta, t->shape.data(),
                                     bindings, LOOM_INVALID_ARGUMENT))
      return st;
  }
  return nullptr;
}

loom_status_t loom::checkOutputShape(const EntryMeta &entry, size_t index,
                                     const int64_t *sizes,
                                     SymbolBindings &bindings) {
  const TensorMeta &meta = entry.outputs[index];
  std::string who = describe("output", index, meta);
  for (size_t d = 0; d < meta.dims.size(); ++d)
    if (sizes[d] < 0)
      return makeStatus(LOOM_INTERNAL, "entry '" + entry.name +
                                           "': compiled "
                                           "code returned negative size " +
                                           std::to_string(sizes[d]) + " for " +
                                           who);
  if (loom_status_t st =
          checkDims(entry.name, who, meta, sizes, bindings, LOOM_INTERNAL))
    return annotate(st, "compiled code broke its metadata");
  return nullptr;
}
