#!/usr/bin/python3
"""Node-test-style cases for the modes the ONNX node suite leaves out:
Det needing row swaps and of a singular matrix, TfIdfVectorizer IDF/TFIDF
with weights, Unique of int64 slices (sorted and not), NonMaxSuppression
without a score threshold over 2 batches x 2 classes, MaxUnpool with a
constant, larger output_shape, RoiAlign avg/max with adaptive sampling in
both coordinate modes. The expected outputs come from the small numpy
implementations below (np.linalg.det for Det; the others follow the ONNX
operator spec and onnxruntime's kernels as written here).

Regenerate with /usr/bin/python3 gen_cases.py (writes ./cases/<name>/).
ctest runs them: onnx-extra-node-cases.
"""
import numpy as np, onnx, os, math
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases"))
from onnx import helper as h, TensorProto as TP, numpy_helper as nh
rng = np.random.default_rng(0)
def save(name, node, ins, outs, opset, inits=[]):
    g = h.make_graph([node], name, [h.make_tensor_value_info(n, t, s) for n,t,s,_ in ins],
                     [h.make_tensor_value_info(n, t, s) for n,t,s,_ in outs], initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)]); m.ir_version = 8
    d = f"{name}/test_data_set_0"; os.makedirs(d, exist_ok=True)
    onnx.save(m, f"{name}/model.onnx")
    for i,(n,t,s,v) in enumerate(ins): open(f"{d}/input_{i}.pb","wb").write(nh.from_array(v, n).SerializeToString())
    for i,(n,t,s,v) in enumerate(outs): open(f"{d}/output_{i}.pb","wb").write(nh.from_array(v, n).SerializeToString())
# Det
x = rng.standard_normal((2,4,4)).astype(np.float32); x[1,3] = x[1,0]*2  # singular second
save("det4", h.make_node("Det", ["x"], ["y"]), [("x",TP.FLOAT,[2,4,4],x)], [("y",TP.FLOAT,[2],np.linalg.det(x).astype(np.float32))], 11)
x = np.array([[0,2,1],[1,0,0],[3,1,0]],np.float32)  # needs pivoting
save("det3", h.make_node("Det", ["x"], ["y"]), [("x",TP.FLOAT,[3,3],x)], [("y",TP.FLOAT,[],np.array(np.linalg.det(x),np.float32))], 11)
# TfIdf IDF / TFIDF
X = np.array([[1,1,3,3,3,7],[8,6,7,5,6,8]],np.int32)
pool=[2,3,5,4,5,6,7,8,6,7]; w=np.array([0.1,0.2,0.3,0.4,0.5,0.6,0.7],np.float32)
def tfidf(X, mode, minn, maxn, skip):
    grams=[(2,),(3,),(5,),(4,),(5,6),(7,8),(6,7)]
    out=np.zeros((X.shape[0],7),np.float32)
    for b in range(X.shape[0]):
        row=list(X[b])
        for j,g in enumerate(grams):
            n=len(g)
            if n<minn or n>maxn: continue
            c=0
            for s in (range(1) if n==1 else range(skip+1)):
                for st in range(len(row)):
                    pos=[st+k*(s+1) for k in range(n)]
                    if pos[-1]<len(row) and all(row[p]==g[k] for k,p in enumerate(pos)): c+=1
            out[b,j]= c if mode=="TF" else ((w[j] if c>0 else 0) if mode=="IDF" else c*w[j])
    return out
for mode in ["IDF","TFIDF"]:
    node=h.make_node("TfIdfVectorizer",["X"],["Y"],max_gram_length=2,min_gram_length=1,max_skip_count=2,mode=mode,ngram_counts=[0,4],ngram_indexes=list(range(7)),pool_int64s=pool,weights=list(w))
    save("tfidf_"+mode, node, [("X",TP.INT32,[2,6],X)], [("Y",TP.FLOAT,[2,7],tfidf(X,mode,1,2,2))], 9)
# Unique int64 unsorted with axis 1
X = np.array([[1,5,1,2,5],[3,0,3,4,0]],np.int64)
def uniq(X, axis, sorted_):
    Xt = np.moveaxis(X, axis, 0); items=[tuple(r.flatten()) for r in Xt]
    firsts=[]; 
    for i,it in enumerate(items):
        if it not in [items[f] for f in firsts]: firsts.append(i)
    if sorted_: firsts.sort(key=lambda i: items[i])
    pos={items[f]:p for p,f in enumerate(firsts)}
    Y=np.moveaxis(np.stack([Xt[f] for f in firsts]),0,axis)
    inv=np.array([pos[it] for it in items],np.int64); cnt=np.bincount(inv).astype(np.int64)
    return Y, np.array(firsts,np.int64), inv, cnt
for s in [0,1]:
    Y,I,V,C = uniq(X,1,s)
    node=h.make_node("Unique",["X"],["Y","I","V","C"],axis=1,sorted=s)
    save(f"unique_int_axis1_s{s}", node, [("X",TP.INT64,[2,5],X)], [("Y",TP.INT64,list(Y.shape),Y),("I",TP.INT64,list(I.shape),I),("V",TP.INT64,[5],V),("C",TP.INT64,list(C.shape),C)], 11)
# NMS no score threshold, two classes, two batches
B=2;S=5;Cn=2
boxes=rng.uniform(0,10,(B,S,4)).astype(np.float32); boxes[...,2:]=boxes[...,:2]+rng.uniform(1,5,(B,S,2)).astype(np.float32)
scores=rng.uniform(0,1,(B,Cn,S)).astype(np.float32)
def iou(a,b):
    ya0,xa0,ya1,xa1=min(a[0],a[2]),min(a[1],a[3]),max(a[0],a[2]),max(a[1],a[3])
    yb0,xb0,yb1,xb1=min(b[0],b[2]),min(b[1],b[3]),max(b[0],b[2]),max(b[1],b[3])
    ih=max(0,min(ya1,yb1)-max(ya0,yb0)); iw=max(0,min(xa1,xb1)-max(xa0,xb0)); inter=ih*iw
    aa=(ya1-ya0)*(xa1-xa0); ab=(yb1-yb0)*(xb1-xb0)
    return 0 if aa<=0 or ab<=0 else inter/(aa+ab-inter)
sel=[]
for b in range(B):
    for c in range(Cn):
        order=sorted(range(S),key=lambda i:(-scores[b,c,i],i)); kept=[]
        for i in order:
            if len(kept)>=3: break
            if all(iou(boxes[b,i],boxes[b,k])<=0.2 for k in kept): kept.append(i)
        sel+=[[b,c,k] for k in kept]
sel=np.array(sel,np.int64)
node=h.make_node("NonMaxSuppression",["b","s","m","t"],["y"])
save("nms_nothr", node, [("b",TP.FLOAT,[B,S,4],boxes),("s",TP.FLOAT,[B,Cn,S],scores),("m",TP.INT64,[1],np.array([3],np.int64)),("t",TP.FLOAT,[1],np.array([0.2],np.float32))], [("y",TP.INT64,list(sel.shape),sel)], 11)
# MaxUnpool with a constant, larger output_shape
X=np.array([[[[1,2],[3,4]]]],np.float32); I=np.array([[[[0,3],[9,15]]]],np.int64)
Y=np.zeros((1,1,4,4),np.float32).reshape(-1); Y[I.flatten()]=X.flatten(); Y=np.pad(Y.reshape(1,1,4,4),((0,0),(0,0),(0,2),(0,1)))
node=h.make_node("MaxUnpool",["X","I","os"],["Y"],kernel_shape=[2,2],strides=[2,2])
save("maxunpool_const_shape", node, [("X",TP.FLOAT,[1,1,2,2],X),("I",TP.INT64,[1,1,2,2],I)], [("Y",TP.FLOAT,[1,1,6,5],Y)], 11, inits=[nh.from_array(np.array([1,1,6,5],np.int64),"os")])
# RoiAlign max/avg, adaptive sampling, output_half_pixel
Xr=rng.standard_normal((2,2,8,8)).astype(np.float32)
rois=np.array([[0,0,7,7],[1.3,2.2,5.1,6.9],[-2,-1,3,4]],np.float32); bi=np.array([0,1,1],np.int64)
def roialign(mode, half, OH=3, OW=3, sr=0, scale=0.5):
    N,C,H,W=Xr.shape; out=np.zeros((3,C,OH,OW),np.float32); off=0.5 if half else 0
    for r in range(3):
        x0,y0,x1,y1=[v*scale-off for v in rois[r]]; rw=x1-x0; rh=y1-y0
        if not half: rw=max(rw,1); rh=max(rh,1)
        bh=rh/OH; bw=rw/OW; gh=sr if sr>0 else int(math.ceil(rh/OH)); gw=sr if sr>0 else int(math.ceil(rw/OW))
        for c in range(C):
            for ph in range(OH):
                for pw in range(OW):
                    acc = 0.0 if mode=="avg" else -np.inf
                    for iy in range(gh):
                        y=y0+ph*bh+(iy+.5)*bh/gh
                        for ix in range(gw):
                            x=x0+pw*bw+(ix+.5)*bw/gw
                            if y<-1 or y>H or x<-1 or x>W: v=[0.0]*4
                            else:
                                yy=max(y,0); xx=max(x,0); yl=int(yy); xl=int(xx)
                                if yl>=H-1: yh=yl=H-1; yy=yl
                                else: yh=yl+1
                                if xl>=W-1: xh=xl=W-1; xx=xl
                                else: xh=xl+1
                                ly=yy-yl; lx=xx-xl; hy=1-ly; hx=1-lx
                                img=Xr[bi[r],c]
                                v=[hy*hx*img[yl,xl],hy*lx*img[yl,xh],ly*hx*img[yh,xl],ly*lx*img[yh,xh]]
                            acc = acc+sum(v) if mode=="avg" else max(acc,max(v))
                    out[r,c,ph,pw]= (acc/max(gh*gw,1) if mode=="avg" else acc) if gh*gw>0 else 0
    return out
for mode in ["avg","max"]:
  for half in [0,1]:
    node=h.make_node("RoiAlign",["X","R","B"],["Y"],mode=mode,output_height=3,output_width=3,sampling_ratio=0,spatial_scale=0.5,coordinate_transformation_mode="half_pixel" if half else "output_half_pixel")
    save(f"roialign_{mode}_{half}", node, [("X",TP.FLOAT,[2,2,8,8],Xr),("R",TP.FLOAT,[3,4],rois),("B",TP.INT64,[3],bi)], [("Y",TP.FLOAT,[3,2,3,3],roialign(mode,half))], 16)
print("cases written")
