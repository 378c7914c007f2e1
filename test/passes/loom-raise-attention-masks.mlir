// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-raise-attention))' | FileCheck %s

// transformers' attention mask: (kv <= q) and (the packed-sequence test
// seq[q] == seq[kv]) and (true), where seq is the cumulative sum of
// `pos[t + 1] - pos[t] != 1` over the position ids pos. The band becomes
// `causal`; the packed-sequence test drops out where the raising proves it
// always holds, and stays the mask otherwise.

// transformers' mask as the opset-18 Llama export builds it once the
// importer folds its constants (bench/gpu/models/llama4.onnx, S = 8 here):
// an all-true i1 scalar, `kv <= q` from constant iotas, and the
// packed-sequence test `seq[q] == seq[kv]`, where seq is the cumulative sum
// of a zero tensor (the position ids step by 1 everywhere) read through
// gathered indices. seq is zero everywhere, so the test always holds and
// the mask is `causal` with nothing left.
// CHECK-LABEL: func.func @op_packed_sequence_causal
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xbf16>, %[[K:[^:]+]]: tensor<1x4x8x16xbf16>, %[[V:[^:]+]]: tensor<1x4x8x16xbf16>
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] causal :
// CHECK: return %[[O]]
#scalar = affine_map<(d0, d1, d2, d3) -> ()>
#kvcol = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#qrow = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#all4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @op_packed_sequence_causal(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i64
  %true = arith.constant true
  %zero = arith.constant 0.0 : bf16
  %lowest = arith.constant -3.3895e+38 : bf16
  %steps = arith.constant dense<0> : tensor<1x8xi64>
  %kv = arith.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7]]]]> : tensor<1x1x1x8xi64>
  %qi = arith.constant dense<[[[[0], [1], [2], [3], [4], [5], [6], [7]]]]> : tensor<1x1x8x1xi64>
  %cs_e = tensor.empty() : tensor<1x8xi64>
  %cs_i = linalg.fill ins(%z : i64) outs(%cs_e : tensor<1x8xi64>) -> tensor<1x8xi64>
  %seq = linalg.generic {indexing_maps = [#cs_in, #cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x8xi64>) outs(%cs_i : tensor<1x8xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %x = arith.select %le, %in, %z : i64
    %s = arith.addi %out, %x : i64
    linalg.yield %s : i64
  } -> tensor<1x8xi64>
  %t_e = tensor.empty() : tensor<i1>
  %all = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%t_e : tensor<i1>) {
  ^bb0(%o: i1):
    linalg.yield %true : i1
  } -> tensor<i1>
  %m_e = tensor.empty() : tensor<1x1x8x8xbf16>
  %m = linalg.generic {indexing_maps = [#scalar, #kvcol, #qrow, #all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%all, %kv, %qi : tensor<i1>, tensor<1x1x1x8xi64>, tensor<1x1x8x1xi64>) outs(%m_e : tensor<1x1x8x8xbf16>) {
  ^bb0(%a: i1, %kj: i64, %qi_: i64, %o: bf16):
    %j = linalg.index 3 : index
    %i = linalg.index 2 : index
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x8xi64>
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x8xi64>
    %causal = arith.cmpi sle, %kj, %qi_ : i64
    %same = arith.cmpi eq, %sq, %sk : i64
    %c1 = arith.andi %a, %causal : i1
    %keep = arith.andi %c1, %same : i1
    %r = arith.select %keep, %zero, %lowest : bf16
    linalg.yield %r : bf16
  } -> tensor<1x1x8x8xbf16>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x8x8xbf16>) : tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16> -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}

// -----

// The same mask where the steps are not known (a function argument, as
// when the position ids come from the caller): the sequence ids may differ,
// so the mask stays an operand.
// CHECK-LABEL: func.func @op_packed_sequence_unknown_steps
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%{{[^ ,]+}} : tensor<1x1x8x8xbf16>) :
// CHECK-NOT: causal
// CHECK: return
#kvcol2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#qrow2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#all42 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#cs_in2 = affine_map<(d0, d1, d2) -> (d0, d2)>
#cs_out2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @op_packed_sequence_unknown_steps(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>, %steps: tensor<1x8xi64>) -> tensor<1x4x8x16xbf16> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i64
  %zero = arith.constant 0.0 : bf16
  %lowest = arith.constant -3.3895e+38 : bf16
  %kv = arith.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7]]]]> : tensor<1x1x1x8xi64>
  %qi = arith.constant dense<[[[[0], [1], [2], [3], [4], [5], [6], [7]]]]> : tensor<1x1x8x1xi64>
  %cs_e = tensor.empty() : tensor<1x8xi64>
  %cs_i = linalg.fill ins(%z : i64) outs(%cs_e : tensor<1x8xi64>) -> tensor<1x8xi64>
  %seq = linalg.generic {indexing_maps = [#cs_in2, #cs_out2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x8xi64>) outs(%cs_i : tensor<1x8xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %x = arith.select %le, %in, %z : i64
    %s = arith.addi %out, %x : i64
    linalg.yield %s : i64
  } -> tensor<1x8xi64>
  %m_e = tensor.empty() : tensor<1x1x8x8xbf16>
  %m = linalg.generic {indexing_maps = [#kvcol2, #qrow2, #all42], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kv, %qi : tensor<1x1x1x8xi64>, tensor<1x1x8x1xi64>) outs(%m_e : tensor<1x1x8x8xbf16>) {
  ^bb0(%kj: i64, %qi_: i64, %o: bf16):
    %j = linalg.index 3 : index
    %i = linalg.index 2 : index
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x8xi64>
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x8xi64>
    %causal = arith.cmpi sle, %kj, %qi_ : i64
    %same = arith.cmpi eq, %sq, %sk : i64
    %keep = arith.andi %causal, %same : i1
    %r = arith.select %keep, %zero, %lowest : bf16
    linalg.yield %r : bf16
  } -> tensor<1x1x8x8xbf16>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x8x8xbf16>) : tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16> -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}

// -----

// Uniform sequence ids compared with `ne` drop every key: not causal, the
// mask stays.
// CHECK-LABEL: func.func @op_packed_sequence_never
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%{{[^ ,]+}} : tensor<1x1x8x8xbf16>) :
// CHECK-NOT: causal
// CHECK: return
#kvcol3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#qrow3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#all43 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @op_packed_sequence_never(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : bf16
  %lowest = arith.constant -3.3895e+38 : bf16
  %seq = arith.constant dense<3> : tensor<1x8xi64>
  %kv = arith.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7]]]]> : tensor<1x1x1x8xi64>
  %qi = arith.constant dense<[[[[0], [1], [2], [3], [4], [5], [6], [7]]]]> : tensor<1x1x8x1xi64>
  %m_e = tensor.empty() : tensor<1x1x8x8xbf16>
  %m = linalg.generic {indexing_maps = [#kvcol3, #qrow3, #all43], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kv, %qi : tensor<1x1x1x8xi64>, tensor<1x1x8x1xi64>) outs(%m_e : tensor<1x1x8x8xbf16>) {
  ^bb0(%kj: i64, %qi_: i64, %o: bf16):
    %j = linalg.index 3 : index
    %i = linalg.index 2 : index
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x8xi64>
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x8xi64>
    %causal = arith.cmpi sle, %kj, %qi_ : i64
    %other = arith.cmpi ne, %sq, %sk : i64
    %keep = arith.andi %causal, %other : i1
    %r = arith.select %keep, %zero, %lowest : bf16
    linalg.yield %r : bf16
  } -> tensor<1x1x8x8xbf16>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x8x8xbf16>) : tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16> -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}

// -----

// The same mask in the separate generics the importer writes before fusion
// (llama4.onnx at raising time): the all-true scalar is `1.0 != 0` on a
// constant, the sequence ids of the queries and of the keys are gathered by
// generics of their own, and an `eq` generic compares them.
// CHECK-LABEL: func.func @op_packed_sequence_unfused
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xbf16>, %[[K:[^:]+]]: tensor<1x4x8x16xbf16>, %[[V:[^:]+]]: tensor<1x4x8x16xbf16>
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] causal :
// CHECK: return %[[O]]
#u_scalar = affine_map<(d0, d1, d2, d3) -> ()>
#u_kvcol = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#u_qrow = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#u_all4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#u_cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#u_cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @op_packed_sequence_unfused(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i64
  %f0 = arith.constant 0.0 : f32
  %one = arith.constant dense<1.0> : tensor<f32>
  %zero = arith.constant 0.0 : bf16
  %lowest = arith.constant -3.3895e+38 : bf16
  %steps = arith.constant dense<0> : tensor<1x8xi64>
  %kv = arith.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7]]]]> : tensor<1x1x1x8xi64>
  %qi = arith.constant dense<[[[[0], [1], [2], [3], [4], [5], [6], [7]]]]> : tensor<1x1x8x1xi64>
  %cs_e = tensor.empty() : tensor<1x8xi64>
  %cs_i = linalg.fill ins(%z : i64) outs(%cs_e : tensor<1x8xi64>) -> tensor<1x8xi64>
  %seq = linalg.generic {indexing_maps = [#u_cs_in, #u_cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x8xi64>) outs(%cs_i : tensor<1x8xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %x = arith.select %le, %in, %z : i64
    %s = arith.addi %out, %x : i64
    linalg.yield %s : i64
  } -> tensor<1x8xi64>
  %t_e = tensor.empty() : tensor<i1>
  %all = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%one : tensor<f32>) outs(%t_e : tensor<i1>) {
  ^bb0(%in: f32, %o: i1):
    %ne = arith.cmpf une, %in, %f0 : f32
    linalg.yield %ne : i1
  } -> tensor<i1>
  %b_e = tensor.empty() : tensor<1x1x8x8xi1>
  %le = linalg.generic {indexing_maps = [#u_kvcol, #u_qrow, #u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kv, %qi : tensor<1x1x1x8xi64>, tensor<1x1x8x1xi64>) outs(%b_e : tensor<1x1x8x8xi1>) {
  ^bb0(%kj: i64, %qi_: i64, %o: i1):
    %c = arith.cmpi sle, %kj, %qi_ : i64
    linalg.yield %c : i1
  } -> tensor<1x1x8x8xi1>
  %a1 = linalg.generic {indexing_maps = [#u_scalar, #u_all4, #u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%all, %le : tensor<i1>, tensor<1x1x8x8xi1>) outs(%b_e : tensor<1x1x8x8xi1>) {
  ^bb0(%a: i1, %b: i1, %o: i1):
    %c = arith.andi %a, %b : i1
    linalg.yield %c : i1
  } -> tensor<1x1x8x8xi1>
  %sq_e = tensor.empty() : tensor<1x1x8x1xi64>
  %sq = linalg.generic {indexing_maps = [#u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%sq_e : tensor<1x1x8x1xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 2 : index
    %x = tensor.extract %seq[%c0, %i] : tensor<1x8xi64>
    linalg.yield %x : i64
  } -> tensor<1x1x8x1xi64>
  %sk_e = tensor.empty() : tensor<1x1x1x8xi64>
  %sk = linalg.generic {indexing_maps = [#u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%sk_e : tensor<1x1x1x8xi64>) {
  ^bb0(%o: i64):
    %j = linalg.index 3 : index
    %x = tensor.extract %seq[%c0, %j] : tensor<1x8xi64>
    linalg.yield %x : i64
  } -> tensor<1x1x1x8xi64>
  %same = linalg.generic {indexing_maps = [#u_qrow, #u_kvcol, #u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sq, %sk : tensor<1x1x8x1xi64>, tensor<1x1x1x8xi64>) outs(%b_e : tensor<1x1x8x8xi1>) {
  ^bb0(%a: i64, %b: i64, %o: i1):
    %c = arith.cmpi eq, %a, %b : i64
    linalg.yield %c : i1
  } -> tensor<1x1x8x8xi1>
  %keep = linalg.generic {indexing_maps = [#u_all4, #u_all4, #u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a1, %same : tensor<1x1x8x8xi1>, tensor<1x1x8x8xi1>) outs(%b_e : tensor<1x1x8x8xi1>) {
  ^bb0(%a: i1, %b: i1, %o: i1):
    %c = arith.andi %a, %b : i1
    linalg.yield %c : i1
  } -> tensor<1x1x8x8xi1>
  %m_e = tensor.empty() : tensor<1x1x8x8xbf16>
  %m = linalg.generic {indexing_maps = [#u_all4, #u_all4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%keep : tensor<1x1x8x8xi1>) outs(%m_e : tensor<1x1x8x8xbf16>) {
  ^bb0(%kp: i1, %o: bf16):
    %r = arith.select %kp, %zero, %lowest : bf16
    linalg.yield %r : bf16
  } -> tensor<1x1x8x8xbf16>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x8x8xbf16>) : tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16> -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}

// -----

// The opset-18 exports with a dynamic sequence length (llama_opset18,
// gpt2_opset18 at raising time, reduced by hand): pos is a Range over the
// input's length n, the previous position pos[0] - 1 is prepended by a
// Concat, and the two slices [0, L - 1) and [1, L) of the L = n + 1 ids
// start at max(min(L, 0), 0) = 0 and max(min(L, 1), 0) = 1 (L >= 1: the
// Concat has a piece of one). Their difference is 1 everywhere, the ids are
// all 0, the float mask where(mask, 0, lowest) is exactly the causal band:
// `causal`, no mask left.
// CHECK-LABEL: func.func @op_exported_packed_sequence
// CHECK: %[[Q:.+]] = tensor.reshape
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[Q]], %[[Q]] causal : tensor<1x4x?x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#sc2 = affine_map<(d0, d1) -> ()>
#cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#sc4 = affine_map<(d0, d1, d2, d3) -> ()>
#row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#col = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_exported_packed_sequence(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c64 = arith.constant 64 : index
  %c0_i64 = arith.constant 0 : i64
  %c1_i64 = arith.constant 1 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %true = arith.constant true
  %f0 = arith.constant 0.000000e+00 : f64
  %one = arith.constant dense<1> : tensor<i64>
  %all = arith.constant dense<true> : tensor<i1>
  %zero = arith.constant dense<0.000000e+00> : tensor<f32>
  %lowest = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  // pos[0] - 1, prepended.
  %pos = tensor.expand_shape %iota [[0, 1]] output_shape [1, %len] : tensor<?xi64> into tensor<1x?xi64>
  %pn = tensor.dim %pos, %c1 : tensor<1x?xi64>
  %pn_i64 = arith.index_cast %pn : index to i64
  %f_lo = arith.minsi %pn_i64, %c0_i64 : i64
  %f_cl = arith.maxsi %f_lo, %c0_i64 : i64
  %f_at = arith.index_cast %f_cl : i64 to index
  %e11 = tensor.empty() : tensor<1x1xi64>
  %first = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%o: i64):
    %p = tensor.extract %pos[%c0, %f_at] : tensor<1x?xi64>
    linalg.yield %p : i64
  } -> tensor<1x1xi64>
  %prev = linalg.generic {indexing_maps = [#id2, #sc2, #id2], iterator_types = ["parallel", "parallel"]} ins(%first, %one : tensor<1x1xi64>, tensor<i64>) outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%a: i64, %b: i64, %o: i64):
    %d = arith.subi %a, %b : i64
    linalg.yield %d : i64
  } -> tensor<1x1xi64>
  %cat = tensor.concat dim(1) %prev, %pos : (tensor<1x1xi64>, tensor<1x?xi64>) -> tensor<1x?xi64>
  // The slices [0, n) and [1, n + 1), their bounds clamped to [0, L].
  %l = tensor.dim %cat, %c1 : tensor<1x?xi64>
  %l_i64 = arith.index_cast %l : index to i64
  %end = arith.addi %n_i64, %c1_i64 : i64
  %e_lo = arith.minsi %end, %l_i64 : i64
  %e_cl = arith.maxsi %e_lo, %c0_i64 : i64
  %s0_lo = arith.minsi %l_i64, %c0_i64 : i64
  %s0_cl = arith.maxsi %s0_lo, %c0_i64 : i64
  %s0 = arith.index_cast %s0_cl : i64 to index
  %s1_lo = arith.minsi %l_i64, %c1_i64 : i64
  %s1_cl = arith.maxsi %s1_lo, %c0_i64 : i64
  %s1 = arith.index_cast %s1_cl : i64 to index
  %sz_d = arith.subi %e_cl, %s1_cl : i64
  %sz_i64 = arith.maxsi %sz_d, %c0_i64 : i64
  %sz = arith.index_cast %sz_i64 : i64 to index
  %es = tensor.empty(%sz) : tensor<1x?xi64>
  %cur = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %at = arith.addi %t, %s0 : index
    %p = tensor.extract %cat[%c0, %at] : tensor<1x?xi64>
    linalg.yield %p : i64
  } -> tensor<1x?xi64>
  %next = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %at = arith.addi %t, %s1 : index
    %p = tensor.extract %cat[%c0, %at] : tensor<1x?xi64>
    linalg.yield %p : i64
  } -> tensor<1x?xi64>
  // New sequence where the step is not 1; the ids are the cumulative sum.
  %step = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%next, %cur : tensor<1x?xi64>, tensor<1x?xi64>) outs(%es : tensor<1x?xi64>) {
  ^bb0(%a: i64, %b: i64, %o: i64):
    %d = arith.subi %a, %b : i64
    linalg.yield %d : i64
  } -> tensor<1x?xi64>
  %eb = tensor.empty(%sz) : tensor<1x?xi1>
  %is1 = linalg.generic {indexing_maps = [#id2, #sc2, #id2], iterator_types = ["parallel", "parallel"]} ins(%step, %one : tensor<1x?xi64>, tensor<i64>) outs(%eb : tensor<1x?xi1>) {
  ^bb0(%a: i64, %b: i64, %o: i1):
    %e = arith.cmpi eq, %a, %b : i64
    linalg.yield %e : i1
  } -> tensor<1x?xi1>
  %isnew = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%is1 : tensor<1x?xi1>) outs(%eb : tensor<1x?xi1>) {
  ^bb0(%a: i1, %o: i1):
    %nx = arith.xori %a, %true : i1
    linalg.yield %nx : i1
  } -> tensor<1x?xi1>
  %newi = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%isnew : tensor<1x?xi1>) outs(%es : tensor<1x?xi64>) {
  ^bb0(%a: i1, %o: i64):
    %zx = arith.extui %a : i1 to i64
    linalg.yield %zx : i64
  } -> tensor<1x?xi64>
  %cs_i = linalg.fill ins(%c0_i64 : i64) outs(%es : tensor<1x?xi64>) -> tensor<1x?xi64>
  %seq = linalg.generic {indexing_maps = [#cs_in, #cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%newi : tensor<1x?xi64>) outs(%cs_i : tensor<1x?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %v = arith.select %le, %in, %c0_i64 : i64
    %a = arith.addi %out, %v : i64
    linalg.yield %a : i64
  } -> tensor<1x?xi64>
  // The mask: (kv <= q) and true and (seq[q] == seq[kv]), as a float.
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, %len] : tensor<?xi64> into tensor<1x1x1x?xi64>
  %be = tensor.empty(%len, %len) : tensor<1x1x?x?xi1>
  %band = linalg.generic {indexing_maps = [#col, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv : tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%kv: i64, %qi: i64, %o: i1):
    %le = arith.cmpi sle, %kv, %qi : i64
    linalg.yield %le : i1
  } -> tensor<1x1x?x?xi1>
  %bt = linalg.generic {indexing_maps = [#sc4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%all, %band : tensor<i1>, tensor<1x1x?x?xi1>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%a: i1, %b: i1, %o: i1):
    %c = arith.andi %a, %b : i1
    linalg.yield %c : i1
  } -> tensor<1x1x?x?xi1>
  %eq_e = tensor.empty(%len) : tensor<1x1x?x1xi64>
  %sq = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%eq_e : tensor<1x1x?x1xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 2 : index
    %v = tensor.extract %seq[%c0, %i] : tensor<1x?xi64>
    linalg.yield %v : i64
  } -> tensor<1x1x?x1xi64>
  %ek_e = tensor.empty(%len) : tensor<1x1x1x?xi64>
  %sk = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ek_e : tensor<1x1x1x?xi64>) {
  ^bb0(%o: i64):
    %j = linalg.index 3 : index
    %v = tensor.extract %seq[%c0, %j] : tensor<1x?xi64>
    linalg.yield %v : i64
  } -> tensor<1x1x1x?xi64>
  %same = linalg.generic {indexing_maps = [#row, #col, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sq, %sk : tensor<1x1x?x1xi64>, tensor<1x1x1x?xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%a: i64, %b: i64, %o: i1):
    %e = arith.cmpi eq, %a, %b : i64
    linalg.yield %e : i1
  } -> tensor<1x1x?x?xi1>
  %keep = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bt, %same : tensor<1x1x?x?xi1>, tensor<1x1x?x?xi1>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%a: i1, %b: i1, %o: i1):
    %c = arith.andi %a, %b : i1
    linalg.yield %c : i1
  } -> tensor<1x1x?x?xi1>
  %me = tensor.empty(%len, %len) : tensor<1x1x?x?xf32>
  %m = linalg.generic {indexing_maps = [#id4, #sc4, #sc4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%keep, %zero, %lowest : tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) outs(%me : tensor<1x1x?x?xf32>) {
  ^bb0(%k: i1, %z: f32, %d: f32, %o: f32):
    %r = arith.select %k, %z, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xf32>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// The same mask after elementwise fusion (as loomc --emit=loom prints the
// opset-18 exports): the steps `cat[t + 1] - cat[t] != 1` in one generic
// that reads the Concat twice, the mask in one generic. Still `causal`.
// CHECK-LABEL: func.func @op_exported_packed_sequence_fused
// CHECK: %[[Q:.+]] = tensor.reshape
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[Q]], %[[Q]] causal : tensor<1x4x?x16xf32>
// CHECK: return %[[O]]
#f_id1 = affine_map<(d0) -> (d0)>
#f_id2 = affine_map<(d0, d1) -> (d0, d1)>
#f_cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#f_cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
#f_id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#f_sc4 = affine_map<(d0, d1, d2, d3) -> ()>
#f_row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#f_col = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_exported_packed_sequence_fused(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c0_i64 = arith.constant 0 : i64
  %c1_i64 = arith.constant 1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %f0 = arith.constant 0.000000e+00 : f64
  %zero = arith.constant 0.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#f_id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %posr = linalg.generic {indexing_maps = [#f_id1, #f_id1], iterator_types = ["parallel"]} ins(%iota : tensor<?xi64>) outs(%iota_e : tensor<?xi64>) {
  ^bb0(%c: i64, %o: i64):
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %pos = tensor.expand_shape %posr [[0, 1]] output_shape [1, %len] : tensor<?xi64> into tensor<1x?xi64>
  %e11 = tensor.empty() : tensor<1x1xi64>
  %prev = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%o: i64):
    %p = tensor.extract %pos[%c0, %c0] : tensor<1x?xi64>
    %d = arith.subi %p, %c1_i64 : i64
    linalg.yield %d : i64
  } -> tensor<1x1xi64>
  %cat = tensor.concat dim(1) %prev, %pos : (tensor<1x1xi64>, tensor<1x?xi64>) -> tensor<1x?xi64>
  %l = tensor.dim %cat, %c1 : tensor<1x?xi64>
  %l_i64 = arith.index_cast %l : index to i64
  %s0_lo = arith.minsi %l_i64, %c0_i64 : i64
  %s0_cl = arith.maxsi %s0_lo, %c0_i64 : i64
  %s0 = arith.index_cast %s0_cl : i64 to index
  %s1_lo = arith.minsi %l_i64, %c1_i64 : i64
  %s1_cl = arith.maxsi %s1_lo, %c0_i64 : i64
  %s1 = arith.index_cast %s1_cl : i64 to index
  %es = tensor.empty(%len) : tensor<1x?xi64>
  %steps = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %a0 = arith.addi %t, %s0 : index
    %p0 = tensor.extract %cat[%c0, %a0] : tensor<1x?xi64>
    %a1 = arith.addi %t, %s1 : index
    %p1 = tensor.extract %cat[%c0, %a1] : tensor<1x?xi64>
    %d = arith.subi %p1, %p0 : i64
    %nw = arith.cmpi ne, %d, %c1_i64 : i64
    %z = arith.extui %nw : i1 to i64
    linalg.yield %z : i64
  } -> tensor<1x?xi64>
  %cs_i = linalg.fill ins(%c0_i64 : i64) outs(%es : tensor<1x?xi64>) -> tensor<1x?xi64>
  %seq = linalg.generic {indexing_maps = [#f_cs_in, #f_cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x?xi64>) outs(%cs_i : tensor<1x?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %v = arith.select %le, %in, %c0_i64 : i64
    %a = arith.addi %out, %v : i64
    linalg.yield %a : i64
  } -> tensor<1x?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %me = tensor.empty(%len, %len) : tensor<1x1x?x?xf32>
  %m = linalg.generic {indexing_maps = [#f_row, #f_id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rowv : tensor<1x1x?x1xi64>) outs(%me : tensor<1x1x?x?xf32>) {
  ^bb0(%qi: i64, %o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %kv = arith.index_cast %j : index to i64
    %causal = arith.cmpi sle, %kv, %qi : i64
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x?xi64>
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x?xi64>
    %same = arith.cmpi eq, %sq, %sk : i64
    %keep = arith.andi %causal, %same : i1
    %r = arith.select %keep, %zero, %lowest : f32
    linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xf32>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Negative: the second slice starts at max(min(L, 2), 0) = 2, so the steps
// are cat[t + 2] - cat[t] = 2: every position starts a new sequence, the ids
// count up and the packed-sequence test holds on the diagonal only. The
// mask stays whole.
// CHECK-LABEL: func.func @op_exported_steps_of_two
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%{{[^ ,]+}} : tensor<1x1x?x?xf32>) :
// CHECK-NOT: causal
// CHECK: return
#f_id1 = affine_map<(d0) -> (d0)>
#f_id2 = affine_map<(d0, d1) -> (d0, d1)>
#f_cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#f_cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
#f_id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#f_sc4 = affine_map<(d0, d1, d2, d3) -> ()>
#f_row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#f_col = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_exported_steps_of_two(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c0_i64 = arith.constant 0 : i64
  %c1_i64 = arith.constant 1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %f0 = arith.constant 0.000000e+00 : f64
  %zero = arith.constant 0.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#f_id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %posr = linalg.generic {indexing_maps = [#f_id1, #f_id1], iterator_types = ["parallel"]} ins(%iota : tensor<?xi64>) outs(%iota_e : tensor<?xi64>) {
  ^bb0(%c: i64, %o: i64):
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %pos = tensor.expand_shape %posr [[0, 1]] output_shape [1, %len] : tensor<?xi64> into tensor<1x?xi64>
  %e11 = tensor.empty() : tensor<1x1xi64>
  %prev = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%o: i64):
    %p = tensor.extract %pos[%c0, %c0] : tensor<1x?xi64>
    %d = arith.subi %p, %c1_i64 : i64
    linalg.yield %d : i64
  } -> tensor<1x1xi64>
  %cat = tensor.concat dim(1) %prev, %pos : (tensor<1x1xi64>, tensor<1x?xi64>) -> tensor<1x?xi64>
  %l = tensor.dim %cat, %c1 : tensor<1x?xi64>
  %l_i64 = arith.index_cast %l : index to i64
  %s0_lo = arith.minsi %l_i64, %c0_i64 : i64
  %s0_cl = arith.maxsi %s0_lo, %c0_i64 : i64
  %s0 = arith.index_cast %s0_cl : i64 to index
  %s1_lo = arith.minsi %l_i64, %c2_i64 : i64
  %s1_cl = arith.maxsi %s1_lo, %c0_i64 : i64
  %s1 = arith.index_cast %s1_cl : i64 to index
  %es = tensor.empty(%len) : tensor<1x?xi64>
  %steps = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %a0 = arith.addi %t, %s0 : index
    %p0 = tensor.extract %cat[%c0, %a0] : tensor<1x?xi64>
    %a1 = arith.addi %t, %s1 : index
    %p1 = tensor.extract %cat[%c0, %a1] : tensor<1x?xi64>
    %d = arith.subi %p1, %p0 : i64
    %nw = arith.cmpi ne, %d, %c1_i64 : i64
    %z = arith.extui %nw : i1 to i64
    linalg.yield %z : i64
  } -> tensor<1x?xi64>
  %cs_i = linalg.fill ins(%c0_i64 : i64) outs(%es : tensor<1x?xi64>) -> tensor<1x?xi64>
  %seq = linalg.generic {indexing_maps = [#f_cs_in, #f_cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x?xi64>) outs(%cs_i : tensor<1x?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %v = arith.select %le, %in, %c0_i64 : i64
    %a = arith.addi %out, %v : i64
    linalg.yield %a : i64
  } -> tensor<1x?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %me = tensor.empty(%len, %len) : tensor<1x1x?x?xf32>
  %m = linalg.generic {indexing_maps = [#f_row, #f_id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rowv : tensor<1x1x?x1xi64>) outs(%me : tensor<1x1x?x?xf32>) {
  ^bb0(%qi: i64, %o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %kv = arith.index_cast %j : index to i64
    %causal = arith.cmpi sle, %kv, %qi : i64
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x?xi64>
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x?xi64>
    %same = arith.cmpi eq, %sq, %sk : i64
    %keep = arith.andi %causal, %same : i1
    %r = arith.select %keep, %zero, %lowest : f32
    linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xf32>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Negative: the step test compares with `eq` (a new sequence where the step
// is 1, i.e. everywhere): the ids count up, the mask stays whole.
// CHECK-LABEL: func.func @op_exported_step_test_eq
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%{{[^ ,]+}} : tensor<1x1x?x?xf32>) :
// CHECK-NOT: causal
// CHECK: return
#f_id1 = affine_map<(d0) -> (d0)>
#f_id2 = affine_map<(d0, d1) -> (d0, d1)>
#f_cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#f_cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
#f_id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#f_sc4 = affine_map<(d0, d1, d2, d3) -> ()>
#f_row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#f_col = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_exported_step_test_eq(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c0_i64 = arith.constant 0 : i64
  %c1_i64 = arith.constant 1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %f0 = arith.constant 0.000000e+00 : f64
  %zero = arith.constant 0.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#f_id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %posr = linalg.generic {indexing_maps = [#f_id1, #f_id1], iterator_types = ["parallel"]} ins(%iota : tensor<?xi64>) outs(%iota_e : tensor<?xi64>) {
  ^bb0(%c: i64, %o: i64):
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %pos = tensor.expand_shape %posr [[0, 1]] output_shape [1, %len] : tensor<?xi64> into tensor<1x?xi64>
  %e11 = tensor.empty() : tensor<1x1xi64>
  %prev = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%o: i64):
    %p = tensor.extract %pos[%c0, %c0] : tensor<1x?xi64>
    %d = arith.subi %p, %c1_i64 : i64
    linalg.yield %d : i64
  } -> tensor<1x1xi64>
  %cat = tensor.concat dim(1) %prev, %pos : (tensor<1x1xi64>, tensor<1x?xi64>) -> tensor<1x?xi64>
  %l = tensor.dim %cat, %c1 : tensor<1x?xi64>
  %l_i64 = arith.index_cast %l : index to i64
  %s0_lo = arith.minsi %l_i64, %c0_i64 : i64
  %s0_cl = arith.maxsi %s0_lo, %c0_i64 : i64
  %s0 = arith.index_cast %s0_cl : i64 to index
  %s1_lo = arith.minsi %l_i64, %c1_i64 : i64
  %s1_cl = arith.maxsi %s1_lo, %c0_i64 : i64
  %s1 = arith.index_cast %s1_cl : i64 to index
  %es = tensor.empty(%len) : tensor<1x?xi64>
  %steps = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %a0 = arith.addi %t, %s0 : index
    %p0 = tensor.extract %cat[%c0, %a0] : tensor<1x?xi64>
    %a1 = arith.addi %t, %s1 : index
    %p1 = tensor.extract %cat[%c0, %a1] : tensor<1x?xi64>
    %d = arith.subi %p1, %p0 : i64
    %nw = arith.cmpi eq, %d, %c1_i64 : i64
    %z = arith.extui %nw : i1 to i64
    linalg.yield %z : i64
  } -> tensor<1x?xi64>
  %cs_i = linalg.fill ins(%c0_i64 : i64) outs(%es : tensor<1x?xi64>) -> tensor<1x?xi64>
  %seq = linalg.generic {indexing_maps = [#f_cs_in, #f_cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x?xi64>) outs(%cs_i : tensor<1x?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %v = arith.select %le, %in, %c0_i64 : i64
    %a = arith.addi %out, %v : i64
    linalg.yield %a : i64
  } -> tensor<1x?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %me = tensor.empty(%len, %len) : tensor<1x1x?x?xf32>
  %m = linalg.generic {indexing_maps = [#f_row, #f_id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rowv : tensor<1x1x?x1xi64>) outs(%me : tensor<1x1x?x?xf32>) {
  ^bb0(%qi: i64, %o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %kv = arith.index_cast %j : index to i64
    %causal = arith.cmpi sle, %kv, %qi : i64
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x?xi64>
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x?xi64>
    %same = arith.cmpi eq, %sq, %sk : i64
    %keep = arith.andi %causal, %same : i1
    %r = arith.select %keep, %zero, %lowest : f32
    linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xf32>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Negative: the positions step by 2 (0, 2, 4, ...) after pos[0] - 1 = -1:
// the Concat is no arithmetic sequence (steps 1, 2, 2, ...), the ids are 0,
// 1, 2, ... and the mask stays whole.
// CHECK-LABEL: func.func @op_exported_positions_step_two
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%{{[^ ,]+}} : tensor<1x1x?x?xf32>) :
// CHECK-NOT: causal
// CHECK: return
#f_id1 = affine_map<(d0) -> (d0)>
#f_id2 = affine_map<(d0, d1) -> (d0, d1)>
#f_cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#f_cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
#f_id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#f_sc4 = affine_map<(d0, d1, d2, d3) -> ()>
#f_row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#f_col = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_exported_positions_step_two(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c0_i64 = arith.constant 0 : i64
  %c1_i64 = arith.constant 1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %f0 = arith.constant 0.000000e+00 : f64
  %zero = arith.constant 0.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#f_id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %posr = linalg.generic {indexing_maps = [#f_id1, #f_id1], iterator_types = ["parallel"]} ins(%iota : tensor<?xi64>) outs(%iota_e : tensor<?xi64>) {
  ^bb0(%c: i64, %o: i64):
    %c2 = arith.muli %c, %c2_i64 : i64
    linalg.yield %c2 : i64
  } -> tensor<?xi64>
  %pos = tensor.expand_shape %posr [[0, 1]] output_shape [1, %len] : tensor<?xi64> into tensor<1x?xi64>
  %e11 = tensor.empty() : tensor<1x1xi64>
  %prev = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%o: i64):
    %p = tensor.extract %pos[%c0, %c0] : tensor<1x?xi64>
    %d = arith.subi %p, %c1_i64 : i64
    linalg.yield %d : i64
  } -> tensor<1x1xi64>
  %cat = tensor.concat dim(1) %prev, %pos : (tensor<1x1xi64>, tensor<1x?xi64>) -> tensor<1x?xi64>
  %l = tensor.dim %cat, %c1 : tensor<1x?xi64>
  %l_i64 = arith.index_cast %l : index to i64
  %s0_lo = arith.minsi %l_i64, %c0_i64 : i64
  %s0_cl = arith.maxsi %s0_lo, %c0_i64 : i64
  %s0 = arith.index_cast %s0_cl : i64 to index
  %s1_lo = arith.minsi %l_i64, %c1_i64 : i64
  %s1_cl = arith.maxsi %s1_lo, %c0_i64 : i64
  %s1 = arith.index_cast %s1_cl : i64 to index
  %es = tensor.empty(%len) : tensor<1x?xi64>
  %steps = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %a0 = arith.addi %t, %s0 : index
    %p0 = tensor.extract %cat[%c0, %a0] : tensor<1x?xi64>
    %a1 = arith.addi %t, %s1 : index
    %p1 = tensor.extract %cat[%c0, %a1] : tensor<1x?xi64>
    %d = arith.subi %p1, %p0 : i64
    %nw = arith.cmpi ne, %d, %c1_i64 : i64
    %z = arith.extui %nw : i1 to i64
    linalg.yield %z : i64
  } -> tensor<1x?xi64>
  %cs_i = linalg.fill ins(%c0_i64 : i64) outs(%es : tensor<1x?xi64>) -> tensor<1x?xi64>
  %seq = linalg.generic {indexing_maps = [#f_cs_in, #f_cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x?xi64>) outs(%cs_i : tensor<1x?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %v = arith.select %le, %in, %c0_i64 : i64
    %a = arith.addi %out, %v : i64
    linalg.yield %a : i64
  } -> tensor<1x?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %me = tensor.empty(%len, %len) : tensor<1x1x?x?xf32>
  %m = linalg.generic {indexing_maps = [#f_row, #f_id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rowv : tensor<1x1x?x1xi64>) outs(%me : tensor<1x1x?x?xf32>) {
  ^bb0(%qi: i64, %o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %kv = arith.index_cast %j : index to i64
    %causal = arith.cmpi sle, %kv, %qi : i64
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x?xi64>
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x?xi64>
    %same = arith.cmpi eq, %sq, %sk : i64
    %keep = arith.andi %causal, %same : i1
    %r = arith.select %keep, %zero, %lowest : f32
    linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xf32>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Negative: the packed-sequence test is proven, but the band is `kv < q`:
// the first row keeps no key (the graph averages all values there, `causal`
// would give the diagonal), so the float mask stays whole.
// CHECK-LABEL: func.func @op_exported_strict_band
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%{{[^ ,]+}} : tensor<1x1x?x?xf32>) :
// CHECK-NOT: causal
// CHECK: return
#f_id1 = affine_map<(d0) -> (d0)>
#f_id2 = affine_map<(d0, d1) -> (d0, d1)>
#f_cs_in = affine_map<(d0, d1, d2) -> (d0, d2)>
#f_cs_out = affine_map<(d0, d1, d2) -> (d0, d1)>
#f_id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#f_sc4 = affine_map<(d0, d1, d2, d3) -> ()>
#f_row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#f_col = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_exported_strict_band(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c0_i64 = arith.constant 0 : i64
  %c1_i64 = arith.constant 1 : i64
  %c2_i64 = arith.constant 2 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %f0 = arith.constant 0.000000e+00 : f64
  %zero = arith.constant 0.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#f_id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %posr = linalg.generic {indexing_maps = [#f_id1, #f_id1], iterator_types = ["parallel"]} ins(%iota : tensor<?xi64>) outs(%iota_e : tensor<?xi64>) {
  ^bb0(%c: i64, %o: i64):
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %pos = tensor.expand_shape %posr [[0, 1]] output_shape [1, %len] : tensor<?xi64> into tensor<1x?xi64>
  %e11 = tensor.empty() : tensor<1x1xi64>
  %prev = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%e11 : tensor<1x1xi64>) {
  ^bb0(%o: i64):
    %p = tensor.extract %pos[%c0, %c0] : tensor<1x?xi64>
    %d = arith.subi %p, %c1_i64 : i64
    linalg.yield %d : i64
  } -> tensor<1x1xi64>
  %cat = tensor.concat dim(1) %prev, %pos : (tensor<1x1xi64>, tensor<1x?xi64>) -> tensor<1x?xi64>
  %l = tensor.dim %cat, %c1 : tensor<1x?xi64>
  %l_i64 = arith.index_cast %l : index to i64
  %s0_lo = arith.minsi %l_i64, %c0_i64 : i64
  %s0_cl = arith.maxsi %s0_lo, %c0_i64 : i64
  %s0 = arith.index_cast %s0_cl : i64 to index
  %s1_lo = arith.minsi %l_i64, %c1_i64 : i64
  %s1_cl = arith.maxsi %s1_lo, %c0_i64 : i64
  %s1 = arith.index_cast %s1_cl : i64 to index
  %es = tensor.empty(%len) : tensor<1x?xi64>
  %steps = linalg.generic {indexing_maps = [#f_id2], iterator_types = ["parallel", "parallel"]} outs(%es : tensor<1x?xi64>) {
  ^bb0(%o: i64):
    %t = linalg.index 1 : index
    %a0 = arith.addi %t, %s0 : index
    %p0 = tensor.extract %cat[%c0, %a0] : tensor<1x?xi64>
    %a1 = arith.addi %t, %s1 : index
    %p1 = tensor.extract %cat[%c0, %a1] : tensor<1x?xi64>
    %d = arith.subi %p1, %p0 : i64
    %nw = arith.cmpi ne, %d, %c1_i64 : i64
    %z = arith.extui %nw : i1 to i64
    linalg.yield %z : i64
  } -> tensor<1x?xi64>
  %cs_i = linalg.fill ins(%c0_i64 : i64) outs(%es : tensor<1x?xi64>) -> tensor<1x?xi64>
  %seq = linalg.generic {indexing_maps = [#f_cs_in, #f_cs_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%steps : tensor<1x?xi64>) outs(%cs_i : tensor<1x?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %le = arith.cmpi ule, %j, %i : index
    %v = arith.select %le, %in, %c0_i64 : i64
    %a = arith.addi %out, %v : i64
    linalg.yield %a : i64
  } -> tensor<1x?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %me = tensor.empty(%len, %len) : tensor<1x1x?x?xf32>
  %m = linalg.generic {indexing_maps = [#f_row, #f_id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rowv : tensor<1x1x?x1xi64>) outs(%me : tensor<1x1x?x?xf32>) {
  ^bb0(%qi: i64, %o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %kv = arith.index_cast %j : index to i64
    %causal = arith.cmpi slt, %kv, %qi : i64
    %sq = tensor.extract %seq[%c0, %i] : tensor<1x?xi64>
    %sk = tensor.extract %seq[%c0, %j] : tensor<1x?xi64>
    %same = arith.cmpi eq, %sq, %sk : i64
    %keep = arith.andi %causal, %same : i1
    %r = arith.select %keep, %zero, %lowest : f32
    linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xf32>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}
