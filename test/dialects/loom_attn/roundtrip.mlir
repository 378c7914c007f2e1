// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s

// Multi-head attention, no options: the default scale is implied.
// CHECK-LABEL: func.func @attention_mha(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x16x32xf32>
// CHECK-SAME:    %[[K:[a-zA-Z0-9_]+]]: tensor<2x8x16x32xf32>
// CHECK-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<2x8x16x32xf32>
// CHECK:         %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] :
// CHECK-SAME:      tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
// CHECK:         return %[[O]]
func.func @attention_mha(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>,
                         %v: tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32> {
  %o = loom_attn.attention %q, %k, %v
      : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return %o : tensor<2x8x16x32xf32>
}

// -----

// Grouped-query (32 query heads over 8 kv heads) causal prefill with an
// explicit scale and a value head dim and element type of its own.
// CHECK-LABEL: func.func @attention_gqa_causal(
// CHECK:         loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} scale(1.250000e-01) causal :
// CHECK-SAME:      tensor<1x32x512x64xf16>, tensor<1x8x512x64xf16>, tensor<1x8x512x96xbf16> -> tensor<1x32x512x96xbf16>
func.func @attention_gqa_causal(%q: tensor<1x32x512x64xf16>, %k: tensor<1x8x512x64xf16>,
                                %v: tensor<1x8x512x96xbf16>) -> tensor<1x32x512x96xbf16> {
  %o = loom_attn.attention %q, %k, %v scale(0.125) causal
      : tensor<1x32x512x64xf16>, tensor<1x8x512x64xf16>, tensor<1x8x512x96xbf16> -> tensor<1x32x512x96xbf16>
  return %o : tensor<1x32x512x96xbf16>
}

// -----

// Multi-query attention: one kv head.
// CHECK-LABEL: func.func @attention_mqa(
// CHECK:         loom_attn.attention
// CHECK-SAME:      tensor<1x16x8x64xbf16>, tensor<1x1x8x64xbf16>, tensor<1x1x8x64xbf16> -> tensor<1x16x8x64xbf16>
func.func @attention_mqa(%q: tensor<1x16x8x64xbf16>, %k: tensor<1x1x8x64xbf16>,
                         %v: tensor<1x1x8x64xbf16>) -> tensor<1x16x8x64xbf16> {
  %o = loom_attn.attention %q, %k, %v
      : tensor<1x16x8x64xbf16>, tensor<1x1x8x64xbf16>, tensor<1x1x8x64xbf16> -> tensor<1x16x8x64xbf16>
  return %o : tensor<1x16x8x64xbf16>
}

// -----

// An i1 mask of full rank and a float mask broadcast from [Sq, Skv].
// CHECK-LABEL: func.func @attention_masks(
// CHECK-SAME:    %[[MI:[a-zA-Z0-9_]+]]: tensor<2x1x16x24xi1>
// CHECK-SAME:    %[[MF:[a-zA-Z0-9_]+]]: tensor<16x24xf32>
// CHECK:         loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[MI]] : tensor<2x1x16x24xi1>) :
// CHECK:         loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[MF]] : tensor<16x24xf32>) :
func.func @attention_masks(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x24x32xf32>,
                           %v: tensor<2x8x24x32xf32>, %mi: tensor<2x1x16x24xi1>,
                           %mf: tensor<16x24xf32>) -> (tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) {
  %o = loom_attn.attention %q, %k, %v mask(%mi : tensor<2x1x16x24xi1>)
      : tensor<2x8x16x32xf32>, tensor<2x8x24x32xf32>, tensor<2x8x24x32xf32> -> tensor<2x8x16x32xf32>
  %o1 = loom_attn.attention %q, %k, %v mask(%mf : tensor<16x24xf32>)
      : tensor<2x8x16x32xf32>, tensor<2x8x24x32xf32>, tensor<2x8x24x32xf32> -> tensor<2x8x16x32xf32>
  return %o, %o1 : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>
}

// -----

// ALiBi-style bias [Hq, 1, Skv] together with a mask: both optional operands
// keep their places.
// CHECK-LABEL: func.func @attention_bias(
// CHECK-SAME:    %[[M:[a-zA-Z0-9_]+]]: tensor<1x1x16x16xi1>
// CHECK-SAME:    %[[B:[a-zA-Z0-9_]+]]: tensor<8x1x16xf32>
// CHECK:         loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} bias(%[[B]] : tensor<8x1x16xf32>) :
// CHECK:         loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[M]] : tensor<1x1x16x16xi1>) bias(%[[B]] : tensor<8x1x16xf32>) causal :
func.func @attention_bias(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>,
                          %v: tensor<2x8x16x32xf32>, %m: tensor<1x1x16x16xi1>,
                          %b: tensor<8x1x16xf32>) -> (tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) {
  %o = loom_attn.attention %q, %k, %v bias(%b : tensor<8x1x16xf32>)
      : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  %o1 = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x16x16xi1>) bias(%b : tensor<8x1x16xf32>) causal
      : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return %o, %o1 : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>
}

// -----

// Sliding window with attention sinks and logit soft-capping, in the
// canonical order whatever order the sugar was written in.
// CHECK-LABEL: func.func @attention_window_sinks_softcap(
// CHECK:         loom_attn.attention {{.*}} causal window(4095, 0) sinks(4) softcap(5.000000e+01) :
// CHECK:         loom_attn.attention {{.*}} window(-1, 16) :
// CHECK:         loom_attn.attention {{.*}} window(8, -1) sinks(0) :
func.func @attention_window_sinks_softcap(%q: tensor<1x8x64x32xf32>, %k: tensor<1x8x64x32xf32>,
                                          %v: tensor<1x8x64x32xf32>) -> tensor<1x8x64x32xf32> {
  %o = loom_attn.attention %q, %k, %v causal window(4095, 0) sinks(4) softcap(50.0)
      : tensor<1x8x64x32xf32>, tensor<1x8x64x32xf32>, tensor<1x8x64x32xf32> -> tensor<1x8x64x32xf32>
  %o1 = loom_attn.attention %q, %k, %v window(-1, 16)
      : tensor<1x8x64x32xf32>, tensor<1x8x64x32xf32>, tensor<1x8x64x32xf32> -> tensor<1x8x64x32xf32>
  %o2 = loom_attn.attention %q, %k, %v window(8, -1) sinks(0)
      : tensor<1x8x64x32xf32>, tensor<1x8x64x32xf32>, tensor<1x8x64x32xf32> -> tensor<1x8x64x32xf32>
  return %o : tensor<1x8x64x32xf32>
}

// -----

// Block-sparse layouts: per head ([Hq, QB, KB]) and shared ([1, QB, KB]),
// with partial last blocks (100 queries, 130 keys in blocks of 64).
// CHECK-LABEL: func.func @attention_block_sparse(
// CHECK:         loom_attn.attention {{.*}} sparsity(#loom_attn.block_sparse<q_block = 64, kv_block = 64, layout = dense<{{.*}}> : tensor<2x2x3xi1>>) :
// CHECK:         loom_attn.attention {{.*}} causal sparsity(#loom_attn.block_sparse<q_block = 32, kv_block = 128, layout = dense<true> : tensor<1x4x2xi1>>) :
func.func @attention_block_sparse(%q: tensor<1x2x100x32xf32>, %k: tensor<1x2x130x32xf32>,
                                  %v: tensor<1x2x130x32xf32>) -> (tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32>) {
  %o = loom_attn.attention %q, %k, %v
      sparsity(#loom_attn.block_sparse<q_block = 64, kv_block = 64,
               layout = dense<[[[true, false, false], [true, true, false]],
                               [[true, false, true], [false, true, true]]]> : tensor<2x2x3xi1>>)
      : tensor<1x2x100x32xf32>, tensor<1x2x130x32xf32>, tensor<1x2x130x32xf32> -> tensor<1x2x100x32xf32>
  %o1 = loom_attn.attention %q, %k, %v causal
      sparsity(#loom_attn.block_sparse<q_block = 32, kv_block = 128, layout = dense<true> : tensor<1x4x2xi1>>)
      : tensor<1x2x100x32xf32>, tensor<1x2x130x32xf32>, tensor<1x2x130x32xf32> -> tensor<1x2x100x32xf32>
  return %o, %o1 : tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32>
}

// -----

// S2-attention strided shards, one offset per head and a shared one, with a
// local window beside them.
// CHECK-LABEL: func.func @attention_strided(
// CHECK:         loom_attn.attention {{.*}} window(63, 0) sparsity(#loom_attn.strided<block = 16, stride = 4, offsets = [0, 1, 2, 3]>) :
// CHECK:         loom_attn.attention {{.*}} sparsity(#loom_attn.strided<block = 8, stride = 2, offsets = [1]>) :
func.func @attention_strided(%q: tensor<1x4x256x64xbf16>, %k: tensor<1x4x256x64xbf16>,
                             %v: tensor<1x4x256x64xbf16>) -> (tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>) {
  %o = loom_attn.attention %q, %k, %v window(63, 0)
      sparsity(#loom_attn.strided<block = 16, stride = 4, offsets = [0, 1, 2, 3]>)
      : tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16> -> tensor<1x4x256x64xbf16>
  %o1 = loom_attn.attention %q, %k, %v
      sparsity(#loom_attn.strided<block = 8, stride = 2, offsets = [1]>)
      : tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16> -> tensor<1x4x256x64xbf16>
  return %o, %o1 : tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>
}

// -----

// Dynamic batch, heads, lengths and head dims everywhere, including the mask
// and the sparsity attributes (which are checked only against static dims).
// CHECK-LABEL: func.func @attention_dynamic(
// CHECK:         loom_attn.attention {{.*}} mask(%{{.+}} : tensor<?x1x?x?xf16>) bias(%{{.+}} : tensor<?x?xf32>) causal sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 16, layout = dense<false> : tensor<3x5x7xi1>>) :
// CHECK-SAME:      tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?x?xf16>
// CHECK:         loom_attn.attention {{.*}} sparsity(#loom_attn.strided<block = 4, stride = 3, offsets = [0, 1, 2, 0, 1]>) :
func.func @attention_dynamic(%q: tensor<?x?x?x?xf16>, %k: tensor<?x?x?x?xf16>,
                             %v: tensor<?x?x?x?xf16>, %m: tensor<?x1x?x?xf16>,
                             %b: tensor<?x?xf32>) -> (tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>) {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<?x1x?x?xf16>) bias(%b : tensor<?x?xf32>) causal
      sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 16, layout = dense<false> : tensor<3x5x7xi1>>)
      : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?x?xf16>
  %o1 = loom_attn.attention %q, %k, %v
      sparsity(#loom_attn.strided<block = 4, stride = 3, offsets = [0, 1, 2, 0, 1]>)
      : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?x?xf16>
  return %o, %o1 : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>
}

// -----

// Decode: one query per sequence over 48 keys; causal is bottom-right
// aligned, so the query sees them all.
// CHECK-LABEL: func.func @attention_decode(
// CHECK:         loom_attn.attention {{.*}} causal :
// CHECK-SAME:      tensor<4x8x1x64xf32>, tensor<4x2x48x64xf32>, tensor<4x2x48x64xf32> -> tensor<4x8x1x64xf32>
func.func @attention_decode(%q: tensor<4x8x1x64xf32>, %k: tensor<4x2x48x64xf32>,
                            %v: tensor<4x2x48x64xf32>) -> tensor<4x8x1x64xf32> {
  %o = loom_attn.attention %q, %k, %v causal
      : tensor<4x8x1x64xf32>, tensor<4x2x48x64xf32>, tensor<4x2x48x64xf32> -> tensor<4x8x1x64xf32>
  return %o : tensor<4x8x1x64xf32>
}

// -----

// The generic form reads back into the custom one.
// CHECK-LABEL: func.func @attention_generic(
// CHECK:         loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} bias(%{{.+}} : tensor<4x4xf32>) scale(5.000000e-01) window(2, 2) :
func.func @attention_generic(%q: tensor<1x1x4x4xf32>, %k: tensor<1x1x4x4xf32>,
                             %v: tensor<1x1x4x4xf32>, %b: tensor<4x4xf32>) -> tensor<1x1x4x4xf32> {
  %o = "loom_attn.attention"(%q, %k, %v, %b)
      <{scale = 5.000000e-01 : f32, window = array<i64: 2, 2>,
        operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>}>
      : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<4x4xf32>) -> tensor<1x1x4x4xf32>
  return %o : tensor<1x1x4x4xf32>
}

// -----

// Decode over a paged cache: [blocks, block_size, kv_heads, head_dim].
// CHECK-LABEL: func.func @paged_attention_decode(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<4x32x1x128xbf16>
// CHECK-SAME:    %[[KC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[VC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[T:[a-zA-Z0-9_]+]]: tensor<4x64xi32>
// CHECK-SAME:    %[[L:[a-zA-Z0-9_]+]]: tensor<4xi32>
// CHECK:         %[[O:.+]] = loom_attn.paged_attention %[[Q]], %[[KC]], %[[VC]], %[[T]], %[[L]] causal :
// CHECK-SAME:      tensor<4x32x1x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<4x64xi32>, tensor<4xi32> -> tensor<4x32x1x128xbf16>
// CHECK:         return %[[O]]
func.func @paged_attention_decode(%q: tensor<4x32x1x128xbf16>, %kc: tensor<1024x16x8x128xbf16>,
                                  %vc: tensor<1024x16x8x128xbf16>, %table: tensor<4x64xi32>,
                                  %lens: tensor<4xi32>) -> tensor<4x32x1x128xbf16> {
  %o = loom_attn.paged_attention %q, %kc, %vc, %table, %lens causal
      : tensor<4x32x1x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>,
        tensor<4x64xi32>, tensor<4xi32> -> tensor<4x32x1x128xbf16>
  return %o : tensor<4x32x1x128xbf16>
}

// -----

// Chunked prefill over the cache, every score attribute, a value head dim of
// its own, dynamic batch, chunk and cache size.
// CHECK-LABEL: func.func @paged_attention_all_attrs(
// CHECK:         loom_attn.paged_attention {{.*}} scale(2.500000e-01) causal window(1023, 0) sinks(4) softcap(3.000000e+01) :
// CHECK-SAME:      tensor<?x8x?x16xf16>, tensor<?x32x2x16xf16>, tensor<?x32x2x24xf16>, tensor<?x?xi32>, tensor<?xi32> -> tensor<?x8x?x24xf16>
func.func @paged_attention_all_attrs(%q: tensor<?x8x?x16xf16>, %kc: tensor<?x32x2x16xf16>,
                                     %vc: tensor<?x32x2x24xf16>, %table: tensor<?x?xi32>,
                                     %lens: tensor<?xi32>) -> tensor<?x8x?x24xf16> {
  %o = loom_attn.paged_attention %q, %kc, %vc, %table, %lens scale(0.25) causal
      window(1023, 0) sinks(4) softcap(30.0)
      : tensor<?x8x?x16xf16>, tensor<?x32x2x16xf16>, tensor<?x32x2x24xf16>,
        tensor<?x?xi32>, tensor<?xi32> -> tensor<?x8x?x24xf16>
  return %o : tensor<?x8x?x24xf16>
}

// -----

// Writing the new tokens' keys and values, then attending over the updated
// caches: both results are used.
// CHECK-LABEL: func.func @write_then_attend(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<4x32x1x128xbf16>
// CHECK-SAME:    %[[KNEW:[a-zA-Z0-9_]+]]: tensor<4x8x128xbf16>
// CHECK-SAME:    %[[VNEW:[a-zA-Z0-9_]+]]: tensor<4x8x128xbf16>
// CHECK-SAME:    %[[KC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[VC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<4xi32>
// CHECK:         %[[KC2:[a-zA-Z0-9_]+]], %[[VC2:[a-zA-Z0-9_]+]] = loom_attn.kv_cache_write %[[KNEW]], %[[VNEW]] into %[[KC]], %[[VC]] at %[[S]] :
// CHECK-SAME:      tensor<4x8x128xbf16>, tensor<4x8x128xbf16>, tensor<4xi32> -> tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>
// CHECK:         loom_attn.paged_attention %[[Q]], %[[KC2]], %[[VC2]],
func.func @write_then_attend(%q: tensor<4x32x1x128xbf16>, %knew: tensor<4x8x128xbf16>,
                             %vnew: tensor<4x8x128xbf16>,
                             %kc: tensor<1024x16x8x128xbf16>, %vc: tensor<1024x16x8x128xbf16>,
                             %slots: tensor<4xi32>, %table: tensor<4x64xi32>,
                             %lens: tensor<4xi32>) -> tensor<4x32x1x128xbf16> {
  %kc2, %vc2 = loom_attn.kv_cache_write %knew, %vnew into %kc, %vc at %slots
      : tensor<4x8x128xbf16>, tensor<4x8x128xbf16>, tensor<4xi32>
        -> tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>
  %o = loom_attn.paged_attention %q, %kc2, %vc2, %table, %lens
      : tensor<4x32x1x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>,
        tensor<4x64xi32>, tensor<4xi32> -> tensor<4x32x1x128xbf16>
  return %o : tensor<4x32x1x128xbf16>
}

// -----

// A dynamic token count (a whole prefill chunk written at once), different
// key and value head dims, a dynamic cache.
// CHECK-LABEL: func.func @kv_cache_write_dynamic(
// CHECK:         loom_attn.kv_cache_write {{.*}} : tensor<?x2x16xf32>, tensor<?x2x8xf32>, tensor<?xi32> -> tensor<64x8x2x16xf32>, tensor<?x?x?x?xf32>
func.func @kv_cache_write_dynamic(%k: tensor<?x2x16xf32>, %v: tensor<?x2x8xf32>,
                                  %kc: tensor<64x8x2x16xf32>, %vc: tensor<?x?x?x?xf32>,
                                  %s: tensor<?xi32>) -> (tensor<64x8x2x16xf32>, tensor<?x?x?x?xf32>) {
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s
      : tensor<?x2x16xf32>, tensor<?x2x8xf32>, tensor<?xi32> -> tensor<64x8x2x16xf32>, tensor<?x?x?x?xf32>
  return %kc2, %vc2 : tensor<64x8x2x16xf32>, tensor<?x?x?x?xf32>
}

// -----

// Rotary embedding: half-split (default), interleaved, partial rotary_dim,
// i32 and i64 positions.
// CHECK-LABEL: func.func @rope(
// CHECK-SAME:    %[[X:[a-zA-Z0-9_]+]]: tensor<1x32x512x128xbf16>
// CHECK-SAME:    %[[P:[a-zA-Z0-9_]+]]: tensor<1x512xi32>
// CHECK-SAME:    %[[C:[a-zA-Z0-9_]+]]: tensor<4096x64xf32>
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<4096x64xf32>
// CHECK:         %[[R:.+]] = loom_attn.rope %[[X]], %[[P]], %[[C]], %[[S]] :
// CHECK-SAME:      tensor<1x32x512x128xbf16>, tensor<1x512xi32>, tensor<4096x64xf32>, tensor<4096x64xf32>
// CHECK:         loom_attn.rope %[[R]], %[[P]], %[[C]], %[[S]] interleaved :
// CHECK:         loom_attn.rope {{.*}} interleaved rotary_dim(64) :
// CHECK-SAME:      tensor<?x8x?x?xf16>, tensor<?x?xi64>, tensor<?x32xf32>, tensor<?x32xf32>
func.func @rope(%x: tensor<1x32x512x128xbf16>, %pos: tensor<1x512xi32>,
                %cos: tensor<4096x64xf32>, %sin: tensor<4096x64xf32>,
                %y: tensor<?x8x?x?xf16>, %pos64: tensor<?x?xi64>,
                %cos32: tensor<?x32xf32>, %sin32: tensor<?x32xf32>) -> (tensor<1x32x512x128xbf16>, tensor<?x8x?x?xf16>) {
  %r = loom_attn.rope %x, %pos, %cos, %sin
      : tensor<1x32x512x128xbf16>, tensor<1x512xi32>, tensor<4096x64xf32>, tensor<4096x64xf32>
  %r1 = loom_attn.rope %r, %pos, %cos, %sin interleaved
      : tensor<1x32x512x128xbf16>, tensor<1x512xi32>, tensor<4096x64xf32>, tensor<4096x64xf32>
  %r2 = loom_attn.rope %y, %pos64, %cos32, %sin32 interleaved rotary_dim(64)
      : tensor<?x8x?x?xf16>, tensor<?x?xi64>, tensor<?x32xf32>, tensor<?x32xf32>
  return %r1, %r2 : tensor<1x32x512x128xbf16>, tensor<?x8x?x?xf16>
}
