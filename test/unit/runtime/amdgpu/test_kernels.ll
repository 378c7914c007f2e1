; Two small kernels for the HIP loader's unit tests (HipLoaderTest.cpp),
; compiled at build time for gfx942 with llc-22 and linked by LLVM 22's
; ld.lld into an HSACO: `scale` has pointer and by-value arguments, static
; LDS and a 256-thread limit; `fill` allows 1024 threads.
target triple = "amdgcn-amd-amdhsa"

@tile = internal addrspace(3) global [256 x float] poison, align 4

define amdgpu_kernel void @scale(ptr addrspace(1) %out, ptr addrspace(1) %in, i64 %n, float %s) #0 {
  %tid = call i32 @llvm.amdgcn.workitem.id.x()
  %i = zext i32 %tid to i64
  %in.p = getelementptr float, ptr addrspace(1) %in, i64 %i
  %v = load float, ptr addrspace(1) %in.p
  %lds.p = getelementptr [256 x float], ptr addrspace(3) @tile, i32 0, i32 %tid
  store float %v, ptr addrspace(3) %lds.p
  call void @llvm.amdgcn.s.barrier()
  %w = load float, ptr addrspace(3) %lds.p
  %r = fmul float %w, %s
  %out.p = getelementptr float, ptr addrspace(1) %out, i64 %i
  store float %r, ptr addrspace(1) %out.p
  ret void
}

define amdgpu_kernel void @fill(ptr addrspace(1) %out, i32 %v) #1 {
  %tid = call i32 @llvm.amdgcn.workitem.id.x()
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %tid
  store i32 %v, ptr addrspace(1) %p
  ret void
}

declare i32 @llvm.amdgcn.workitem.id.x()
declare void @llvm.amdgcn.s.barrier()

attributes #0 = { "amdgpu-flat-work-group-size"="1,256" }
attributes #1 = { "amdgpu-flat-work-group-size"="1,1024" }
