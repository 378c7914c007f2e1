// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-cpu-tile-and-vectorize))' | FileCheck %s

// A matmul large enough to share: tasks of 32x128 output tiles over cores,
// then 8x32 register tiles with K innermost in steps of one, each a
// vector.contract on a vector<8x32xf32> accumulator.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (256, 256) step (32, 128)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}}
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.+}} : tensor<8x1xf32>, vector<8x1xf32>
// CHECK: vector.transfer_read {{.+}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK: vector.transfer_read {{.+}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: vector.contract {{.+}} vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: vector.transfer_write
// CHECK: tensor.parallel_insert_slice
func.func @matmul(%a: tensor<256x512xf32>, %b: tensor<512x256xf32>, %c: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<256x512xf32>, tensor<512x256xf32>) outs(%c : tensor<256x256xf32>) -> tensor<256x256xf32>
  return %r : tensor<256x256xf32>
}

// -----

// A dynamic row count (tokens) is tiled by one, so tiles stay static and
// the op is vectorized without knowing the size.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-NOT: linalg.matmul
// CHECK: vector.contract {{.+}} vector<1x1xf32>, vector<1x32xf32> into vector<1x32xf32>
func.func @dynamic_rows(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%c : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// A small elementwise op: no threads, one 16-lane vector per step.
// CHECK-LABEL: func.func @elementwise
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: vector.transfer_read {{.+}} vector<1x16xf32>
// CHECK: math.exp {{.+}} : vector<1x16xf32>
// CHECK-NOT: linalg.generic
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<4x64xf32>, %e: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = math.exp %in : f32
    linalg.yield %y : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// A row reduction over a large input: rows spread over tasks, the reduced
// dimension walked 64 lanes (four registers) at a time.
// CHECK-LABEL: func.func @row_max
// CHECK: scf.forall
// CHECK: vector.multi_reduction <maxnumf>, {{.+}} [1] : vector<1x64xf32> to vector<1xf32>
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_max(%x: tensor<1024x1024xf32>, %init: tensor<1024xf32>) -> tensor<1024xf32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<1024x1024xf32>) outs(%init : tensor<1024xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maxnumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1024xf32>
  return %r : tensor<1024xf32>
}

// -----

// A body with a gather (tensor.extract) is left to the scalar loops.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK-NOT: vector.
#g = affine_map<(d0) -> (d0)>
func.func @gather(%t: tensor<64xf32>, %idx: tensor<32xindex>, %e: tensor<32xf32>) -> tensor<32xf32> {
  %r = linalg.generic {indexing_maps = [#g, #g], iterator_types = ["parallel"]}
      ins(%idx : tensor<32xindex>) outs(%e : tensor<32xf32>) {
  ^bb0(%i: index, %out: f32):
    %v = tensor.extract %t[%i] : tensor<64xf32>
    linalg.yield %v : f32
  } -> tensor<32xf32>
  return %r : tensor<32xf32>
}

// -----

// An op already inside an scf.forall (a tile of grouped_matmul) is one task
// of it: register tiles only, no nested scf.forall.
// CHECK-LABEL: func.func @inside_forall
// CHECK: scf.forall (%[[T:.+]]) in (4)
// CHECK-NOT: scf.forall
// CHECK: vector.contract {{.+}} vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: scf.forall.in_parallel
func.func @inside_forall(%a: tensor<32x256xf32>, %b: tensor<256x512xf32>, %c: tensor<32x512xf32>) -> tensor<32x512xf32> {
  %r = scf.forall (%t) in (4) shared_outs(%o = %c) -> (tensor<32x512xf32>) {
    %i = affine.apply affine_map<(d0) -> (d0 * 8)>(%t)
    %as = tensor.extract_slice %a[%i, 0] [8, 256] [1, 1] : tensor<32x256xf32> to tensor<8x256xf32>
    %cs = tensor.extract_slice %o[%i, 0] [8, 512] [1, 1] : tensor<32x512xf32> to tensor<8x512xf32>
    %m = linalg.matmul ins(%as, %b : tensor<8x256xf32>, tensor<256x512xf32>) outs(%cs : tensor<8x512xf32>) -> tensor<8x512xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %m into %o[%i, 0] [8, 512] [1, 1] : tensor<8x512xf32> into tensor<32x512xf32>
    }
  }
  return %r : tensor<32x512xf32>
}
