#!/usr/bin/env python3
"""Emulates the 3xTF32 matmul of the NVIDIA f32 kernels in numpy.

The kernels (loom-nvidia-matmul-to-mma-sync, -grouped-matmul-to-mma) split
each f32 operand x into hi = tf32(x) (cvt.rna.tf32.f32: round to 10
mantissa bits, ties away from zero; low 13 bits cleared) and lo =
tf32(x - hi), and accumulate in f32, per K step of 8: acc += a.hi * b.lo,
acc += a.lo * b.hi, acc += a.hi * b.hi. A product of two tf32 values is
exact in f32; sums are rounded to f32 as on the tensor cores (emulated
with f32 numpy adds, one K step of 8 at a time).

Compares against float64 matmuls of random data (normal, and uniform
[0, 1) as after a softmax or a SiLU) and prints the errors (largest
absolute error over the largest |C|) of plain f32 (numpy's f32 matmul),
plain TF32 (hi * hi only) and 3xTF32; fails if 3xTF32's is above 1e-5 or
plain TF32's not 10x larger (the split would have been lost). Measured:
3xTF32 2e-7 .. 1.3e-6, as f32's own 2e-7 .. 1.9e-6; plain TF32 2e-5 ..
3e-4.

  emulate_3xtf32.py
"""
import sys

import numpy as np


def tf32(x):
    """cvt.rna.tf32.f32, low 13 bits cleared."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32)
    return ((bits + np.uint32(0x1000)) & np.uint32(0xFFFFE000)).view(np.float32)


def split(x):
    hi = tf32(x)
    return hi, tf32(x.astype(np.float32) - hi)


def mma_steps(a, b, terms):
    """f32 accumulation over K steps of 8 of the products in `terms`."""
    m, k = a[0].shape
    acc = np.zeros((m, b[0].shape[1]), dtype=np.float32)
    for k0 in range(0, k, 8):
        for i, j in terms:
            x = a[i][:, k0:k0 + 8].astype(np.float64)
            y = b[j][k0:k0 + 8, :].astype(np.float64)
            # The 8 products of a step are exact in f32 (tf32 x tf32);
            # their sum with the accumulator is rounded to f32.
            acc = (acc.astype(np.float64) + x @ y).astype(np.float32)
    return acc


def main():
    rng = np.random.default_rng(0)
    worst = 0.0
    for name, gen in [("normal", lambda s: rng.standard_normal(s)),
                      ("uniform", lambda s: rng.random(s))]:
        for m, k, n in [(64, 64, 64), (128, 512, 64), (32, 2048, 32)]:
            a = gen((m, k)).astype(np.float32)
            b = gen((k, n)).astype(np.float32)
            ref = a.astype(np.float64) @ b.astype(np.float64)
            scale = np.abs(ref).max()
            sa, sb = split(a), split(b)
            three = mma_steps(sa, sb, [(0, 1), (1, 0), (0, 0)])
            plain = mma_steps(sa, sb, [(0, 0)])
            f32 = (a @ b).astype(np.float64)
            err = lambda c: np.abs(c.astype(np.float64) - ref).max() / scale
            e3, e1, ef = err(three), err(plain), err(f32)
            print("%-7s %4dx%4dx%4d  f32 %.2e  tf32 %.2e  3xtf32 %.2e" %
                  (name, m, k, n, ef, e1, e3))
            worst = max(worst, e3)
            if e3 > 1e-5 or e1 < 10 * e3:
                print("FAIL: 3xTF32 error %.2e (plain TF32 %.2e)" % (e3, e1))
                return 1
    print("OK: 3xTF32 max error %.2e of max |C|" % worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
