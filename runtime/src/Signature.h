//===- Signature.h - Checks tensors against entry-point metadata -*- C++
//-*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Device-independent: every device checks inputs, and the shapes its
// compiled code returns, the same way.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_SIGNATURE_H
#define LOOM_RUNTIME_SRC_SIGNATURE_H

#include "ArtifactReader.h"

#include <string>
#include <utility>
#include <vector>

namespace loom {

// Sizes bound to dim symbols during one invocation, with who bound them.
class SymbolBindings {
public:
  struct Binding {
    std::string symbol;
    int64_t size;
    std::string boundBy; // "input 0 ('x') dim 1"
  };
  void clear() { bindings_.clear(); }
  const Binding *find(const std::string &symbol) const;
  void bind(const std::string &symbol, int64_t size, std::string boundBy);

private:
  std::vector<Binding> bindings_;
};

// Count, non-null, dtype, rank, static dims and symbol consistency.
loom_status_t checkInputs(const EntryMeta &entry, loom_tensor_t *const *inputs,
                          size_t numInputs, SymbolBindings &bindings);

// Checks that `sizes` returned by compiled code for output `index` fit the
// metadata and the bindings (binding symbols seen only in outputs). A
// mismatch is the compiled code's fault: LOOM_INTERNAL.
loom_status_t checkOutputShape(const EntryMeta &entry, size_t index,
                               const int64_t *sizes, SymbolBindings &bindings);

// "[2, ?batch, 3]" for messages.
std::string formatSpec(const TensorMeta &t);
std::string formatShape(const int64_t *shape, size_t rank);

} // namespace loom

#endif // LOOM_RUNTIME_SRC_SIGNATURE_H
