//===- MfmaInstr.h - The 16x16 MFMA of each element type --------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shared by the MFMA kernels (MatmulToMfma.cpp, GroupedMatmulToMfma.cpp):
// the 16x16xK instruction of an element type on a chip and the byte sizes
// of their LDS staging (8 bytes per thread and operand and K step, 16-byte
// fragment reads, rows padded by 16 bytes).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_MFMAINSTR_H
#define LOOM_TARGET_AMD_MFMAINSTR_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mlir::loom::amd {

// Bytes each thread stages per operand and K step, bytes each lane reads
// back per operand, and the padding of an LDS row (keeps rows 16-byte
// aligned and spreads the 16 rows a fragment read touches over the banks).
constexpr int64_t kStageBytes = 8, kFragmentBytes = 16, kRowPadBytes = 16;

/// The MFMA used for one element type on one chip.
struct Instr {
  Type element;     // A and B
  Type accumulator; // C
  int64_t k;        // the instruction's K
  int64_t perLane;  // elements of A (and B) each lane supplies to one MFMA

  int64_t bytes() const { return element.getIntOrFloatBitWidth() / 8; }
  /// K of one LDS step: 16 bytes per lane, four lanes along K.
  int64_t tileK() const { return 4 * kFragmentBytes / bytes(); }
  int64_t stageWidth() const { return kStageBytes / bytes(); }
  int64_t fragmentWidth() const { return kFragmentBytes / bytes(); }
  int64_t mfmasPerStep() const { return fragmentWidth() / perLane; }
  int64_t rowPad() const { return kRowPadBytes / bytes(); }
};

/// The instruction for A/B elements `element` on `chip`, if it has one.
inline std::optional<Instr> instrFor(Type element, llvm::StringRef chip) {
  Builder b(element.getContext());
  Type f32 = b.getF32Type();
  if (element.isF32())
    return Instr{element, f32, 4, 1}; // v_mfma_f32_16x16x4[_]f32
  if (element.isF16())
    return Instr{element, f32, 16, 4}; // v_mfma_f32_16x16x16[_]f16
  // gfx90a and later: v_mfma_f32_16x16x16bf16_1k (gfx942: ..._bf16);
  // gfx908 only has the 2-element bf16 form.
  if (element.isBF16())
    return chip == "gfx908" ? Instr{element, f32, 8, 2}
                            : Instr{element, f32, 16, 4};
  // Signed 8-bit integers, i32 accumulator: v_mfma_i32_16x16x32_i8 on
  // gfx942 / gfx950, v_mfma_i32_16x16x16i8 before.
  if (element.isInteger(8)) {
    bool gfx94x = chip == "gfx942" || chip == "gfx950";
    return gfx94x ? Instr{element, b.getI32Type(), 32, 8}
                  : Instr{element, b.getI32Type(), 16, 4};
  }
  return std::nullopt;
}

} // namespace mlir::loom::amd

#endif // LOOM_TARGET_AMD_MFMAINSTR_H
