//===- AttentionOps.cpp - Attention ops to loom_attn.attention ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// ONNX Attention (opset 23) and com.microsoft MultiHeadAttention /
// GroupQueryAttention become one loom_attn.attention on [B, H, S, D]
// tensors: 3-D [B, S, H*D] operands are split into heads (expand_shape +
// transpose) and merged back, a KV cache (past_key/past_value) is
// concatenated along the sequence and returned as present_key/value, and
// masks, biases, scale, softcap, causal and sliding windows map onto the
// op's operands and attributes.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "dialects/attn/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;
namespace la = mlir::loom::attn;

namespace {

/// [B, S, H*D] -> [B, H, S, D].
FailureOr<Value> toHeads(NodeImporter &n, Value x, int64_t heads) {
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getRank() == 4)
    return x;
  int64_t hidden = t.getDimSize(2);
  if (t.getRank() != 3 || ShapedType::isDynamic(hidden) || heads <= 0 ||
      hidden % heads) {
    n.error() << "cannot split " << t << " into " << heads << " heads";
    return failure();
  }
  auto et = RankedTensorType::get({t.getDimSize(0), t.getDimSize(1), heads, hidden / heads},
                                  t.getElementType());
  Value e = tensor::ExpandShapeOp::create(n.b, n.loc, et, x,
                                          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  return buildTranspose(n.b, n.loc, e, {0, 2, 1, 3});
}

/// [B, H, S, D] -> [B, S, H*D].
Value fromHeads(NodeImporter &n, Value x) {
  Value t = buildTranspose(n.b, n.loc, x, {0, 2, 1, 3});
  auto tt = cast<RankedTensorType>(t.getType());
  int64_t hd = ShapedType::isDynamic(tt.getDimSize(2)) || ShapedType::isDynamic(tt.getDimSize(3))
                   ? ShapedType::kDynamic
                   : tt.getDimSize(2) * tt.getDimSize(3);
  auto rt = RankedTensorType::get({tt.getDimSize(0), tt.getDimSize(1), hd}, tt.getElementType());
  return tensor::CollapseShapeOp::create(n.b, n.loc, rt, t,
                                         SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
}

Value concatSeq(NodeImporter &n, Value past, Value cur) {
  if (!past) return cur;
  return tensor::ConcatOp::create(n.b, n.loc, 2, ValueRange{past, cur});
}

struct AttnConfig {
  std::optional<double> scale, softcap;
  bool causal = false;
  std::optional<std::pair<int64_t, int64_t>> window;
};

LogicalResult emitAttention(NodeImporter &n, Value q, Value k, Value v, Value mask,
                            Value bias, const AttnConfig &c, bool merge3d) {
  OpBuilder &b = n.b;
  auto qt = cast<RankedTensorType>(q.getType());
  auto vt = cast<RankedTensorType>(v.getType());
  auto rt = RankedTensorType::get({qt.getDimSize(0), qt.getDimSize(1), qt.getDimSize(2),
                                   vt.getDimSize(3)},
                                  vt.getElementType());
  FloatAttr scale = c.scale ? b.getF32FloatAttr(*c.scale) : FloatAttr();
  FloatAttr softcap = c.softcap ? b.getF32FloatAttr(*c.softcap) : FloatAttr();
  DenseI64ArrayAttr window = c.window ? b.getDenseI64ArrayAttr({c.window->first, c.window->second})
                                      : DenseI64ArrayAttr();
  auto op = la::AttentionOp::create(b, n.loc, rt, q, k, v, mask, bias, scale,
                                    c.causal ? b.getUnitAttr() : UnitAttr(), window,
                                    IntegerAttr(), softcap, Attribute());
  if (failed(mlir::verify(op))) {
    op.erase();
    return n.error() << "the attention operands do not fit loom_attn.attention (see the error above)";
  }
  Value y = op.getResult();
  return n.setResult(0, merge3d ? fromHeads(n, y) : y);
}

/// ONNX Attention, opset 23.
LogicalResult onnxAttention(NodeImporter &n) {
  if (n.hasOutput(3))
    return n.unsupported("the qk_matmul_output output");
  if (n.getInt("qk_matmul_output_mode", 0) != 0)
    return n.unsupported("qk_matmul_output_mode");
  bool threeD = n.inputType(0).getRank() == 3;
  int64_t qh = n.getInt("q_num_heads", 0), kvh = n.getInt("kv_num_heads", 0);
  FailureOr<Value> q = toHeads(n, n.input(0), qh), k = toHeads(n, n.input(1), kvh),
                   v = toHeads(n, n.input(2), kvh);
  if (failed(q) || failed(k) || failed(v)) return failure();
  Value key = concatSeq(n, n.hasInput(4) ? n.input(4) : Value(), *k);
  Value val = concatSeq(n, n.hasInput(5) ? n.input(5) : Value(), *v);
  AttnConfig c;
  if (n.hasAttr("scale")) c.scale = n.getFloat("scale", 1);
  if (double sc = n.getFloat("softcap", 0); sc > 0) c.softcap = sc;
  if (n.getInt("is_causal", 0)) {
    // ONNX aligns the causal mask at the top left; loom_attn at the bottom
    // right. They agree when the query and key lengths are equal.
    int64_t sq = cast<RankedTensorType>(q->getType()).getDimSize(2);
    int64_t skv = cast<RankedTensorType>(key.getType()).getDimSize(2);
    if (ShapedType::isDynamic(sq) || sq != skv)
      return n.unsupported("is_causal with query and key lengths that may differ");
    c.causal = true;
  }
  Value mask = n.hasInput(3) ? n.input(3) : Value();
  if (failed(emitAttention(n, *q, key, val, mask, Value(), c, threeD))) return failure();
  if (n.hasOutput(1) && failed(n.setResult(1, key))) return failure();
  if (n.hasOutput(2) && failed(n.setResult(2, val))) return failure();
  return success();
}

/// x + bias[part * hidden : (part + 1) * hidden] for packed q/k/v biases.
FailureOr<Value> addBiasPart(NodeImporter &n, Value x, Value bias, int64_t part) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t hidden = t.getDimSize(t.getRank() - 1);
  if (ShapedType::isDynamic(hidden)) return n.unsupported("bias on a dynamic hidden size"), failure();
  Value slice = tensor::ExtractSliceOp::create(
      n.b, n.loc, RankedTensorType::get({hidden}, t.getElementType()), bias,
      ArrayRef<OpFoldResult>{n.b.getIndexAttr(part * hidden)},
      ArrayRef<OpFoldResult>{n.b.getIndexAttr(hidden)}, ArrayRef<OpFoldResult>{n.b.getIndexAttr(1)});
  return buildElementwise(n.b, n.loc, {x, slice}, t.getElementType(),
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return arith::AddFOp::create(b, l, a[0], a[1]);
                          });
}

/// [B, L] key validity (nonzero = keep) -> i1 [B, 1, 1, L].
Value keyMask(NodeImporter &n, Value m) {
  Value i1 = *buildElementwise(n.b, n.loc, {m}, n.b.getI1Type(),
                               [](OpBuilder &b, Location l, ValueRange a) {
                                 return convertScalar(b, l, a[0], b.getI1Type());
                               });
  return insertUnitDims(n.b, n.loc, i1, {1, 2});
}

LogicalResult multiHeadAttention(NodeImporter &n) {
  if (!n.hasInput(1) || !n.hasInput(2))
    return n.unsupported("packed QKV or packed KV inputs");
  if (n.hasInput(8) || n.hasInput(9))
    return n.unsupported("past_sequence_length / cache_indirection (beam search)");
  std::optional<int64_t> heads = n.requireInt("num_heads");
  if (!heads) return failure();
  Value q = n.input(0), k = n.input(1), v = n.input(2);
  if (n.hasInput(3)) {
    if (n.inputType(1).getRank() != 3)
      return n.unsupported("bias with keys already split into heads");
    FailureOr<Value> qb = addBiasPart(n, q, n.input(3), 0), kb = addBiasPart(n, k, n.input(3), 1),
                     vb = addBiasPart(n, v, n.input(3), 2);
    if (failed(qb) || failed(kb) || failed(vb)) return failure();
    q = *qb; k = *kb; v = *vb;
  }
  FailureOr<Value> qh = toHeads(n, q, *heads), kh = toHeads(n, k, *heads), vh = toHeads(n, v, *heads);
  if (failed(qh) || failed(kh) || failed(vh)) return failure();
  Value key = concatSeq(n, n.hasInput(6) ? n.input(6) : Value(), *kh);
  Value val = concatSeq(n, n.hasInput(7) ? n.input(7) : Value(), *vh);
  Value mask;
  if (n.hasInput(4)) {
    if (n.inputType(4).getRank() != 2)
      return n.unsupported("key_padding_mask other than [batch, kv_length]");
    mask = keyMask(n, n.input(4));
  }
  AttnConfig c;
  if (n.hasAttr("scale") && n.getFloat("scale", 0) > 0) c.scale = n.getFloat("scale", 0);
  c.causal = n.getInt("unidirectional", 0);
  Value bias = n.hasInput(5) ? n.input(5) : Value();
  if (failed(emitAttention(n, *qh, key, val, mask, bias, c, /*merge3d=*/true))) return failure();
  if (n.hasOutput(1) && failed(n.setResult(1, key))) return failure();
  if (n.hasOutput(2) && failed(n.setResult(2, val))) return failure();
  return success();
}

LogicalResult groupQueryAttention(NodeImporter &n) {
  if (!n.hasInput(1) || !n.hasInput(2))
    return n.unsupported("packed QKV input");
  if (n.getInt("do_rotary", 0))
    return n.unsupported("do_rotary (apply rotary embedding with a separate node)");
  if (n.getInt("smooth_softmax", 0) || n.hasInput(11))
    return n.unsupported("smooth_softmax / head_sink");
  if (n.hasInput(9))
    return n.unsupported("position_ids");
  std::optional<int64_t> heads = n.requireInt("num_heads"), kvHeads = n.requireInt("kv_num_heads");
  if (!heads || !kvHeads) return failure();
  FailureOr<Value> q = toHeads(n, n.input(0), *heads), k = toHeads(n, n.input(1), *kvHeads),
                   v = toHeads(n, n.input(2), *kvHeads);
  if (failed(q) || failed(k) || failed(v)) return failure();
  Value key = concatSeq(n, n.hasInput(3) ? n.input(3) : Value(), *k);
  Value val = concatSeq(n, n.hasInput(4) ? n.input(4) : Value(), *v);
  // seqlens_k[b] = valid total length - 1: keys past it are padding.
  Value mask;
  if (n.hasInput(5)) {
    auto kt = cast<RankedTensorType>(key.getType());
    int64_t B = kt.getDimSize(0), L = kt.getDimSize(2);
    SmallVector<Value> dyn;
    if (ShapedType::isDynamic(B)) dyn.push_back(tensor::DimOp::create(n.b, n.loc, key, 0));
    if (ShapedType::isDynamic(L)) dyn.push_back(tensor::DimOp::create(n.b, n.loc, key, 2));
    Value lens = n.input(5);
    AffineMap m = AffineMap::get(2, 0, {n.b.getAffineDimExpr(0)}, n.ctx());
    Value m2 = buildIndexed(n.b, n.loc, {B, L}, n.b.getI1Type(), dyn, {lens}, {m},
                            [&](OpBuilder &b, Location l, ValueRange a, ValueRange idx) -> Value {
                              Value j = arith::IndexCastOp::create(b, l, b.getI64Type(), idx[1]);
                              Value len = convertScalar(b, l, a[0], b.getI64Type());
                              return arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, j, len);
                            });
    mask = insertUnitDims(n.b, n.loc, m2, {1, 2});
  }
  AttnConfig c;
  c.causal = true;
  if (double s = n.getFloat("scale", 0); s > 0) c.scale = s;
  if (double sc = n.getFloat("softcap", 0); sc > 0) c.softcap = sc;
  if (int64_t w = n.getInt("local_window_size", -1); w > 0)
    c.window = std::make_pair(w - 1, (int64_t)0);
  Value bias = n.hasInput(10) ? n.input(10) : Value();
  if (failed(emitAttention(n, *q, key, val, mask, bias, c, /*merge3d=*/true))) return failure();
  if (n.hasOutput(1) && failed(n.setResult(1, key))) return failure();
  if (n.hasOutput(2) && failed(n.setResult(2, val))) return failure();
  return success();
}

/// RotaryEmbedding: com.microsoft (input, position_ids, cos, sin) and ONNX
/// opset 23 (input, cos, sin, position_ids) -> loom_attn.rope on heads.
template <bool Onnx23>
LogicalResult rotaryEmbedding(NodeImporter &n) {
  unsigned posIdx = Onnx23 ? 3 : 1, cosIdx = Onnx23 ? 1 : 2, sinIdx = Onnx23 ? 2 : 3;
  Value cosC = n.input(cosIdx), sinC = n.input(sinIdx), pos;
  if (Onnx23 && !n.hasInput(posIdx)) {
    // Without position_ids the caches are per token, [B, S, R/2]: flatten
    // them to [B*S, R/2] and read row b*S + s.
    auto ct = n.inputType(cosIdx);
    if (ct.getRank() != 3)
      return n.error() << "without position_ids cos_cache must be [batch, sequence, rotary_dim/2]";
    SmallVector<ReassociationIndices> g{{0, 1}, {2}};
    auto flat = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t bs = t.isDynamicDim(0) || t.isDynamicDim(1) ? ShapedType::kDynamic
                                                          : t.getDimSize(0) * t.getDimSize(1);
      return tensor::CollapseShapeOp::create(
          n.b, n.loc, RankedTensorType::get({bs, t.getDimSize(2)}, t.getElementType()), v, g);
    };
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < 2; ++d)
      if (ct.isDynamicDim(d)) dyn.push_back(tensor::DimOp::create(n.b, n.loc, cosC, d));
    Value seq = tensor::DimOp::create(n.b, n.loc, cosC, 1);
    pos = buildIndexed(n.b, n.loc, {ct.getDimSize(0), ct.getDimSize(1)}, n.b.getI64Type(), dyn,
                       {}, {}, [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
                         Value p = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, idx[0], seq), idx[1]);
                         return arith::IndexCastOp::create(b, l, b.getI64Type(), p);
                       });
    cosC = flat(cosC);
    sinC = flat(sinC);
  } else if (!n.hasInput(posIdx) || n.inputType(posIdx).getRank() != 2) {
    return n.unsupported("position_ids other than [batch, sequence]");
  } else {
    pos = n.input(posIdx);
  }
  if (n.getInt("is_packed_batching", 0))
    return n.unsupported("packed batching");
  auto xt = n.inputType(0);
  bool threeD = xt.getRank() == 3;
  int64_t heads = n.getInt("num_heads", 0);
  if (threeD && heads <= 0) {
    // Without num_heads the head size comes from the cache: R/2 * 2 == D.
    auto cacheT = n.inputType(cosIdx);
    int64_t half = cacheT.getDimSize(cacheT.getRank() - 1);
    int64_t rot = n.getInt("rotary_embedding_dim", 0);
    if (rot == 0 && !ShapedType::isDynamic(half) && !xt.isDynamicDim(2))
      heads = xt.getDimSize(2) / (2 * half);
  }
  FailureOr<Value> x = toHeads(n, n.input(0), heads);
  if (failed(x)) return failure();
  int64_t rot = n.getInt("rotary_embedding_dim", 0);
  std::optional<int64_t> rotDim;
  if (rot > 0) rotDim = rot;
  auto op = la::RopeOp::create(n.b, n.loc, *x, pos, cosC, sinC,
                               (bool)n.getInt("interleaved", 0), rotDim);
  if (failed(mlir::verify(op))) {
    op.erase();
    return n.error() << "the operands do not fit loom_attn.rope (see the error above)";
  }
  return n.setResult(0, threeD ? fromHeads(n, op.getResult()) : op.getResult());
}

} // namespace

void mlir::loom::onnx_import::registerAttentionOps(OpTable &t) {
  t.add("", "RotaryEmbedding", 23, rotaryEmbedding<true>);
  t.add("com.microsoft", "RotaryEmbedding", 1, rotaryEmbedding<false>);
  t.add("", "Attention", 23, onnxAttention);
  t.add("com.microsoft", "MultiHeadAttention", 1, multiHeadAttention);
  t.add("com.microsoft", "GroupQueryAttention", 1, groupQueryAttention);
}
