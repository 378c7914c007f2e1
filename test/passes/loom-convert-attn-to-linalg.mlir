// RUN: loom-opt %s --split-input-file --mlir-print-local-scope --pass-pipeline='builtin.module(func.func(loom-convert-attn-to-linalg))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --mlir-print-local-scope --pass-pipeline='builtin.module(func.func(loom-convert-attn-to-linalg{kv-block-size=16}))' | FileCheck %s --check-prefix=BLOCK16
// RUN: not loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-attn-to-linalg{kv-block-size=0}))' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: loom-opt %s --split-input-file --mlir-print-local-scope --pass-pipeline='builtin.module(func.func(loom-convert-attn-to-linalg{causal-query-blocks=true}))' | FileCheck %s --check-prefix=QBLOCKS
// (Maps are printed inline, --mlir-print-local-scope, so that each case
// checks its own.)

// Multi-head attention over 100 keys: an scf.for over blocks of 64 keys
// (the last one a tail of 36) carries the running max, the running sum and
// the f32 accumulator. Per block: Q K^T contracted over d, the scores
// scaled by the default 1/sqrt(64), the block's row max, the new max and
// the rescale factor exp(m_old - m_new), P = exp(s - m_new), the rescaled
// sum, and P V accumulated onto the rescaled accumulator, each written
// into its loop-carried tensor. No position mask: no integer compare.
// Finally acc / l (0 where l = 0), back to [B, Hq, Sq, Dv].
// CHECK-LABEL: func.func @mha
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x2x16x64xf32>, %[[K:[^:]+]]: tensor<1x2x100x64xf32>, %[[V:[^:]+]]: tensor<1x2x100x64xf32>
// CHECK-NOT: loom_attn
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG: %[[QG:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 16, 64]
// CHECK: %[[LOOP:.+]]:3 = scf.for %[[J:.+]] = %{{.+}} to %c100 step %[[STEP:[^ ]+]] iter_args(%[[M:.+]] = %{{.+}}, %[[L:.+]] = %{{.+}}, %[[ACC:.+]] = %{{.+}}) -> (tensor<1x2x1x16xf32>, tensor<1x2x1x16xf32>, tensor<1x2x1x16x64xf32>)
// CHECK: %[[REST:.+]] = arith.subi %c100, %[[J]]
// CHECK: %[[BK:.+]] = arith.minsi %[[STEP]], %[[REST]]
// CHECK: %[[KB:.+]] = tensor.extract_slice %[[K]][0, 0, %[[J]], 0] [1, 2, %[[BK]], 64]
// CHECK: %[[VB:.+]] = tensor.extract_slice %[[V]][0, 0, %[[J]], 0] [1, 2, %[[BK]], 64]
// CHECK: %[[S:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[QG]], %[[KB]] : tensor<1x2x1x16x64xf32>, tensor<1x2x?x64xf32>) outs(%{{.+}} : tensor<1x2x1x16x?xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[SR:.+]] = linalg.generic {{.*}} outs(%[[S]] : tensor<1x2x1x16x?xf32>)
// CHECK: arith.mulf %{{.+}}, %[[SCALE]]
// CHECK-NOT: arith.cmpi
// CHECK: %[[BMAX:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[SR]] : {{.*}}) outs(%{{.+}} : tensor<1x2x1x16xf32>)
// CHECK: arith.maximumf
// CHECK: %[[UPD:.+]]:2 = linalg.generic {{.*}} ins(%[[BMAX]] : tensor<1x2x1x16xf32>) outs(%[[M]], %{{.+}} : tensor<1x2x1x16xf32>, tensor<1x2x1x16xf32>)
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: %[[P:.+]] = linalg.generic {{.*}} ins(%[[UPD]]#0 : tensor<1x2x1x16xf32>) outs(%[[SR]] : tensor<1x2x1x16x?xf32>)
// CHECK: math.exp
// CHECK: %[[LS:.+]] = linalg.generic {{.*}} ins(%[[UPD]]#1 : tensor<1x2x1x16xf32>) outs(%[[L]] : tensor<1x2x1x16xf32>)
// CHECK: %[[LN:.+]] = linalg.generic {{.*}}"reduction"]} ins(%[[P]] : tensor<1x2x1x16x?xf32>) outs(%[[LS]] : tensor<1x2x1x16xf32>)
// CHECK: %[[AS:.+]] = linalg.generic {{.*}} ins(%[[UPD]]#1 : tensor<1x2x1x16xf32>) outs(%[[ACC]] : tensor<1x2x1x16x64xf32>)
// CHECK: %[[AN:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>, {{.*}}"reduction"]} ins(%[[P]], %[[VB]] : tensor<1x2x1x16x?xf32>, tensor<1x2x?x64xf32>) outs(%[[AS]] : tensor<1x2x1x16x64xf32>)
// CHECK: scf.yield %[[UPD]]#0, %[[LN]], %[[AN]]
// CHECK: %[[OUT:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#2, %[[LOOP]]#1 : tensor<1x2x1x16x64xf32>, tensor<1x2x1x16xf32>)
// CHECK: arith.cmpf oeq
// CHECK: arith.divf
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[OUT]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x1x16x64xf32> into tensor<1x2x16x64xf32>
// CHECK: return %[[R]]

// The block size is an option of the pass.
// BLOCK16-LABEL: func.func @mha
// BLOCK16: scf.for %{{.+}} = %{{.+}} to %c100 step %c16

// BAD: kv-block-size must be positive, got 0
func.func @mha(%q: tensor<1x2x16x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x2x16x64xf32> {
  %o = loom_attn.attention %q, %k, %v : tensor<1x2x16x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32> -> tensor<1x2x16x64xf32>
  return %o : tensor<1x2x16x64xf32>
}

// -----

// Grouped-query attention is a reshape of the queries to [B, Hkv, G, Sq, D]
// = [1, 2, 4, 4, 32]: the key and value maps ignore the group loop d2, so
// query head h = hk * 4 + g reads kv head hk. 40 keys fit one block of
// static size (no tail). bf16 operands are widened to f32 in the
// contraction and the result rounded back. Causal, bottom-right aligned:
// key j is kept iff j <= i + (Skv - Sq).
// CHECK-LABEL: func.func @gqa_causal
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x8x4x32xbf16>, %[[K:[^:]+]]: tensor<1x2x40x32xbf16>
// CHECK: %[[QG:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 4, 32] : tensor<1x8x4x32xbf16> into tensor<1x2x4x4x32xbf16>
// CHECK: scf.for %[[J:.+]] = %{{.+}} to %c40 step %{{.+}} iter_args
// CHECK-NOT: arith.minsi
// CHECK: %[[KB:.+]] = tensor.extract_slice %[[K]][0, 0, %[[J]], 0] [1, 2, 40, 32]
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>, {{.*}} ins(%[[QG]], %[[KB]] : tensor<1x2x4x4x32xbf16>, tensor<1x2x40x32xbf16>) outs(%{{.+}} : tensor<1x2x4x4x40xf32>)
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: %[[I:.+]] = linalg.index 3 : index
// CHECK: %[[JJ:.+]] = linalg.index 4 : index
// CHECK: %[[KEY:.+]] = arith.addi %[[J]], %[[JJ]]
// CHECK: %[[SHIFT:.+]] = arith.subi %c40, %c4
// CHECK: %[[POS:.+]] = arith.addi %[[I]], %[[SHIFT]]
// CHECK: %[[CAUSAL:.+]] = arith.cmpi sle, %[[KEY]], %[[POS]]
// CHECK: arith.select %[[CAUSAL]], %{{.+}}, %{{.+}} : f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>
// CHECK: scf.yield
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x4x4x32xbf16> into tensor<1x8x4x32xbf16>
func.func @gqa_causal(%q: tensor<1x8x4x32xbf16>, %k: tensor<1x2x40x32xbf16>, %v: tensor<1x2x40x32xbf16>) -> tensor<1x8x4x32xbf16> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x8x4x32xbf16>, tensor<1x2x40x32xbf16>, tensor<1x2x40x32xbf16> -> tensor<1x8x4x32xbf16>
  return %o : tensor<1x8x4x32xbf16>
}

// -----

// Soft-capping after the scale, then the window (left bound only, right
// unbounded) relaxed by the sinks: keep iff j >= pos - 8 or j < 4.
// CHECK-LABEL: func.func @window_sinks_softcap
// A block is skipped when its last key lies left of the first query's
// window and it holds no sink: (j + 64 - 1 >= 128 - 4 - 8) or j < 4.
// CHECK: scf.for %[[J:[^ ]+]] = %{{.+}} to %c128 step %c64 iter_args(%[[M:[^ ]+]] = %{{[^,]+}}, %[[L:[^ ]+]] = %{{[^,]+}}, %[[ACC:[^ ]+]] = %{{[^)]+}})
// CHECK: %[[END:.+]] = arith.addi %[[J]], %c64
// CHECK: %[[LAST:.+]] = arith.subi %[[END]], %c1
// CHECK: %[[FIRSTPOS:.+]] = arith.subi %c128, %c4
// CHECK: %[[LOW:.+]] = arith.subi %[[FIRSTPOS]], %c8
// CHECK: %[[INWIN:.+]] = arith.cmpi sge, %[[LAST]], %[[LOW]]
// CHECK: %[[HASSINK:.+]] = arith.cmpi slt, %[[J]], %c4
// CHECK: %[[NEEDED:.+]] = arith.ori %[[INWIN]], %[[HASSINK]]
// CHECK: %[[IF:.+]]:3 = scf.if %[[NEEDED]]
// CHECK: %[[SCALED:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK: %[[CAP:.+]] = arith.constant 3.000000e+01 : f32
// CHECK: %[[DIV:.+]] = arith.divf %[[SCALED]], %[[CAP]]
// CHECK: %[[TANH:.+]] = math.tanh %[[DIV]]
// CHECK: %[[CAPPED:.+]] = arith.mulf %[[CAP]], %[[TANH]]
// CHECK: %[[KEY:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK: %[[SHIFT:.+]] = arith.subi %c128, %c4
// CHECK: %[[POS:.+]] = arith.addi %{{.+}}, %[[SHIFT]]
// CHECK-NOT: arith.cmpi sle
// CHECK: %[[LO:.+]] = arith.subi %[[POS]], %c8
// CHECK: %[[IN:.+]] = arith.cmpi sge, %[[KEY]], %[[LO]]
// CHECK: %[[SINK:.+]] = arith.cmpi slt, %[[KEY]], %c4{{.*}} : index
// CHECK: %[[KEEP:.+]] = arith.ori %[[IN]], %[[SINK]]
// CHECK: arith.select %[[KEEP]], %[[CAPPED]], %{{.+}} : f32
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[M]], %[[L]], %[[ACC]]
// CHECK: scf.yield %[[IF]]#0, %[[IF]]#1, %[[IF]]#2
func.func @window_sinks_softcap(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x128x16xf32>, %v: tensor<1x2x128x16xf32>) -> tensor<1x2x4x16xf32> {
  %o = loom_attn.attention %q, %k, %v scale(0.5) window(8, -1) sinks(4) softcap(30.0) : tensor<1x2x4x16xf32>, tensor<1x2x128x16xf32>, tensor<1x2x128x16xf32> -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}

// -----

// Everything dynamic: the key loop runs to tensor.dim of the keys with a
// tail block (arith.minsi), the scale is 1/sqrt(D) at run time, and with
// Hkv and G both dynamic the queries are regrouped by a copy (h = hk * G + g)
// instead of a reshape. Mask and bias are read per element with numpy
// broadcasting: a dynamic dim that is 1 at run time (tested once, before
// the loop) reads index 0; the bias (f16, [1, Hq, 1, Skv]) is added, the
// i1 mask selects -inf.
// CHECK-LABEL: func.func @dynamic_mask_bias
// CHECK-SAME: %[[Q:[^:]+]]: tensor<?x?x?x?xf32>, %[[K:[^:]+]]: tensor<?x?x?x?xf32>, %[[V:[^:]+]]: tensor<?x?x?x?xf32>, %[[MASK:[^:]+]]: tensor<?x?xi1>, %[[BIAS:[^:]+]]: tensor<1x?x1x?xf16>
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[HKV:.+]] = tensor.dim %[[K]], %c1
// CHECK: %[[HQ:.+]] = tensor.dim %[[Q]], %c1
// CHECK: %[[G:.+]] = arith.divui %[[HQ]], %[[HKV]]
// CHECK: %[[SKV:.+]] = tensor.dim %[[K]], %c2
// CHECK: math.sqrt
// CHECK: linalg.generic
// CHECK: arith.muli %{{.+}}, %[[G]]
// CHECK: tensor.extract %[[Q]]
// CHECK: %[[MDIM:.+]] = tensor.dim %[[MASK]], %c0
// CHECK: %[[MONE:.+]] = arith.cmpi eq, %[[MDIM]], %c1
// CHECK: scf.for %[[J:.+]] = %{{.+}} to %[[SKV]] step
// CHECK: arith.minsi
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 3 : index
// CHECK: %[[BROW:.+]] = arith.select %{{.+}}, %c0{{.*}}, %{{.+}} : index
// CHECK: %[[BV:.+]] = tensor.extract %[[BIAS]][%c0{{.*}}, %[[BROW]], %c0{{.*}}, %{{.+}}] : tensor<1x?x1x?xf16>
// CHECK: %[[BF:.+]] = arith.extf %[[BV]] : f16 to f32
// CHECK: arith.addf %{{.+}}, %[[BF]]
// CHECK: %[[MROW:.+]] = arith.select %[[MONE]], %c0{{.*}}, %[[I]] : index
// CHECK: %[[MV:.+]] = tensor.extract %[[MASK]][%[[MROW]], %{{.+}}] : tensor<?x?xi1>
// CHECK-NOT: arith.cmpi sle
// CHECK: arith.select %[[MV]], %{{.+}}, %{{.+}} : f32
// CHECK: scf.yield
// CHECK: arith.divui
// CHECK: arith.remui
// CHECK: tensor.extract
// CHECK-NOT: tensor.collapse_shape
// CHECK: return
func.func @dynamic_mask_bias(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %m: tensor<?x?xi1>, %b: tensor<1x?x1x?xf16>) -> tensor<?x?x?x?xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<?x?xi1>) bias(%b : tensor<1x?x1x?xf16>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// -----

// The loop steps by a multiple of the layout's key block (64, also the
// default step). Key block 1 is in no
// head's layout: a table of the key blocks any head sees skips it. Within
// a block, the layout becomes a constant table (one byte per entry), read
// at [head or 0, i / q_block, j / kv_block] (block indices clamped to the
// table).
// CHECK-LABEL: func.func @block_sparse
// CHECK: scf.for %[[J:[^ ]+]] = %{{.+}} to %c192 step %c64
// CHECK: %[[JB:.+]] = arith.divui %[[J]], %c64
// CHECK: %[[JBC:.+]] = arith.minui %[[JB]], %c2
// CHECK: %[[ANY:.+]] = arith.constant dense<[1, 0, 1]> : tensor<3xi8>
// CHECK: %[[SEEN:.+]] = tensor.extract %[[ANY]][%[[JBC]]]
// CHECK: %[[NEEDED:.+]] = arith.cmpi ne, %[[SEEN]], %{{.+}} : i8
// CHECK: scf.if %[[NEEDED]]
// CHECK: %[[QB:.+]] = arith.divui %{{.+}}, %c4
// CHECK: %[[QBC:.+]] = arith.minui %[[QB]], %c1
// CHECK: %[[KB:.+]] = arith.divui %{{.+}}, %c64
// CHECK: %[[KBC:.+]] = arith.minui %[[KB]], %c2
// CHECK: %[[TABLE:.+]] = arith.constant dense<{{\[\[\[}}1, 0, 1], [0, 0, 1]]]> : tensor<1x2x3xi8>
// CHECK: %[[E:.+]] = tensor.extract %[[TABLE]][%c0{{.*}}, %[[QBC]], %[[KBC]]]
// CHECK: %[[KEEP:.+]] = arith.cmpi ne, %[[E]], %{{.+}} : i8
// CHECK: arith.select %[[KEEP]]
// CHECK: } else {
func.func @block_sparse(%q: tensor<1x2x8x8xf32>, %k: tensor<1x2x192x8xf32>, %v: tensor<1x2x192x8xf32>) -> tensor<1x2x8x8xf32> {
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 4, kv_block = 64, layout = dense<[[[true, false, true], [false, false, true]]]> : tensor<1x2x3xi1>>) : tensor<1x2x8x8xf32>, tensor<1x2x192x8xf32>, tensor<1x2x192x8xf32> -> tensor<1x2x8x8xf32>
  return %o : tensor<1x2x8x8xf32>
}

// -----

// Strided shards, stepping by a multiple of the pattern's block (64): query
// head h = hk * G + g keeps key block j / 64 iff (j / 64) % 4 == offsets[h].
// No head reads residue 3, so those blocks are skipped whole.
// CHECK-LABEL: func.func @strided
// CHECK: scf.for %[[J:[^ ]+]] = %{{.+}} to %c300 step %c64
// CHECK: %[[JB:.+]] = arith.divui %[[J]], %c64
// CHECK: %[[JR:.+]] = arith.remui %[[JB]], %c4
// CHECK: %[[ANY:.+]] = arith.constant dense<[1, 1, 1, 0]> : tensor<4xi8>
// CHECK: tensor.extract %[[ANY]][%[[JR]]]
// CHECK: scf.if
// CHECK: %[[HK:.+]] = linalg.index 1
// CHECK: %[[G:.+]] = linalg.index 2
// CHECK: %[[HM:.+]] = arith.muli %[[HK]], %c2
// CHECK: %[[H:.+]] = arith.addi %[[HM]], %[[G]]
// CHECK: %[[BLK:.+]] = arith.divui %{{.+}}, %c64
// CHECK: %[[SHARD:.+]] = arith.remui %[[BLK]], %c4
// CHECK: %[[OFFS:.+]] = arith.constant dense<[0, 1, 2, 1]> : tensor<4xi64>
// CHECK: %[[OFF:.+]] = tensor.extract %[[OFFS]][%[[H]]]
// CHECK: %[[OFFI:.+]] = arith.index_cast %[[OFF]]
// CHECK: %[[KEEP:.+]] = arith.cmpi eq, %[[SHARD]], %[[OFFI]]
// CHECK: arith.select %[[KEEP]]
func.func @strided(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x300x8xf32>, %v: tensor<1x2x300x8xf32>) -> tensor<1x4x8x8xf32> {
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.strided<block = 64, stride = 4, offsets = [0, 1, 2, 1]>) : tensor<1x4x8x8xf32>, tensor<1x2x300x8xf32>, tensor<1x2x300x8xf32> -> tensor<1x4x8x8xf32>
  return %o : tensor<1x4x8x8xf32>
}

// -----

// Paged attention walks the positions of the longest sequence, at most the
// 5 * 16 the block table addresses; each block of keys and values is
// gathered through the table (positions at or past seq_lens[b] read page 0
// and yield 0), then the scores drop keys at or past seq_lens[b] and apply
// causal with Skv = seq_lens[b].
// CHECK-LABEL: func.func @paged
// CHECK-SAME: %[[KC:[^:]+]]: tensor<32x16x2x64xf16>, %[[VC:[^:]+]]: tensor<32x16x2x64xf16>, %[[TABLE:[^:]+]]: tensor<4x5xi32>, %[[LENS:[^:]+]]: tensor<4xi32>
// CHECK: %[[LONGEST:.+]] = linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[LENS]] : tensor<4xi32>)
// CHECK: arith.maxsi
// CHECK: %[[MAXLEN:.+]] = tensor.extract %[[LONGEST]][]
// CHECK: %[[MAXIDX:.+]] = arith.index_cast %[[MAXLEN]]
// CHECK: %[[UB:.+]] = arith.minsi %c80, %[[MAXIDX]]
// CHECK: tensor.expand_shape %{{.+}} output_shape [4, 2, 4, 1, 64]
// CHECK: scf.for %[[J:.+]] = %{{.+}} to %[[UB]] step
// CHECK: %[[KG:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<4x2x?x64xf16>)
// CHECK: %[[T:.+]] = arith.addi %[[J]], %{{.+}} : index
// CHECK: %[[LEN:.+]] = tensor.extract %[[LENS]]
// CHECK: %[[LENI:.+]] = arith.index_cast %[[LEN]]
// CHECK: %[[VALID:.+]] = arith.cmpi slt, %[[T]], %[[LENI]]
// CHECK: %[[PI:.+]] = arith.divui %[[T]], %c16
// CHECK: %[[ENTRY:.+]] = tensor.extract %[[TABLE]][%{{.+}}, %[[PI]]]
// CHECK: %[[ENTRYI:.+]] = arith.index_cast %[[ENTRY]]
// CHECK: %[[PAGE:.+]] = arith.select %[[VALID]], %[[ENTRYI]], %c0
// CHECK: %[[OFF:.+]] = arith.remui %[[T]], %c16
// CHECK: %[[X:.+]] = tensor.extract %[[KC]][%[[PAGE]], %[[OFF]], %{{.+}}, %{{.+}}]
// CHECK: arith.select %[[VALID]], %[[X]], %{{.+}} : f16
// CHECK: %[[VG:.+]] = linalg.generic
// CHECK: tensor.extract %[[VC]]
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[KG]] :
// CHECK: %[[SEQ:.+]] = tensor.extract %[[LENS]]
// CHECK: %[[SKV:.+]] = arith.index_cast %[[SEQ]]
// CHECK: arith.cmpi slt, %{{.+}}, %[[SKV]]
// CHECK: %[[SHIFT:.+]] = arith.subi %[[SKV]], %c1
// CHECK: %[[POS:.+]] = arith.addi %{{.+}}, %[[SHIFT]]
// CHECK: arith.cmpi sle, %{{.+}}, %[[POS]]
// CHECK: math.exp
// CHECK: ins(%{{.+}}, %[[VG]] :
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @paged(%q: tensor<4x8x1x64xf16>, %kc: tensor<32x16x2x64xf16>, %vc: tensor<32x16x2x64xf16>, %t: tensor<4x5xi32>, %l: tensor<4xi32>) -> tensor<4x8x1x64xf16> {
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l causal : tensor<4x8x1x64xf16>, tensor<32x16x2x64xf16>, tensor<32x16x2x64xf16>, tensor<4x5xi32>, tensor<4xi32> -> tensor<4x8x1x64xf16>
  return %o : tensor<4x8x1x64xf16>
}

// -----

// An scf.for over the tokens threads both caches; a token whose slot is
// >= 0 has its key and value rows inserted at (slot / P, slot % P).
// CHECK-LABEL: func.func @kv_cache_write
// CHECK-SAME: %[[K:[^:]+]]: tensor<4x2x64xf16>, %[[V:[^:]+]]: tensor<4x2x64xf16>, %[[KC:[^:]+]]: tensor<32x16x2x64xf16>, %[[VC:[^:]+]]: tensor<32x16x2x64xf16>, %[[SLOTS:[^:]+]]: tensor<4xi32>
// CHECK: %[[R:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %c4 step %{{.+}} iter_args(%[[KA:.+]] = %[[KC]], %[[VA:.+]] = %[[VC]])
// CHECK: %[[S:.+]] = tensor.extract %[[SLOTS]][%[[T]]]
// CHECK: %[[SI:.+]] = arith.index_cast %[[S]] : i32 to index
// CHECK: %[[W:.+]] = arith.cmpi sge, %[[SI]], %{{.+}}
// CHECK: %[[IF:.+]]:2 = scf.if %[[W]]
// CHECK: %[[PAGE:.+]] = arith.divui %[[SI]], %c16
// CHECK: %[[OFF:.+]] = arith.remui %[[SI]], %c16
// CHECK: %[[KROW:.+]] = tensor.extract_slice %[[K]][%[[T]], 0, 0] [1, 2, 64] [1, 1, 1] : tensor<4x2x64xf16> to tensor<2x64xf16>
// CHECK: %[[KN:.+]] = tensor.insert_slice %[[KROW]] into %[[KA]][%[[PAGE]], %[[OFF]], 0, 0] [1, 1, 2, 64]
// CHECK: %[[VROW:.+]] = tensor.extract_slice %[[V]][%[[T]], 0, 0]
// CHECK: %[[VN:.+]] = tensor.insert_slice %[[VROW]] into %[[VA]][%[[PAGE]], %[[OFF]], 0, 0]
// CHECK: scf.yield %[[KN]], %[[VN]]
// CHECK: } else {
// CHECK: scf.yield %[[KA]], %[[VA]]
// CHECK: scf.yield %[[IF]]#0, %[[IF]]#1
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @kv_cache_write(%k: tensor<4x2x64xf16>, %v: tensor<4x2x64xf16>, %kc: tensor<32x16x2x64xf16>, %vc: tensor<32x16x2x64xf16>, %s: tensor<4xi32>) -> (tensor<32x16x2x64xf16>, tensor<32x16x2x64xf16>) {
  %a, %b = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x64xf16>, tensor<4x2x64xf16>, tensor<4xi32> -> tensor<32x16x2x64xf16>, tensor<32x16x2x64xf16>
  return %a, %b : tensor<32x16x2x64xf16>, tensor<32x16x2x64xf16>
}

// -----

// Half-split rope over the first 4 of 8 channels: channel c < 2 pairs
// with c + 2 and subtracts, 2 <= c < 4 pairs with c - 2 and adds, in f32;
// channels >= 4 pass through.
// CHECK-LABEL: func.func @rope
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x2x3x8xbf16>, %[[POS:[^:]+]]: tensor<1x3xi64>, %[[COS:[^:]+]]: tensor<16x2xf32>, %[[SIN:[^:]+]]: tensor<16x2xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<1x2x3x8xbf16>)
// CHECK: ^bb0(%[[IN:.+]]: bf16, %{{.+}}: bf16):
// CHECK: %[[C:.+]] = linalg.index 3
// CHECK: %[[ROT:.+]] = arith.cmpi ult, %[[C]], %c4
// CHECK: %[[FIRST:.+]] = arith.cmpi ult, %[[C]], %c2
// CHECK: %[[P:.+]] = tensor.extract %[[POS]]
// CHECK: %[[PI:.+]] = arith.index_cast %[[P]] : i64 to index
// CHECK: %[[CV:.+]] = tensor.extract %[[COS]][%[[PI]], %{{.+}}]
// CHECK: %[[SV:.+]] = tensor.extract %[[SIN]][%[[PI]], %{{.+}}]
// CHECK: %[[SELF:.+]] = arith.extf %[[IN]] : bf16 to f32
// CHECK: %[[OTHER:.+]] = tensor.extract %[[X]]
// CHECK: %[[OTHERF:.+]] = arith.extf %[[OTHER]] : bf16 to f32
// CHECK: %[[A:.+]] = arith.mulf %[[SELF]], %[[CV]]
// CHECK: %[[B:.+]] = arith.mulf %[[OTHERF]], %[[SV]]
// CHECK: %[[SUB:.+]] = arith.subf %[[A]], %[[B]]
// CHECK: %[[ADD:.+]] = arith.addf %[[A]], %[[B]]
// CHECK: %[[R:.+]] = arith.select %[[FIRST]], %[[SUB]], %[[ADD]]
// CHECK: %[[RT:.+]] = arith.truncf %[[R]] : f32 to bf16
// CHECK: arith.select %[[ROT]], %[[RT]], %[[IN]] : bf16
func.func @rope(%x: tensor<1x2x3x8xbf16>, %p: tensor<1x3xi64>, %c: tensor<16x2xf32>, %s: tensor<16x2xf32>) -> tensor<1x2x3x8xbf16> {
  %r = loom_attn.rope %x, %p, %c, %s rotary_dim(4) : tensor<1x2x3x8xbf16>, tensor<1x3xi64>, tensor<16x2xf32>, tensor<16x2xf32>
  return %r : tensor<1x2x3x8xbf16>
}

// -----

// Interleaved (GPT-J): channel c pairs with c xor 1 and reads column c / 2;
// the even one subtracts.
// CHECK-LABEL: func.func @rope_interleaved
// CHECK: %[[C:.+]] = linalg.index 3
// CHECK: %[[COL:.+]] = arith.divui %[[C]], %c2
// CHECK: %[[PARTNER:.+]] = arith.xori %[[C]], %c1
// CHECK: %[[ODD:.+]] = arith.andi %[[C]], %c1
// CHECK: %[[EVEN:.+]] = arith.cmpi eq, %[[ODD]], %c0
// CHECK: %[[SUB:.+]] = arith.subf
// CHECK: %[[ADD:.+]] = arith.addf
// CHECK: arith.select %[[EVEN]], %[[SUB]], %[[ADD]]
func.func @rope_interleaved(%x: tensor<1x2x3x8xf32>, %p: tensor<1x3xi32>, %c: tensor<16x4xf32>, %s: tensor<16x4xf32>) -> tensor<1x2x3x8xf32> {
  %r = loom_attn.rope %x, %p, %c, %s interleaved : tensor<1x2x3x8xf32>, tensor<1x3xi32>, tensor<16x4xf32>, tensor<16x4xf32>
  return %r : tensor<1x2x3x8xf32>
}

// -----

// Ops of other dialects are left alone.
// CHECK-LABEL: func.func @other_dialects
// CHECK: loom_quant.dequantize
// CHECK: linalg.matmul
// CHECK-NOT: scf.for
// CHECK: return
func.func @other_dialects(%x: tensor<4x8xi8>, %s: tensor<f32>, %w: tensor<8x4xf32>, %acc: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %d = loom_quant.dequantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<4x8xi8>, tensor<f32> -> tensor<4x8xf32>
  %y = linalg.matmul ins(%d, %w : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// Causal prefill over 128 queries and keys. By default one loop over key
// blocks covers all queries. With causal-query-blocks, an outer loop over
// blocks of 64 queries slices the queries, and each block's key loop ends
// at min(Skv, ceil((q0 + 64 + Skv - Sq) / 64) * 64): the block of queries
// [0, 64) never visits keys [64, 128).
// CHECK-LABEL: func.func @causal_prefill
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK-NOT: tensor.insert_slice {{.*}} : tensor<1x2x64x16xf32> into tensor<1x2x128x16xf32>
// CHECK: return
// QBLOCKS-LABEL: func.func @causal_prefill
// QBLOCKS-SAME: %[[Q:[^:]+]]: tensor<1x2x128x16xf32>
// QBLOCKS: %[[OUT:.+]] = scf.for %[[Q0:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<1x2x128x16xf32>)
// QBLOCKS: %[[QB:.+]] = tensor.extract_slice %[[Q]][0, 0, %[[Q0]], 0] [1, 2, 64, 16] [1, 1, 1, 1] : tensor<1x2x128x16xf32> to tensor<1x2x64x16xf32>
// QBLOCKS: %[[END:.+]] = arith.ceildivsi
// QBLOCKS: %[[ENDK:.+]] = arith.muli %[[END]]
// QBLOCKS: %[[STOP:.+]] = arith.minsi %{{.+}}, %[[ENDK]]
// QBLOCKS: scf.for %{{.+}} = %{{.+}} to %[[STOP]] step
// QBLOCKS: tensor.insert_slice %{{.+}} into %[[ACC]][0, 0, %[[Q0]], 0] [1, 2, 64, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf32> into tensor<1x2x128x16xf32>
// QBLOCKS: return %[[OUT]]
func.func @causal_prefill(%q: tensor<1x2x128x16xf32>, %k: tensor<1x2x128x16xf32>, %v: tensor<1x2x128x16xf32>) -> tensor<1x2x128x16xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x2x128x16xf32>, tensor<1x2x128x16xf32>, tensor<1x2x128x16xf32> -> tensor<1x2x128x16xf32>
  return %o : tensor<1x2x128x16xf32>
}
