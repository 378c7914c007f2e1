// RUN: loom-opt %s --split-input-file --allow-unregistered-dialect --loom-nvidia-device-buffers | FileCheck %s
// RUN: loom-opt %s --split-input-file --allow-unregistered-dialect --loom-nvidia-device-buffers --canonicalize | FileCheck %s --check-prefix=CANON

// Inputs are copied to the device at entry; the body's buffers are device
// buffers. At the return the runtime says where outputs go: when they stay on
// the device, the result buffer itself is returned (not copied, not freed);
// otherwise it is copied back into a host buffer. Every other device buffer
// is freed before returning.
// CHECK: func.func private @loom_gpu_outputs_on_device() -> index
// CHECK-LABEL: func.func @entry
// CHECK-SAME: (%[[A:.+]]: memref<?x4xf32>) -> memref<?x4xf32>
// CHECK: %[[N:.+]] = memref.dim %[[A]], %c0
// CHECK: %[[DA:.+]] = gpu.alloc (%[[N]]) : memref<?x4xf32>
// CHECK: gpu.memcpy %[[DA]], %[[A]]
// CHECK: %[[T:.+]] = gpu.alloc (%{{.+}}) : memref<?x4xf32>
// CHECK: "test.kernel"(%[[DA]], %[[T]])
// CHECK: %[[FLAG:.+]] = call @loom_gpu_outputs_on_device() : () -> index
// CHECK: %[[ON:.+]] = arith.cmpi ne, %[[FLAG]], %{{.+}} : index
// CHECK: %[[RES:.+]] = scf.if %[[ON]] -> (memref<?x4xf32>) {
// CHECK-NOT: gpu.dealloc %[[T]]
// CHECK-NOT: gpu.memcpy
// CHECK:   gpu.dealloc %[[DA]]
// CHECK-NOT: gpu.dealloc %[[T]]
// CHECK:   scf.yield %[[T]]
// CHECK: } else {
// CHECK:   %[[H:.+]] = memref.alloc(%{{.+}}) : memref<?x4xf32>
// CHECK:   gpu.memcpy %[[H]], %[[T]]
// CHECK-DAG:   gpu.dealloc %[[DA]]
// CHECK-DAG:   gpu.dealloc %[[T]]
// CHECK:   scf.yield %[[H]]
// CHECK: }
// CHECK: return %[[RES]]
func.func @entry(%a: memref<?x4xf32>) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<?x4xf32>
  %t = memref.alloc(%n) : memref<?x4xf32>
  "test.kernel"(%a, %t) : (memref<?x4xf32>, memref<?x4xf32>) -> ()
  return %t : memref<?x4xf32>
}

// -----

// Constant globals (weights) are resident: the runtime returns the device
// address of the module's copy (uploaded once), wrapped in a memref, and it is
// never freed by the call; temporaries are device buffers freed where the
// host code freed them; kernels' scratch stays as it is.
memref.global "private" constant @w : memref<2x4xf32> = dense<1.0>
// CHECK: func.func private @loom_gpu_resident(index, index) -> index
// CHECK-LABEL: func.func @weights
// CHECK-SAME: (%[[A:.+]]: memref<4xf32>)
// CHECK: %[[G:.+]] = memref.get_global @w
// CHECK: %[[P:.+]] = memref.extract_aligned_pointer_as_index %[[G]]
// CHECK: %[[BYTES:.+]] = arith.constant 32 : index
// CHECK: %[[ADDR:.+]] = call @loom_gpu_resident(%[[P]], %[[BYTES]])
// CHECK: llvm.inttoptr
// CHECK: %[[DG:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<2x4xf32>
// CHECK: %[[DA:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[DA]], %[[A]]
// CHECK: %[[TMP:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: %[[R:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: "test.kernel"(%[[DA]], %[[DG]], %[[TMP]])
// CHECK: scf.parallel
// CHECK:   memref.alloca
// CHECK:   "test.kernel"(%[[TMP]], %[[R]], %{{.+}})
// CHECK: gpu.dealloc %[[TMP]]
// CHECK-NOT: memref.dealloc
// CHECK: scf.if
// CHECK-NOT: gpu.dealloc %[[DG]]
// CHECK: scf.yield %[[R]]
// CHECK: } else {
// CHECK: %[[H:.+]] = memref.alloc() : memref<4xf32>
// CHECK: gpu.memcpy %[[H]], %[[R]]
// CHECK-NOT: gpu.dealloc %[[DG]]
// CHECK-DAG: gpu.dealloc %[[DA]]
// CHECK-DAG: gpu.dealloc %[[R]]
// CHECK-NOT: gpu.dealloc %[[DG]]
// CHECK: scf.yield %[[H]]
func.func @weights(%a: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %tmp = memref.alloc() : memref<4xf32>
  %r = memref.alloc() : memref<4xf32>
  %g = memref.get_global @w : memref<2x4xf32>
  "test.kernel"(%a, %g, %tmp) : (memref<4xf32>, memref<2x4xf32>, memref<4xf32>) -> ()
  scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
    %scratch = memref.alloca() : memref<4xf32>
    "test.kernel"(%tmp, %r, %scratch) : (memref<4xf32>, memref<4xf32>, memref<4xf32>) -> ()
    scf.reduce
  }
  memref.dealloc %tmp : memref<4xf32>
  return %r : memref<4xf32>
}

// -----

// A mutable global is copied to the device at entry and freed at return.
memref.global "private" @state : memref<4xf32> = dense<0.0>
// CHECK-LABEL: func.func @mutable
// CHECK: %[[G:.+]] = memref.get_global @state
// CHECK: %[[DG:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[DG]], %[[G]]
// CHECK: "test.kernel"(%[[DG]])
// CHECK: gpu.dealloc %[[DG]]
// CHECK: return
func.func @mutable() {
  %g = memref.get_global @state : memref<4xf32>
  "test.kernel"(%g) : (memref<4xf32>) -> ()
  return
}

// -----

// A value the host needs from a buffer (here a count that sizes an
// allocation) is computed in a one-thread kernel, stored to a small device
// buffer and copied back; the host never reads device memory.
// CHECK-LABEL: func.func @readback
// CHECK-SAME: (%[[A:.+]]: memref<4xindex>)
// CHECK: %[[DA:.+]] = gpu.alloc () : memref<4xindex>
// CHECK: gpu.memcpy %[[DA]], %[[A]]
// CHECK: %[[BUF:.+]] = gpu.alloc () : memref<1xindex>
// CHECK: scf.parallel
// CHECK:   %[[V:.+]] = memref.load %[[DA]]
// CHECK:   memref.store %[[V]], %[[BUF]]
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
// CHECK: %[[HOST:.+]] = memref.alloc() : memref<1xindex>
// CHECK: gpu.memcpy %[[HOST]], %[[BUF]]
// CHECK: %[[N:.+]] = memref.load %[[HOST]]
// CHECK: memref.dealloc %[[HOST]]
// CHECK: gpu.dealloc %[[BUF]]
// CHECK: gpu.alloc (%[[N]]) : memref<?xf32>
func.func @readback(%a: memref<4xindex>) -> memref<?xf32> {
  %c2 = arith.constant 2 : index
  %n = memref.load %a[%c2] : memref<4xindex>
  %t = memref.alloc(%n) : memref<?xf32>
  "test.kernel"(%t) : (memref<?xf32>) -> ()
  return %t : memref<?xf32>
}

// -----

// A reshape to dynamic sizes reads its shape on the host: it gets a host
// buffer holding the sizes copied back from the device.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[A:.+]]: memref<?xf32>, %[[S:.+]]: memref<2xindex>)
// CHECK-DAG: %[[DA:.+]] = gpu.alloc (%{{.+}}) : memref<?xf32>
// CHECK-DAG: %[[DS:.+]] = gpu.alloc () : memref<2xindex>
// CHECK: %[[COPY:.+]] = memref.alloc() : memref<2xindex>
// CHECK: gpu.memcpy %[[COPY]], %[[DS]]
// CHECK: %[[HOST:.+]] = memref.alloc() : memref<2xindex>
// CHECK-COUNT-2: memref.load %[[COPY]]
// CHECK: memref.reshape %[[DA]](%[[HOST]])
func.func @reshape(%a: memref<?xf32>, %s: memref<2xindex>) -> memref<?x?xf32> {
  %r = memref.reshape %a(%s) : (memref<?xf32>, memref<2xindex>) -> memref<?x?xf32>
  "test.kernel"(%r) : (memref<?x?xf32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = memref.dim %r, %c0 : memref<?x?xf32>
  %d1 = memref.dim %r, %c1 : memref<?x?xf32>
  %t = memref.alloc(%d0, %d1) : memref<?x?xf32>
  "test.kernel"(%r, %t) : (memref<?x?xf32>, memref<?x?xf32>) -> ()
  return %t : memref<?x?xf32>
}

// -----

// A result that is a contiguous view with a strided layout is reinterpreted
// with the identity layout for the copy back (the copy takes identity layouts
// only). On the device too: a view is copied into a buffer of its own, so the
// caller owns each result's whole allocation.
// CHECK-LABEL: func.func @strided_result
// CHECK: %[[V:.+]] = memref.subview
// CHECK: scf.if
// CHECK: %[[DC:.+]] = memref.reinterpret_cast %[[V]] to offset: [0], sizes: [2, 3], strides: [3, 1] : memref<2x3xi64, strided<[3, 1]>> to memref<2x3xi64>
// CHECK: %[[D:.+]] = gpu.alloc () : memref<2x3xi64>
// CHECK: gpu.memcpy %[[D]], %[[DC]]
// CHECK: %[[DR:.+]] = memref.cast %[[D]] : memref<2x3xi64> to memref<2x3xi64, strided<[3, 1]>>
// CHECK: scf.yield %[[DR]]
// CHECK: } else {
// CHECK: %[[I:.+]] = memref.reinterpret_cast %[[V]] to offset: [0], sizes: [2, 3], strides: [3, 1] : memref<2x3xi64, strided<[3, 1]>> to memref<2x3xi64>
// CHECK: %[[H:.+]] = memref.alloc() : memref<2x3xi64>
// CHECK: gpu.memcpy %[[H]], %[[I]]
// CHECK: %[[R:.+]] = memref.cast %[[H]] : memref<2x3xi64> to memref<2x3xi64, strided<[3, 1]>>
// CHECK: scf.yield %[[R]]
func.func @strided_result() -> memref<2x3xi64, strided<[3, 1]>> {
  %t = memref.alloc() : memref<4x3xi64>
  "test.kernel"(%t) : (memref<4x3xi64>) -> ()
  %v = memref.subview %t[0, 0] [2, 3] [1, 1] : memref<4x3xi64> to memref<2x3xi64, strided<[3, 1]>>
  return %v : memref<2x3xi64, strided<[3, 1]>>
}

// -----

// Bufferization returns the first rows of a buffer (NonMaxSuppression's
// selected indices) as a memref.cast of the subview to the identity layout.
// Canonicalization folds such a cast into the gpu.memcpy that reads it, which
// brings the strided type back where gpu-to-llvm lowers only identity
// layouts: the copy reads a reinterpret_cast of the subview instead, with
// dynamic sizes and strides from the result.
// CHECK-LABEL: func.func @cast_view_result
// CHECK: %[[V:.+]] = memref.subview
// CHECK: %[[C:.+]] = memref.cast %[[V]]
// CHECK: %[[N:.+]] = memref.dim %[[C]], %c0
// CHECK: %[[I:.+]] = memref.reinterpret_cast %[[V]] to offset: [0], sizes: [%[[N]], 3], strides: [3, 1] : memref<?x3xi64, strided<[3, 1]>> to memref<?x3xi64>
// CHECK: gpu.memcpy %{{.+}}, %[[I]]
// CANON-LABEL: func.func @cast_view_result
// CANON: gpu.memcpy %{{.+}}, %{{.+}} : memref<?x3xi64>, memref<?x3xi64>
func.func @cast_view_result(%n: index) -> memref<?x3xi64> {
  %t = memref.alloc() : memref<12x3xi64>
  "test.kernel"(%t) : (memref<12x3xi64>) -> ()
  %v = memref.subview %t[0, 0] [%n, 3] [1, 1] : memref<12x3xi64> to memref<?x3xi64, strided<[3, 1]>>
  %c = memref.cast %v : memref<?x3xi64, strided<[3, 1]>> to memref<?x3xi64>
  return %c : memref<?x3xi64>
}

// -----

// Outputs on the device never alias what the caller or the module keeps: a
// resident weight is copied into a new device buffer, and so is a buffer
// returned a second time. An input's device copy is made per call, so it is
// handed out (and not freed). Reshapes of a buffer are handed out as it is.
memref.global "private" constant @k : memref<4xf32> = dense<2.0>
// CHECK-LABEL: func.func @aliases
// CHECK-SAME: (%[[A:.+]]: memref<4xf32>)
// CHECK: %[[RES:.+]] = call @loom_gpu_resident
// CHECK: %[[W:.+]] = builtin.unrealized_conversion_cast
// CHECK: %[[DA:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[DA]], %[[A]]
// CHECK: %[[T:.+]] = gpu.alloc () : memref<2x2xf32>
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %[[T]]
// CHECK: scf.if
// CHECK-NEXT: %[[WC:.+]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy %[[WC]], %[[W]]
// CHECK-NEXT: %[[TC:.+]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy %[[TC]], %[[FLAT]]
// CHECK-NOT: gpu.dealloc
// CHECK: scf.yield %[[DA]], %[[WC]], %[[FLAT]], %[[TC]]
// CHECK: } else {
// CHECK-DAG: gpu.dealloc %[[DA]]
// CHECK-DAG: gpu.dealloc %[[T]]
// CHECK-NOT: gpu.dealloc %[[W]]
// CHECK: scf.yield
func.func @aliases(%a: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>) {
  %w = memref.get_global @k : memref<4xf32>
  %t = memref.alloc() : memref<2x2xf32>
  "test.kernel"(%a, %t) : (memref<4xf32>, memref<2x2xf32>) -> ()
  %flat = memref.collapse_shape %t [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  return %a, %w, %flat, %flat : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>
}
