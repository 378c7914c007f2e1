//===- CudaAbiCheck.cpp - The runtime's CUDA declarations against cuda.h --===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The runtime declares the few CUDA driver types it passes by address
// itself (it builds without CUDA headers). Where cuda.h is installed, this
// file checks them against it at compile time: a mismatch fails the build.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include "CudaDriver.h"
#include "TensorMap.h"

#include <cstddef>

namespace lc = loom::cuda;

static_assert(sizeof(lc::LaunchAttribute) == sizeof(CUlaunchAttribute));
static_assert(alignof(lc::LaunchAttribute) == alignof(CUlaunchAttribute));
static_assert(offsetof(lc::LaunchAttribute, value) ==
              offsetof(CUlaunchAttribute, value));
static_assert(sizeof(lc::LaunchConfig) == sizeof(CUlaunchConfig));
static_assert(offsetof(lc::LaunchConfig, sharedMemBytes) ==
              offsetof(CUlaunchConfig, sharedMemBytes));
static_assert(offsetof(lc::LaunchConfig, hStream) ==
              offsetof(CUlaunchConfig, hStream));
static_assert(offsetof(lc::LaunchConfig, attrs) ==
              offsetof(CUlaunchConfig, attrs));
static_assert(offsetof(lc::LaunchConfig, numAttrs) ==
              offsetof(CUlaunchConfig, numAttrs));
static_assert(lc::kLaunchAttributeClusterDimension ==
              CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);

static_assert(sizeof(loom::gpu::TensorMapBytes) == sizeof(CUtensorMap));
static_assert(alignof(loom::gpu::TensorMapBytes) == alignof(CUtensorMap));
static_assert(sizeof(CUtensorMapDataType) == sizeof(int) &&
              sizeof(CUtensorMapSwizzle) == sizeof(int));
static_assert(CU_TENSOR_MAP_DATA_TYPE_FLOAT16 == 6 &&
              CU_TENSOR_MAP_DATA_TYPE_FLOAT32 == 7 &&
              CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 == 9 &&
              CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ == 12);
static_assert(CU_TENSOR_MAP_SWIZZLE_128B == 3 &&
              CU_TENSOR_MAP_INTERLEAVE_32B == 2 &&
              CU_TENSOR_MAP_L2_PROMOTION_L2_256B == 3 &&
              CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA == 1);
static_assert(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES == 8);
// Graphs (GpuGraph.h).
static_assert(CU_STREAM_CAPTURE_MODE_RELAXED == 2);
static_assert(CU_POINTER_ATTRIBUTE_MEMORY_TYPE == 2 &&
              CU_MEMORYTYPE_DEVICE == 2);
