//===- AttnAttrs.td - Attributes of the loom_attn dialect -------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Structured sparsity of the attention score matrix. Each attribute checks
// what it can on its own (verify()); the op that carries it checks it against
// the operand shapes.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTN_ATTRS_TD
#define LOOM_ATTN_ATTRS_TD

include "dialects/attn/AttnBase.td"
include "mlir/IR/AttrTypeBase.td"

class LoomAttn_Attr<string name, string attrMnemonic>
    : AttrDef<LoomAttn_Dialect, name> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// #loom_attn.block_sparse
//===----------------------------------------------------------------------===//

def LoomAttn_BlockSparseAttr : LoomAttn_Attr<"BlockSparse", "block_sparse"> {
  let summary = "Block-sparse attention layout, per head";
  let description = [{
    Splits the score matrix of each head into tiles of `q_block` queries by
    `kv_block` keys and says, per tile, whether it is computed at all
    (BigBird, Longformer-style global+local layouts, Native Sparse Attention's
    selected blocks). A skipped tile contributes nothing to the softmax.

    * `q_block`, `kv_block`: tile sizes, both > 0.
    * `layout`: an `i1` tensor `[H, QB, KB]`: `layout[h, i, j]` is true when
      query block `i` of head `h` attends to key block `j`. `H` is the number
      of query heads, or 1 when all heads share one layout. `QB` and `KB` are
      the numbers of blocks, `ceil(Sq / q_block)` and `ceil(Skv / kv_block)`
      (the last block of each may be partial).

    The layout combines with the op's other restrictions (`causal`, `window`,
    a mask): a score counts only if all of them allow it.

    Example (one layout for all heads, 128 queries over 128 keys):

    ```mlir
    #loom_attn.block_sparse<q_block = 64, kv_block = 64,
        layout = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>>
    ```
  }];

  let parameters = (ins
    "int64_t":$qBlock,
    "int64_t":$kvBlock,
    AttrParameter<"::mlir::DenseElementsAttr",
                  "i1 tensor [heads, q_blocks, kv_blocks]">:$layout
  );
  let assemblyFormat = [{
    `<` `q_block` `=` $qBlock `,` `kv_block` `=` $kvBlock `,`
        `layout` `=` $layout `>`
  }];
  let genVerifyDecl = 1;

  let extraClassDeclaration = [{
    /// Dimensions of the layout: heads (H or 1), query blocks, key blocks.
    int64_t getNumHeads() const;
    int64_t getNumQueryBlocks() const;
    int64_t getNumKeyBlocks() const;
    /// Whether query block `qBlock` of query head `head` attends to key block
    /// `kvBlock` (a layout shared by all heads answers for every head).
    bool isBlockVisible(int64_t head, int64_t qBlock, int64_t kvBlock) const;
  }];
}

//===----------------------------------------------------------------------===//
// #loom_attn.strided
//===----------------------------------------------------------------------===//

def LoomAttn_StridedAttr : LoomAttn_Attr<"Strided", "strided"> {
  let summary = "Strided per-head shards of the keys (S2-attention)";
  let description = [{
    Cuts the keys into blocks of `block` tokens and gives each query head a
    strided shard of them, so that the heads together cover the whole context
    while each reads only a fraction of it (S2-Attention's heterogeneous
    context sharding): query head `h` attends to key block `j` iff
    `j % stride == offsets[h]`.

    * `block` > 0: tokens per key block.
    * `stride` > 0: one block in `stride` is visible to a head.
    * `offsets`: one entry per query head (or a single entry shared by all
      heads), each in `[0, stride)`.

    Combines with the op's other restrictions as `#loom_attn.block_sparse`
    does; a typical use pairs it with a local `window` so that every head also
    sees its neighbourhood.

    Example (four heads, each reading every fourth block of 16 keys):

    ```mlir
    #loom_attn.strided<block = 16, stride = 4, offsets = [0, 1, 2, 3]>
    ```
  }];

  let parameters = (ins
    "int64_t":$block,
    "int64_t":$stride,
    ArrayRefParameter<"int64_t", "shard of each query head">:$offsets
  );
  let assemblyFormat = [{
    `<` `block` `=` $block `,` `stride` `=` $stride `,`
        `offsets` `=` `[` $offsets `]` `>`
  }];
  let genVerifyDecl = 1;

  let extraClassDeclaration = [{
    /// The shard of query head `head` (the single shared entry if there is
    /// only one).
    int64_t getOffsetForHead(int64_t head) const;
    /// Whether query head `head` attends to key block `kvBlock`.
    bool isBlockVisible(int64_t head, int64_t kvBlock) const;
  }];
}

#endif // LOOM_ATTN_ATTRS_TD
