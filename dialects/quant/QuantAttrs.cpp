//===- QuantAttrs.cpp - The #loom_quant.scheme attribute -------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/quant/QuantDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom::quant;

#include "dialects/quant/QuantEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/quant/QuantAttrs.cpp.inc"

void LoomQuantDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/quant/QuantAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Storage properties
//===----------------------------------------------------------------------===//

unsigned SchemeAttr::getStorageBitWidth() const {
  switch (getStorage()) {
  case StorageType::i4:
  case StorageType::u4:
    return 4;
  default:
    return 8;
  }
}

bool SchemeAttr::isFloatStorage() const {
  return getStorage() == StorageType::f8E4M3FN ||
         getStorage() == StorageType::f8E5M2;
}

bool SchemeAttr::isSignedStorage() const {
  return getStorage() == StorageType::i4 || getStorage() == StorageType::i8;
}

int64_t SchemeAttr::getQMin() const {
  unsigned bits = getStorageBitWidth();
  return isSignedStorage() ? -(int64_t(1) << (bits - 1)) : 0;
}

int64_t SchemeAttr::getQMax() const {
  unsigned bits = getStorageBitWidth();
  return isSignedStorage() ? (int64_t(1) << (bits - 1)) - 1
                           : (int64_t(1) << bits) - 1;
}

Type SchemeAttr::getStorageElementType(MLIRContext *ctx) const {
  switch (getStorage()) {
  case StorageType::f8E4M3FN:
    return Float8E4M3FNType::get(ctx);
  case StorageType::f8E5M2:
    return Float8E5M2Type::get(ctx);
  default:
    return IntegerType::get(ctx, getStorageBitWidth());
  }
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult
SchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   StorageType storage, Granularity granularity, int64_t axis,
                   int64_t groupSize, bool hasZeroPoint, bool packed) {
  bool isFloat =
      storage == StorageType::f8E4M3FN || storage == StorageType::f8E5M2;
  bool is4Bit = storage == StorageType::i4 || storage == StorageType::u4;
  if (granularity != Granularity::per_tensor && axis < 0)
    return emitError() << "quantization axis must be non-negative, got "
                       << axis;
  if (granularity == Granularity::per_group && groupSize <= 0)
    return emitError() << "group size must be positive, got " << groupSize;
  if (granularity != Granularity::per_group && groupSize != 0)
    return emitError() << "group size is only meaningful for per_group";
  if (granularity == Granularity::per_tensor && axis != 0)
    return emitError() << "per_tensor quantization has no axis";
  if (hasZeroPoint && isFloat)
    return emitError() << "8-bit float storage '" << stringifyEnum(storage)
                       << "' cannot have a zero point";
  if (packed && !is4Bit)
    return emitError() << "only 4-bit storage can be packed, not '"
                       << stringifyEnum(storage) << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// Assembly: #loom_quant.scheme<u4, per_group(axis = 1, size = 32),
//                              zero_point, packed>
//===----------------------------------------------------------------------===//

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  if (parser.parseLess())
    return {};
  SMLoc storageLoc = parser.getCurrentLocation();
  StringRef storageName;
  if (parser.parseKeyword(&storageName))
    return {};
  std::optional<StorageType> storage = symbolizeStorageType(storageName);
  if (!storage) {
    parser.emitError(storageLoc)
        << "unknown storage type '" << storageName
        << "', expected one of i4, u4, i8, u8, f8E4M3FN, f8E5M2";
    return {};
  }

  Granularity granularity = Granularity::per_tensor;
  int64_t axis = 0, groupSize = 0;
  bool hasZeroPoint = false, packed = false, sawGranularity = false;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef word;
    if (parser.parseKeyword(&word))
      return {};
    if (word == "zero_point" && !hasZeroPoint) {
      hasZeroPoint = true;
    } else if (word == "packed" && !packed) {
      packed = true;
    } else if (word == "per_tensor" && !sawGranularity) {
      sawGranularity = true;
    } else if ((word == "per_channel" || word == "per_group") &&
               !sawGranularity) {
      sawGranularity = true;
      granularity = word == "per_channel" ? Granularity::per_channel
                                          : Granularity::per_group;
      if (parser.parseLParen() || parser.parseKeyword("axis") ||
          parser.parseEqual() || parser.parseInteger(axis))
        return {};
      if (granularity == Granularity::per_group &&
          (parser.parseComma() || parser.parseKeyword("size") ||
           parser.parseEqual() || parser.parseInteger(groupSize)))
        return {};
      if (parser.parseRParen())
        return {};
    } else {
      parser.emitError(loc) << "unexpected or repeated '" << word
                            << "' in quantization scheme";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<SchemeAttr>(ctx, *storage, granularity, axis,
                                       groupSize, hasZeroPoint, packed);
}

void SchemeAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyEnum(getStorage());
  switch (getGranularity()) {
  case Granularity::per_tensor:
    break;
  case Granularity::per_channel:
    printer << ", per_channel(axis = " << getAxis() << ")";
    break;
  case Granularity::per_group:
    printer << ", per_group(axis = " << getAxis()
            << ", size = " << getGroupSize() << ")";
    break;
  }
  if (getHasZeroPoint())
    printer << ", zero_point";
  if (getPacked())
    printer << ", packed";
  printer << ">";
}
