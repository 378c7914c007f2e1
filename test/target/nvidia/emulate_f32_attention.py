#!/usr/bin/env python3
"""Emulates the f32 attention kernel (lib/Target/NVIDIA/AttentionF32.cpp)
lane by lane in numpy and compares it with a float64 reference.

The emulation follows the kernel's index formulas: warps of 16 query rows
(4 per block), Q fragments a0..a3 = Q[g | g + 8][8s + 2t | 8s + 2t + 1],
K pairs K[key g][8s + 2t, + 1], 32-key steps up to the warp's last visible
key, scores scaled in the exp2 domain, keys past Skv (read clamped) and
causal keys after the row's position (bottom-right) at -inf, an additive
mask broadcast numpy style, row max and sum over the quad, P reused from
the m16n8 C fragment as the m16n8k8 A fragment (c0, c2, c1, c3, the k8
step's keys in the order 0, 2, 4, 6, 1, 3, 5, 7) against V rows 2t, 2t + 1,
rows past Sq not stored and rows without keys 0. The mma.sync m16n8k8
fragments are placed by the PTX ISA's layouts (a0:(g,t) a1:(g+8,t)
a2:(g,t+4) a3:(g+8,t+4); b0:(t,g) b1:(t+4,g); c0,c1:(g,2t..) c2,c3:(g+8,..))
and multiplied as 3xTF32 (hi = cvt.rna.tf32, lo = tf32(x - hi); hi*lo,
lo*hi, hi*hi), the softmax in f32. A wrong fragment index, mask or tail
gives errors of order 1; the test fails unless every element is within
atol 1e-4 + rtol 1e-3 of the reference (the tolerance the e2e models are
checked with) and the largest error is below 1e-5 of the largest |O|.
A change of the kernel's layout must be mirrored here.

  emulate_f32_attention.py
"""
import sys

import numpy as np


def tf32(x):
    """cvt.rna.tf32.f32, low 13 bits cleared."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32)
    return ((bits + np.uint32(0x1000)) & np.uint32(0xFFFFE000)).view(np.float32)


def mma3(A, B, C):
    """C + A B on m16n8k8 tf32 as 3xTF32, f32 sums."""
    A = A.astype(np.float32)
    B = B.astype(np.float32)
    ah, bh = tf32(A), tf32(B)
    al, bl = tf32(A - ah), tf32(B - bh)
    d = C.astype(np.float32)
    for x, y in ((ah, bl), (al, bh), (ah, bh)):
        d = (d + (x.astype(np.float64) @ y.astype(np.float64))).astype(np.float32)
    return d


def mma(A_frag, B_frag, C_frag):
    # A_frag[lane]=(a0..a3), B_frag[lane]=(b0,b1), C_frag[lane]=(c0..c3); PTX m16n8k8 tf32 layouts
    A=np.zeros((16,8)); B=np.zeros((8,8)); C=np.zeros((16,8))
    for l in range(32):
        g,t=l//4,l%4
        A[g,t],A[g+8,t],A[g,t+4],A[g+8,t+4]=A_frag[l]
        B[t,g],B[t+4,g]=B_frag[l]
        C[g,2*t],C[g,2*t+1],C[g+8,2*t],C[g+8,2*t+1]=C_frag[l]
    D=mma3(A,B,C)
    return [(D[l//4,2*(l%4)],D[l//4,2*(l%4)+1],D[l//4+8,2*(l%4)],D[l//4+8,2*(l%4)+1]) for l in range(32)]
def kernel(Q,K,V,mask,causal,scale):
    Bn,Hq,Sq,D=Q.shape; Hkv=K.shape[1]; Skv=K.shape[2]
    O=np.full(Q.shape,np.nan); ls=np.float32(scale*np.log2(np.e)); KK=32; f=np.float32
    for bh in range(max(Bn*Hq,1)):
      for by in range(max((Sq+63)//64,1)):
        for w in range(4):
          q0=by*64+w*16
          if not (q0<Sq and bh<Bn*Hq): continue
          batch,head=bh//Hq,bh%Hq; kvh=head//(Hq//Hkv)
          lanes=[]
          for l in range(32):
            g,t=l//4,l%4; row=[q0+g,q0+g+8]; rowC=[min(r,Sq-1) for r in row]
            qf=[(Q[batch,head,rowC[0],8*s+2*t],Q[batch,head,rowC[1],8*s+2*t],Q[batch,head,rowC[0],8*s+2*t+1],Q[batch,head,rowC[1],8*s+2*t+1]) for s in range(D//8)]
            lanes.append(dict(g=g,t=t,row=row,rowC=rowC,qf=qf,o=[0.0]*(D//2),m=[-np.inf]*2,l=[0.0]*2))
          end=Skv
          if causal: end=max(0,min(Skv,q0+16+Skv-Sq))
          for kb0 in range(0,end,KK):
            S=[]
            for j in range(KK//8):
              acc=[(0,0,0,0)]*32
              for s in range(D//8):
                bf=[]
                for l in range(32):
                  g,t=l//4,l%4; key=min(kb0+g+8*j,Skv-1)
                  bf.append((K[batch,kvh,key,8*s+2*t],K[batch,kvh,key,8*s+2*t+1]))
                acc=mma([L['qf'][s] for L in lanes],bf,acc)
              S.append(acc)
            S=[[list(S[j][l]) for j in range(KK//8)] for l in range(32)]  # S[l][j][e]
            for l,L in enumerate(lanes):
              t=L['t']
              for j in range(KK//8):
                for e in range(4):
                  r=e//2; key=kb0+2*t+8*j+e%2
                  v=f(S[l][j][e])*ls
                  if mask is not None:
                    mm=np.broadcast_to(mask,(Bn,Hq,Sq,Skv)); v=f(v+f(mm[batch,head,L['rowC'][r],min(key,Skv-1)])*f(np.log2(np.e)))
                  vis=key<Skv and (not causal or key+Sq<=L['row'][r]+Skv)
                  S[l][j][e]=v if vis else -np.inf
            # quad reduce
            newm={}
            for l,L in enumerate(lanes):
              for r in range(2):
                newm[l,r]=max([L['m'][r]]+[S[l][j][2*r+c] for j in range(KK//8) for c in range(2)])
            for l,L in enumerate(lanes):
              quad=[4*(l//4)+i for i in range(4)]
              for r in range(2):
                mx=max(newm[q,r] for q in quad)
                shift=0.0 if mx==-np.inf else mx
                alpha=f(np.exp2(f(L['m'][r]-shift)))
                rs=0
                for j in range(KK//8):
                  for c in range(2):
                    S[l][j][2*r+c]=f(np.exp2(f(S[l][j][2*r+c]-shift))); rs+=S[l][j][2*r+c]
                L['l'][r]=f(f(L['l'][r]*alpha)+f(rs)); L['m'][r]=mx
                for i in range(D//2):
                  if (i%4)//2==r: L['o'][i]=f(L['o'][i]*alpha)
            for j in range(KK//8):
              af=[(S[l][j][0],S[l][j][2],S[l][j][1],S[l][j][3]) for l in range(32)]
              for n in range(D//8):
                bf=[]
                for l in range(32):
                  g,t=l//4,l%4
                  k0=min(kb0+2*t+8*j,Skv-1); k1=min(kb0+2*t+8*j+1,Skv-1)
                  bf.append((V[batch,kvh,k0,8*n+g],V[batch,kvh,k1,8*n+g]))
                res=mma(af,bf,[tuple(lanes[l]['o'][4*n:4*n+4]) for l in range(32)])
                for l in range(32): lanes[l]['o'][4*n:4*n+4]=list(res[l])
          for l,L in enumerate(lanes):
            quad=[4*(l//4)+i for i in range(4)]
            for r in range(2):
              lsum=sum(lanes[q]['l'][r] for q in quad)
              inv=f(0.0) if lsum==0 else f(1.0)/f(lsum)
              if L['row'][r]<Sq:
                for n in range(D//8):
                  O[batch,head,L['row'][r],8*n+2*L['t']]=L['o'][4*n+2*r]*inv
                  O[batch,head,L['row'][r],8*n+2*L['t']+1]=L['o'][4*n+2*r+1]*inv
    return O
def ref(Q,K,V,mask,causal,scale):
    Bn,Hq,Sq,D=Q.shape; Hkv=K.shape[1]; Skv=K.shape[2]
    Kr=np.repeat(K,Hq//Hkv,axis=1); Vr=np.repeat(V,Hq//Hkv,axis=1)
    s=Q@Kr.transpose(0,1,3,2)*scale
    if mask is not None: s=s+mask
    if causal:
        i=np.arange(Sq)[:,None]; j=np.arange(Skv)[None,:]
        s=np.where(j<=i+Skv-Sq,s,-np.inf)
    m=s.max(-1,keepdims=True); m=np.where(m==-np.inf,0,m)
    p=np.exp(s-m); l=p.sum(-1,keepdims=True)
    return np.where(l==0,0,(p@Vr)/np.where(l==0,1,l))
def main():
    rng = np.random.default_rng(0)
    failures = 0
    # (B, Hq, Hkv, Sq, Skv, D, causal, mask): the models' shapes (GQA,
    # D = 16, Sq = Skv, causal; the MoE model's [1, 1, Sq, Skv] mask),
    # tails that are not multiples of 16 / 32 / 64, Skv > Sq and
    # Skv < Sq (rows without keys) causal, D = 8 and 24.
    cases = [(1, 4, 2, 37, 37, 16, True, False), (1, 4, 4, 19, 19, 16, False, True),
             (2, 2, 2, 70, 45, 8, False, False), (1, 2, 1, 20, 50, 16, True, False),
             (1, 2, 2, 50, 20, 16, True, False), (1, 2, 1, 33, 70, 24, True, True)]
    for (Bn, Hq, Hkv, Sq, Skv, D, causal, usemask) in cases:
        Q = rng.standard_normal((Bn, Hq, Sq, D)).astype(np.float32)
        K = rng.standard_normal((Bn, Hkv, Skv, D)).astype(np.float32)
        V = rng.standard_normal((Bn, Hkv, Skv, D)).astype(np.float32)
        mask = None
        if usemask:
            mask = np.where(rng.random((1, 1, Sq, Skv)) < 0.3, -np.inf,
                            rng.standard_normal((1, 1, Sq, Skv))).astype(np.float32)
        a = kernel(Q, K, V, mask, causal, 0.25)
        r = ref(Q.astype(np.float64), K.astype(np.float64), V.astype(np.float64),
                mask, causal, 0.25)
        err = np.abs(a - r)
        close = np.all(err <= 1e-4 + 1e-3 * np.abs(r))
        rel = err.max() / np.abs(r).max()
        ok = close and rel < 1e-5 and not np.isnan(a).any()
        print("%s B=%d Hq=%d Hkv=%d Sq=%d Skv=%d D=%d causal=%d mask=%d: "
              "max error %.2e (%.2e of max |O|)" %
              ("OK  " if ok else "FAIL", Bn, Hq, Hkv, Sq, Skv, D, causal,
               usemask, err.max(), rel))
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
