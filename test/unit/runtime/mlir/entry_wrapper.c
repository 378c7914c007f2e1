//===- entry_wrapper.c - loom_call_ shim over MLIR's C interface
//-----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the compiler emits per entry point, written by hand: args[1] (the
// results struct) and args[2...] (input descriptors) are exactly the
// arguments of _mlir_ciface_<name>.
//
//===----------------------------------------------------------------------===//

void _mlir_ciface_add_and_alias(void *results, void *a, void *b);

void loom_call_add_and_alias(void **args) {
  _mlir_ciface_add_and_alias(args[1], args[2], args[3]);
}
