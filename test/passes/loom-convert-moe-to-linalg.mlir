// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-moe-to-linalg))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-moe-to-linalg{weight-panel-width=2 fuse-epilogues=true}))' | FileCheck %s --check-prefix=OPT

// Softmax in f32 (max-subtracted), then a generic over [T, k] whose body
// picks the j-th largest score in rounds over the experts, then the
// renormalisation (a row sum and a division).
// CHECK-LABEL: func.func @route_softmax_normalize
// CHECK-NOT: loom_moe
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: %[[SCORES:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.divf
// CHECK: %[[TOPK:.+]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} outs(%{{.+}}, %{{.+}} : tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK: scf.for
// CHECK: scf.for %[[E:.+]] = %{{.+}} to %c8
// CHECK: tensor.extract %[[SCORES]][%{{.+}}, %[[E]]]
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpf ogt
// CHECK: arith.index_cast %{{.+}} : index to i32
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[TOPK]]#0
// CHECK: %[[W:.+]] = linalg.generic {{.*}} ins(%[[TOPK]]#0, %[[SUM]]
// CHECK: arith.divf
// CHECK: return %[[W]], %[[TOPK]]#1
func.func @route_softmax_normalize(%l: tensor<?x8xbf16>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = loom_moe.route %l top 2 softmax normalize : tensor<?x8xbf16> -> tensor<?x2xf32>, tensor<?x2xi32>
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}

// -----

// Sigmoid scores and no renormalisation: the weights are the selected
// scores as they are.
// CHECK-LABEL: func.func @route_sigmoid
// CHECK: math.exp
// CHECK: %[[TOPK:.+]]:2 = linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return %[[TOPK]]#0, %[[TOPK]]#1
func.func @route_sigmoid(%l: tensor<16x64xf32>) -> (tensor<16x6xf32>, tensor<16x6xi32>) {
  %w, %ids = loom_moe.route %l top 6 sigmoid : tensor<16x64xf32> -> tensor<16x6xf32>, tensor<16x6xi32>
  return %w, %ids : tensor<16x6xf32>, tensor<16x6xi32>
}

// -----

// Given scores: only an extension to f32, no exp; the selection reads it.
// CHECK-LABEL: func.func @route_given
// CHECK-NOT: math.exp
// CHECK: %[[SCORES:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<4x8xbf16>) outs(%{{.+}} : tensor<4x8xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.extf
// CHECK-NOT: math.exp
// CHECK: %[[TOPK:.+]]:2 = linalg.generic
// CHECK: tensor.extract %[[SCORES]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[TOPK]]#0, %[[TOPK]]#1
func.func @route_given(%s: tensor<4x8xbf16>) -> (tensor<4x2xf32>, tensor<4x2xi32>) {
  %w, %ids = loom_moe.route %s top 2 given : tensor<4x8xbf16> -> tensor<4x2xf32>, tensor<4x2xi32>
  return %w, %ids : tensor<4x2xf32>, tensor<4x2xi32>
}

// -----

// A stable counting sort, O(T*k + E): count per expert into offsets[e + 1],
// prefix sum over the E experts, then each (token, choice) in ascending
// order takes its expert's next slot; finally the token rows are gathered.
// CHECK-LABEL: func.func @dispatch
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4096xbf16>, %[[IDS:[^:]+]]: tensor<?x2xi32>
// CHECK: %[[TK:.+]] = arith.muli
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : i32) outs(%{{.+}} : tensor<9xi32>)
// CHECK: %[[COUNTS:.+]] = scf.for %{{.+}} = %{{.+}} to %[[TK]] {{.*}} iter_args(%{{.+}} = %[[ZERO]]) -> (tensor<9xi32>)
// CHECK: tensor.extract %[[IDS]]
// CHECK: tensor.insert
// CHECK: %[[OFFS:.+]] = scf.for %{{.+}} = %{{.+}} to %c8 {{.*}} iter_args(%{{.+}} = %[[COUNTS]])
// CHECK: %[[PLACE:.+]]:2 = scf.for %{{.+}} = %{{.+}} to %[[TK]] {{.*}} iter_args(%{{.+}} = %[[OFFS]], %{{.+}} = %{{.+}}) -> (tensor<9xi32>, tensor<?xi32>)
// CHECK: %[[XS:.+]] = linalg.generic
// CHECK: tensor.extract %[[PLACE]]#1
// CHECK: tensor.extract %[[X]]
// CHECK: linalg.yield %{{.+}} : bf16
// CHECK: return %[[XS]], %[[OFFS]], %[[PLACE]]#1
func.func @dispatch(%x: tensor<?x4096xbf16>, %ids: tensor<?x2xi32>) -> (tensor<?x4096xbf16>, tensor<9xi32>, tensor<?xi32>) {
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<?x4096xbf16>, tensor<?x2xi32> -> tensor<?x4096xbf16>, tensor<9xi32>, tensor<?xi32>
  return %xs, %off, %perm : tensor<?x4096xbf16>, tensor<9xi32>, tensor<?xi32>
}

// -----

// Only routed rows are computed, in static tiles of 8 rows: x_sorted (of
// dynamic size here) is copied into max(M, 8) rows, zero-padded (a static
// M >= 8 is read as is), firstTile[e] counts the tiles before expert e (ceil(rows / 8) each), and
// one scf.forall over exactly firstTile[E] tiles (times the column blocks:
// one here, N = 32 is below 128) finds each tile's expert, multiplies its
// rows by w[e] in f32, rounds to bf16 and writes only the rows inside the
// expert's block. A tile is read from `start` moved back to stay in bounds
// (min(start, max(M, 8) - rows)); an expert's last tile of at most 4 rows
// is a [4, K] matmul.
// CHECK-LABEL: func.func @grouped_matmul
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x64xbf16>, %[[W:[^:]+]]: tensor<8x64x32xbf16>, %[[OFF:[^:]+]]: tensor<9xi32>
// CHECK: %[[M:.+]] = tensor.dim %[[X]], %c0
// CHECK: %[[MSRC:.+]] = arith.maxui %[[M]], %c8
// CHECK: %[[PADE:.+]] = tensor.empty(%[[MSRC]]) : tensor<?x64xbf16>
// CHECK: %[[PADF:.+]] = linalg.fill {{.*}} outs(%[[PADE]] : tensor<?x64xbf16>)
// CHECK: %[[XSRC:.+]] = tensor.insert_slice %[[X]] into %[[PADF]][0, 0] [%[[M]], 64] [1, 1]
// CHECK: %[[FIRST:.+]]:2 = scf.for {{.*}} -> (tensor<9xindex>, index)
// CHECK: arith.divui
// CHECK: tensor.insert
// CHECK: %[[R:.+]] = scf.forall (%{{.+}}, %[[S:.+]]) in (1, %[[FIRST]]#1) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x32xbf16>)
// CHECK: %[[E:.+]] = scf.for {{.*}} -> (index)
// CHECK: tensor.extract %[[FIRST]]#0
// CHECK: arith.cmpi ule, %{{.+}}, %[[S]]
// CHECK: arith.maxui %{{.+}}, %[[START:[^ ]+]] : index
// CHECK: %[[ROWS:.+]] = arith.minui %{{.+}}, %c8
// CHECK: %[[WS:.+]] = tensor.extract_slice %[[W]][%[[E]], 0, 0] [1, 64, 32] [1, 1, 1] : tensor<8x64x32xbf16> to tensor<64x32xbf16>
// CHECK: %[[HALF:.+]] = arith.cmpi ule, %[[ROWS]], %c4
// CHECK: %[[VALID:.+]] = scf.if %[[HALF]] -> (tensor<?x32xbf16>)
// CHECK: %[[LAST4:.+]] = arith.subi %[[MSRC]], %c4
// CHECK: %[[WIN4:.+]] = arith.minui %[[START]], %[[LAST4]]
// CHECK: %[[SKIP4:.+]] = arith.subi %[[START]], %[[WIN4]]
// CHECK: %[[XS4:.+]] = tensor.extract_slice %[[XSRC]][%[[WIN4]], 0] [4, 64] [1, 1] : tensor<?x64xbf16> to tensor<4x64xbf16>
// CHECK: linalg.matmul ins(%[[XS4]], %[[WS]] : tensor<4x64xbf16>, tensor<64x32xbf16>) outs(%{{.+}} : tensor<4x32xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: tensor.extract_slice %{{.+}}[%[[SKIP4]], 0] [%[[ROWS]], 32] [1, 1] : tensor<4x32xbf16> to tensor<?x32xbf16>
// CHECK: } else {
// CHECK: %[[LAST8:.+]] = arith.subi %[[MSRC]], %c8
// CHECK: %[[WIN8:.+]] = arith.minui %[[START]], %[[LAST8]]
// CHECK: %[[SKIP8:.+]] = arith.subi %[[START]], %[[WIN8]]
// CHECK: %[[XS8:.+]] = tensor.extract_slice %[[XSRC]][%[[WIN8]], 0] [8, 64] [1, 1] : tensor<?x64xbf16> to tensor<8x64xbf16>
// CHECK: linalg.matmul ins(%[[XS8]], %[[WS]] : tensor<8x64xbf16>, tensor<64x32xbf16>) outs(%{{.+}} : tensor<8x32xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: tensor.extract_slice %{{.+}}[%[[SKIP8]], 0] [%[[ROWS]], 32] [1, 1] : tensor<8x32xbf16> to tensor<?x32xbf16>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[VALID]] into %[[OUT]][%[[START]], 0] [%[[ROWS]], 32] [1, 1]
// CHECK: return %[[R]]
func.func @grouped_matmul(%x: tensor<?x64xbf16>, %w: tensor<8x64x32xbf16>, %off: tensor<9xi32>) -> tensor<?x32xbf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x64xbf16>, tensor<8x64x32xbf16>, tensor<9xi32> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// N = 256 splits into two column blocks of 128: the forall's outer
// dimension is the block, each tile reads w[e][:, 128 * b : 128 * b + 128]
// and writes its rows of those columns.
// CHECK-LABEL: func.func @grouped_matmul_col_blocks
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x16xf32>, %[[W:[^:]+]]: tensor<4x16x256xf32>
// CHECK: scf.forall (%[[B:.+]], %{{.+}}) in (2, %{{.+}}) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x256xf32>)
// CHECK: %[[COL:.+]] = arith.muli %[[B]], %c128
// CHECK: tensor.extract_slice %[[W]][%{{.+}}, 0, %[[COL]]] [1, 16, 128] [1, 1, 1] : tensor<4x16x256xf32> to tensor<16x128xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x16xf32>, tensor<16x128xf32>) outs(%{{.+}} : tensor<4x128xf32>)
// CHECK: tensor.extract_slice %{{.+}}[%{{.+}}, 0] [8, 16] [1, 1] : tensor<?x16xf32> to tensor<8x16xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf32>, tensor<16x128xf32>) outs(%{{.+}} : tensor<8x128xf32>)
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%{{.+}}, %[[COL]]] [%{{.+}}, 128] [1, 1]
func.func @grouped_matmul_col_blocks(%x: tensor<?x16xf32>, %w: tensor<4x16x256xf32>, %off: tensor<5xi32>) -> tensor<?x256xf32> {
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x16xf32>, tensor<4x16x256xf32>, tensor<5xi32> -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

// The inverse permutation first, then each output element sums its k
// weighted rows in f32 in ascending j and rounds once.
// CHECK-LABEL: func.func @combine
// CHECK-SAME: %[[Y:[^:]+]]: tensor<?x16xf16>, %[[PERM:[^:]+]]: tensor<?xi32>, %[[WTS:[^:]+]]: tensor<?x2xf32>
// CHECK: %[[INV:.+]] = scf.for
// CHECK: tensor.extract %[[PERM]]
// CHECK: tensor.insert
// CHECK: %[[OUT:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} outs(%{{.+}} : tensor<?x16xf16>)
// CHECK: scf.for {{.*}} -> (f32)
// CHECK: tensor.extract %[[INV]]
// CHECK: tensor.extract %[[WTS]]
// CHECK: tensor.extract %[[Y]]
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: return %[[OUT]]
func.func @combine(%y: tensor<?x16xf16>, %perm: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x16xf16> {
  %o = loom_moe.combine %y, %perm, %w : tensor<?x16xf16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x16xf16>
  return %o : tensor<?x16xf16>
}

// -----

// weight-panel-width=2: the constant [E=2, K=2, N=4] is repacked into
// [E, N / 2, K, 2] (panel p of expert e holds columns 2p, 2p + 1 of every
// row). A column block is as many whole panels as fit in 128 columns (both
// here): each tile runs one matmul per panel, reading the panel as a
// contiguous [K, 2] slice, into its columns of the tile's accumulator. The
// default options keep [E, K, N].
// CHECK-LABEL: func.func @grouped_matmul_panels
// CHECK-NOT: tensor<2x2x2x2xf32>
// CHECK: tensor.extract_slice %{{.+}} [1, 2, 4] [1, 1, 1] : tensor<2x2x4xf32> to tensor<2x4xf32>
// OPT-LABEL: func.func @grouped_matmul_panels
// OPT: %[[P:.+]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00, 1.000000e+00], [4.000000e+00, 5.000000e+00]], {{\[\[}}2.000000e+00, 3.000000e+00], [6.000000e+00, 7.000000e+00]]], {{\[\[\[}}8.000000e+00, 9.000000e+00], [1.200000e+01, 1.300000e+01]], {{\[\[}}1.000000e+01, 1.100000e+01], [1.400000e+01, 1.500000e+01]]]]> : tensor<2x2x2x2xf32>
// OPT: scf.forall (%[[B:.+]], %{{.+}}) in (1, %{{.+}}) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x4xf32>)
// OPT: %[[COL:.+]] = arith.muli %[[B]], %c4
// OPT: %[[E:.+]] = scf.for
// OPT: %[[B0:.+]] = arith.muli %[[B]], %c2
// OPT: %[[P0:.+]] = arith.addi %[[B0]], %c0
// OPT: %[[W0:.+]] = tensor.extract_slice %[[P]][%[[E]], %[[P0]], 0, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<2x2x2x2xf32> to tensor<2x2xf32>
// OPT: %[[B1:.+]] = arith.muli %[[B]], %c2
// OPT: %[[P1:.+]] = arith.addi %[[B1]], %c1
// OPT: %[[W1:.+]] = tensor.extract_slice %[[P]][%[[E]], %[[P1]], 0, 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<2x2x2x2xf32> to tensor<2x2xf32>
// OPT: scf.if
// OPT: %[[ACC:.+]] = linalg.fill {{.*}} -> tensor<4x4xf32>
// OPT: %[[A0:.+]] = tensor.extract_slice %[[ACC]][0, 0] [4, 2] [1, 1]
// OPT: %[[Y0:.+]] = linalg.matmul ins(%{{.+}}, %[[W0]] : tensor<4x2xf32>, tensor<2x2xf32>) outs(%[[A0]] : tensor<4x2xf32>)
// OPT: %[[T0:.+]] = tensor.insert_slice %[[Y0]] into %[[ACC]][0, 0] [4, 2] [1, 1]
// OPT: %[[A1:.+]] = tensor.extract_slice %[[T0]][0, 2] [4, 2] [1, 1]
// OPT: %[[Y1:.+]] = linalg.matmul ins(%{{.+}}, %[[W1]] : tensor<4x2xf32>, tensor<2x2xf32>) outs(%[[A1]] : tensor<4x2xf32>)
// OPT: tensor.insert_slice %[[Y1]] into %[[T0]][0, 2] [4, 2] [1, 1]
// OPT: } else {
// OPT: linalg.matmul ins(%{{.+}}, %[[W0]] : tensor<8x2xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<8x2xf32>)
// OPT: linalg.matmul ins(%{{.+}}, %[[W1]] : tensor<8x2xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<8x2xf32>)
// OPT: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%{{.+}}, %[[COL]]] [%{{.+}}, 4] [1, 1]
func.func @grouped_matmul_panels(%x: tensor<?x2xf32>, %off: tensor<3xi32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]], [[8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0]]]> : tensor<2x2x4xf32>
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x2xf32>, tensor<2x2x4xf32>, tensor<3xi32> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// fuse-epilogues: SiLU(gate) * up over two grouped matmuls of the same
// rows is one scf.forall; each tile multiplies its rows by both experts'
// weights (weights that are arguments stay [E, K, N]) and applies the
// generic's body to the two tiles; the matmul results are never stored.
// Without the option the generic stays after two foralls.
// CHECK-LABEL: func.func @grouped_matmul_epilogue
// CHECK: scf.forall
// CHECK: scf.forall
// CHECK: linalg.generic
// CHECK: math.exp
// OPT-LABEL: func.func @grouped_matmul_epilogue
// OPT-SAME: %[[X:[^:]+]]: tensor<?x16xf32>, %[[WG:[^:]+]]: tensor<4x16x32xf32>, %[[WU:[^:]+]]: tensor<4x16x32xf32>
// OPT-NOT: loom_moe
// OPT: %[[R:.+]] = scf.forall (%{{.+}}, %{{.+}}) in (1, %{{.+}}) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x32xf32>)
// OPT: %[[G:.+]] = tensor.extract_slice %[[WG]]
// OPT: %[[U:.+]] = tensor.extract_slice %[[WU]]
// OPT: scf.if
// OPT: %[[YG:.+]] = linalg.matmul ins(%{{.+}}, %[[G]] : tensor<4x16xf32>, tensor<16x32xf32>)
// OPT: %[[YU:.+]] = linalg.matmul ins(%{{.+}}, %[[U]] : tensor<4x16xf32>, tensor<16x32xf32>)
// OPT: %[[H:.+]] = linalg.generic {{.*}} ins(%[[YG]], %[[YU]] : tensor<4x32xf32>, tensor<4x32xf32>) outs(%{{.+}} : tensor<4x32xf32>)
// OPT: math.exp
// OPT: arith.mulf
// OPT: tensor.extract_slice %[[H]]
// OPT: } else {
// OPT: linalg.matmul ins(%{{.+}}, %[[G]] : tensor<8x16xf32>, tensor<16x32xf32>)
// OPT: linalg.matmul ins(%{{.+}}, %[[U]] : tensor<8x16xf32>, tensor<16x32xf32>)
// OPT: linalg.generic {{.*}} outs(%{{.+}} : tensor<8x32xf32>)
// OPT: tensor.parallel_insert_slice %{{.+}} into %[[OUT]]
// OPT-NOT: scf.forall
// OPT-NOT: linalg.generic
// OPT: return %[[R]]
func.func @grouped_matmul_epilogue(%x: tensor<?x16xf32>, %wg: tensor<4x16x32xf32>, %wu: tensor<4x16x32xf32>, %off: tensor<5xi32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %g = loom_moe.grouped_matmul %x, %wg, %off : tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %u = loom_moe.grouped_matmul %x, %wu, %off : tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %m = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%m) : tensor<?x32xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g, %u : tensor<?x32xf32>, tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %s = arith.divf %a, %d : f32
    %r = arith.mulf %s, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// A matmul result with another use is stored anyway: no fusion, the
// generic reads it after the forall.
// OPT-LABEL: func.func @grouped_matmul_epilogue_other_use
// OPT: %[[Y:.+]] = scf.forall
// OPT-NOT: linalg.generic
// OPT: scf.forall.in_parallel
// OPT: %[[H:.+]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<?x32xf32>)
// OPT: return %[[Y]], %[[H]]
func.func @grouped_matmul_epilogue_other_use(%x: tensor<?x16xf32>, %wg: tensor<4x16x32xf32>, %off: tensor<5xi32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %c0 = arith.constant 0 : index
  %g = loom_moe.grouped_matmul %x, %wg, %off : tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %m = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%m) : tensor<?x32xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.mulf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<?x32xf32>
  return %g, %h : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// loom_quant ops are not this pass's business.
// CHECK-LABEL: func.func @not_moe
// CHECK: loom_quant.quantize
func.func @not_moe(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}
