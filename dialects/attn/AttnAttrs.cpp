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

void LoomAttnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/attn/AttnAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// PatternAttr
//===----------------------------------------------------------------------===//

// Syntax: `<` item (`,` item)* `>` with item one of `causal`,
// `window = N`, `sinks = N`, each at most once, in any order. The printer
// writes them in that order, leaving out what is absent.
Attribute PatternAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  bool causal = false;
  std::optional<int64_t> window;
  std::optional<int64_t> sinks;

  auto parseItem = [&]() -> ParseResult {
    SMLoc itemLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return failure();
    if (key == "causal") {
      if (causal)
        return parser.emitError(itemLoc, "'causal' given twice");
      causal = true;
      return success();
    }
    std::optional<int64_t> *slot = key == "window"  ? &window
                                   : key == "sinks" ? &sinks
                                                    : nullptr;
    if (!slot)
      return parser.emitError(itemLoc, "expected 'causal', 'window' or "
                                       "'sinks', got '")
             << key << "'";
    if (slot->has_value())
      return parser.emitError(itemLoc, "'") << key << "' given twice";
    int64_t value;
    if (parser.parseEqual() || parser.parseInteger(value))
      return failure();
    *slot = value;
    return success();
  };

  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::LessGreater,
                                     parseItem))
    return {};
  return PatternAttr::getChecked(
      [&] { return parser.emitError(loc); }, parser.getContext(), causal,
      window, sinks.value_or(0));
}

void PatternAttr::print(AsmPrinter &printer) const {
  SmallVector<std::string, 3> items;
  if (getCausal())
    items.push_back("causal");
  if (std::optional<int64_t> window = getWindow())
    items.push_back("window = " + std::to_string(*window));
  if (getSinks() != 0)
    items.push_back("sinks = " + std::to_string(getSinks()));
  printer << "<";
  llvm::interleaveComma(items, printer);
  printer << ">";
}

LogicalResult
PatternAttr::verify(function_ref<InFlightDiagnostic()> emitError, bool causal,
                    std::optional<int64_t> window, int64_t sinks) {
  // Dense attention is written without a pattern, so that "no pattern" has
  // one spelling and passes need test only for the attribute's presence.
  if (!causal && !window)
    return emitError() << "pattern must be causal or have a window; "
                          "dense attention carries no pattern";
  if (window && *window < 1)
    return emitError() << "window must be at least 1, got " << *window;
  if (sinks < 0)
    return emitError() << "sinks must be non-negative, got " << sinks;
  // Without a window every key is visible anyway: sinks would mean nothing.
  if (sinks > 0 && !window)
    return emitError() << "sinks need a window";
  return success();
}

bool PatternAttr::isVisible(int64_t query, int64_t key) const {
  if (getCausal() && key > query)
    return false;
  std::optional<int64_t> window = getWindow();
  if (!window || key < getSinks())
    return true;
  int64_t distance = query >= key ? query - key : key - query;
  return distance < *window;
}
