// RUN: loom-opt %s --split-input-file --loom-nvidia-split-deallocs | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-split-deallocs --bufferization-lower-deallocations | FileCheck %s --check-prefix=LOWER

// Two buffers, one retained: one dealloc per buffer; the second retains the
// first too (an alias of it is not freed twice); the retained buffer's
// ownership is the `or` of both.
// CHECK-LABEL: func.func @two
// CHECK-SAME: (%[[A:.+]]: memref<2xf32>, %[[B:.+]]: memref<4xf32>, %[[R:.+]]: memref<4xf32>, %[[C:.+]]: i1, %[[D:.+]]: i1)
// CHECK: %[[O1:.+]] = bufferization.dealloc (%[[A]] : memref<2xf32>) if (%[[C]]) retain (%[[R]] : memref<4xf32>)
// CHECK: %[[O2:.+]]:2 = bufferization.dealloc (%[[B]] : memref<4xf32>) if (%[[D]]) retain (%[[R]], %[[A]] : memref<4xf32>, memref<2xf32>)
// CHECK: %[[O:.+]] = arith.ori %[[O1]], %[[O2]]#0
// CHECK: return %[[O]]
// Lowered, there is no helper function walking buffers of addresses: each
// buffer is freed under an scf.if on pointer compares.
// LOWER-LABEL: func.func @two
// LOWER-NOT: call
// LOWER-COUNT-2: memref.dealloc
// LOWER-NOT: func.func private @dealloc_helper
func.func @two(%a: memref<2xf32>, %b: memref<4xf32>, %r: memref<4xf32>,
               %c: i1, %d: i1) -> i1 {
  %o = bufferization.dealloc (%a, %b : memref<2xf32>, memref<4xf32>)
         if (%c, %d) retain (%r : memref<4xf32>)
  return %o : i1
}

// -----

// Three buffers, nothing retained: the third retains both earlier ones.
// CHECK-LABEL: func.func @three
// CHECK-SAME: (%[[A:.+]]: memref<2xf32>, %[[B:.+]]: memref<2xf32>, %[[E:.+]]: memref<2xf32>, %[[C:.+]]: i1)
// CHECK: bufferization.dealloc (%[[A]] : memref<2xf32>) if (%[[C]]){{$}}
// CHECK: bufferization.dealloc (%[[B]] : memref<2xf32>) if (%[[C]]) retain (%[[A]] : memref<2xf32>)
// CHECK: bufferization.dealloc (%[[E]] : memref<2xf32>) if (%[[C]]) retain (%[[A]], %[[B]] : memref<2xf32>, memref<2xf32>)
// CHECK-NOT: bufferization.dealloc
func.func @three(%a: memref<2xf32>, %b: memref<2xf32>, %e: memref<2xf32>,
                 %c: i1) {
  bufferization.dealloc (%a, %b, %e : memref<2xf32>, memref<2xf32>, memref<2xf32>)
    if (%c, %c, %c)
  return
}

// -----

// A dealloc of one buffer is left as it is.
// CHECK-LABEL: func.func @one
// CHECK: %[[O:.+]] = bufferization.dealloc (%{{.+}} : memref<2xf32>) if (%{{.+}}) retain (%{{.+}} : memref<2xf32>)
// CHECK-NOT: arith.ori
// CHECK: return %[[O]]
func.func @one(%a: memref<2xf32>, %r: memref<2xf32>, %c: i1) -> i1 {
  %o = bufferization.dealloc (%a : memref<2xf32>) if (%c) retain (%r : memref<2xf32>)
  return %o : i1
}
