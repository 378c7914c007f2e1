// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-map-loops-to-gpu))' | FileCheck %s

// A 2-D elementwise loop: the contiguous dimension is tiled by 256 threads
// on thread_x, its tiles on block_y; the rows go to block_x (no 65535 limit).
// CHECK-LABEL: func.func @two_d
// CHECK: scf.parallel (%[[I:.+]], %[[J:.+]]) = ({{.*}}) to ({{.*}}) step (%{{.+}}, %[[C256:.+]])
// CHECK:   scf.parallel
// CHECK:     memref.load
// CHECK:     memref.store
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = sequential, {{.*}}>, #gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>, #gpu.loop_dim_map<processor = block_y, {{.*}}>]}
func.func @two_d(%a: memref<64x1000xf32>, %b: memref<64x1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1000 = arith.constant 1000 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c1000) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<64x1000xf32>
    memref.store %v, %b[%i, %j] : memref<64x1000xf32>
    scf.reduce
  }
  return
}

// -----

// Sequential top-level code (a full reduction) runs in a one-thread kernel
// rather than on the host, which cannot read device memory.
// CHECK-LABEL: func.func @full_reduction
// CHECK: memref.alloc
// CHECK: scf.parallel
// CHECK:   memref.store
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
// CHECK: scf.parallel
// CHECK:   scf.for
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
// CHECK: return
func.func @full_reduction(%a: memref<1024xf32>) -> memref<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %z = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<f32>
  memref.store %z, %acc[] : memref<f32>
  scf.for %i = %c0 to %c1024 step %c1 {
    %x = memref.load %a[%i] : memref<1024xf32>
    %s = memref.load %acc[] : memref<f32>
    %t = arith.addf %x, %s : f32
    memref.store %t, %acc[] : memref<f32>
  }
  return %acc : memref<f32>
}

// -----

// A host loop around kernels may be an scf.forall (the row tiles of
// loom_moe.grouped_matmul): its body's parallel loop becomes the kernel and
// its terminator stays where it is, not wrapped into a one-thread kernel.
// CHECK-LABEL: func.func @forall_on_host
// CHECK: scf.forall (%[[I:.+]]) in (8) {
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[I]], %{{.+}}]
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @forall_on_host(%a: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  scf.forall (%i) in (8) {
    scf.parallel (%j) = (%c0) to (%c64) step (%c1) {
      memref.store %z, %a[%i, %j] : memref<8x64xf32>
    }
  }
  return
}

// -----

// Freeing a buffer under a runtime ownership condition (what the buffer
// deallocation leaves at the top level) stays on the host, where
// loom-nvidia-device-buffers makes it a gpu.dealloc; a branch that stores
// runs on the device.
// CHECK-LABEL: func.func @conditional_free
// CHECK: memref.alloc
// CHECK: memref.alloc
// CHECK-NEXT: scf.if %{{.+}} {
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: }
// CHECK-NEXT: scf.parallel
// CHECK-NEXT: scf.if
// CHECK-NEXT: memref.store
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
func.func @conditional_free(%c: i1) -> memref<f32> {
  %z = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<f32>
  %b = memref.alloc() : memref<f32>
  scf.if %c {
    memref.dealloc %a : memref<f32>
  }
  scf.if %c {
    memref.store %z, %b[] : memref<f32>
  }
  return %b : memref<f32>
}
