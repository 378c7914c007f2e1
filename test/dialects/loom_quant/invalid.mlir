// RUN: loom-opt %s --split-input-file --verify-diagnostics

func.func @f(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{quantization axis must be non-negative, got -1}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, per_channel(axis = -1)>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{group size must be positive, got 0}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, per_group(axis = 0, size = 0)>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<f8E4M3FN>) {
  // expected-error @+1 {{8-bit float storage 'f8E4M3FN' cannot have a zero point}}
  %q = loom_quant.quantize %x, %s, %z {scheme = #loom_quant.scheme<f8E4M3FN, zero_point>} : tensor<4xf32>, tensor<f32>, tensor<f8E4M3FN> -> tensor<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{only 4-bit storage can be packed, not 'i8'}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, packed>} : tensor<4xf32>, tensor<f32> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{unknown storage type 'i16', expected one of i4, u4, i8, u8, f8E4M3FN, f8E5M2}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i16>} : tensor<4xf32>, tensor<f32> -> tensor<4xi16>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{unexpected or repeated 'packed' in quantization scheme}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4, packed, packed>} : tensor<4xf32>, tensor<f32> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result holds packed 4-bit values and must have 8-bit integer elements, got 'i4'}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4, packed>} : tensor<8xf32>, tensor<f32> -> tensor<4xi4>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result of packed storage must have rank 1 (at least 1)}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4, packed>} : tensor<8xf32>, tensor<f32> -> tensor<2x2xi8>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape [8] does not match packed shape [4]}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<u4, packed>} : tensor<8xf32>, tensor<f32> -> tensor<8xi8>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result element type must be 'f8E4M3FN' for storage 'f8E4M3FN', got 'f8E5M2'}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<f8E4M3FN>} : tensor<8xf32>, tensor<f32> -> tensor<8xf8E5M2>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result element type must be a 4-bit integer for storage 'i4', got 'i8'}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4>} : tensor<8xf32>, tensor<f32> -> tensor<8xi8>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result must have rank 2}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<2x4xf32>, tensor<f32> -> tensor<8xi8>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape [2, 5] does not match [2, 4]}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<2x4xf32>, tensor<f32> -> tensor<2x5xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input is quantized per tensor, so its scale must have rank 0 or shape [1], got [4]}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<4xf32>, tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{quantization axis 2 is out of range for input of rank 2}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, per_channel(axis = 2)>} : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x4xi8>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input is quantized per channel along axis 0, so its scale must have shape [[2]], got [4]}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>} : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x4xi8>
  return
}

// -----

func.func @f(%x: tensor<64xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{quantization axis 1 is out of range for input of rank 1}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, per_group(axis = 1, size = 32)>} : tensor<64xf32>, tensor<2xf32> -> tensor<64xi8>
  return
}

// -----

func.func @f(%x: tensor<2x65xf32>, %s: tensor<2x2xf32>) {
  // expected-error @+1 {{input is quantized in groups of 32 along axis 1, so its scale must have shape [2, 3], got [2, 2]}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8, per_group(axis = 1, size = 32)>} : tensor<2x65xf32>, tensor<2x2xf32> -> tensor<2x65xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{input's scheme has a zero point but none is given}}
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4xf32>, tensor<f32> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i8>) {
  // expected-error @+1 {{input's scheme is symmetric but a zero point is given}}
  %q = loom_quant.quantize %x, %s, %z {scheme = #loom_quant.scheme<i8>} : tensor<4xf32>, tensor<f32>, tensor<i8> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<1xi8>) {
  // expected-error @+1 {{input's zero point shape [1] differs from its scale shape []}}
  %q = loom_quant.quantize %x, %s, %z {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4xf32>, tensor<f32>, tensor<1xi8> -> tensor<4xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i32>) {
  // expected-error @+1 {{input's zero point must have 8-bit integer elements, got 'i32'}}
  %q = loom_quant.quantize %x, %s, %z {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4xf32>, tensor<f32>, tensor<i32> -> tensor<4xi8>
  return
}

// -----

func.func @f(%q: tensor<4xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{input shape [4] does not match [8]}}
  %x = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<i8>} : tensor<4xi8>, tensor<f32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%q: tensor<4xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of floating-point values}}
  %x = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<i8>} : tensor<4xi8>, tensor<f32> -> tensor<4xi32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{computes per-tensor or per-channel (per-token) scales; per_group is not supported}}
  %q, %s = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<i8, per_group(axis = 1, size = 32)>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x2xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %lo: tensor<f32>) {
  // expected-error @+1 {{range must be two tensors (min, max) of the scale's type 'tensor<f32>'}}
  %q, %s = loom_quant.dynamic_quantize %x range(%lo : tensor<f32>) {scheme = #loom_quant.scheme<i8>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %lo: tensor<4xf32>, %hi: tensor<4xf32>) {
  // expected-error @+1 {{range must be two tensors (min, max) of the scale's type 'tensor<f32>'}}
  %q, %s = loom_quant.dynamic_quantize %x range(%lo, %hi : tensor<4xf32>, tensor<4xf32>) {scheme = #loom_quant.scheme<i8>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{result's scheme has a zero point but none is given}}
  %q, %s = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<64xf32>, %w: tensor<64x32xi8>, %ws: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 2 ([..., M, K]), got 1}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i8>} : (tensor<64xf32>, tensor<64x32xi8>, tensor<f32>) -> tensor<32xf32>
  return
}

// -----

func.func @f(%a: tensor<4x64xf32>, %w: tensor<2x64x32xi8>, %ws: tensor<f32>) {
  // expected-error @+1 {{weight must have rank 2, got 3}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i8>} : (tensor<4x64xf32>, tensor<2x64x32xi8>, tensor<f32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%a: tensor<4x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>, %as: tensor<f32>) {
  // expected-error @+1 {{a quantized input (input_scale given) needs an input_scheme}}
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {weight_scheme = #loom_quant.scheme<i8>} : (tensor<4x64xi8>, tensor<64x32xi8>, tensor<f32>, tensor<f32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%a: tensor<4x32xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>, %as: tensor<f32>) {
  // expected-error @+1 {{packed 4-bit inputs are not supported}}
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {weight_scheme = #loom_quant.scheme<i8>, input_scheme = #loom_quant.scheme<i4, packed>} : (tensor<4x32xi8>, tensor<64x32xi8>, tensor<f32>, tensor<f32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%a: tensor<4x64xf32>, %w: tensor<64x32xi8>, %ws: tensor<f32>) {
  // expected-error @+1 {{input_scheme and input_zero_point need an input_scale}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i8>, input_scheme = #loom_quant.scheme<i8>} : (tensor<4x64xf32>, tensor<64x32xi8>, tensor<f32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%a: tensor<4x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>) {
  // expected-error @+1 {{input without input_scale must be float, got 'i8'}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i8>} : (tensor<4x64xi8>, tensor<64x32xi8>, tensor<f32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%a: tensor<4x64xf32>, %w: tensor<64x32xi8>, %ws: tensor<f32>) {
  // expected-error @+1 {{contraction sizes differ: input has K = 64, weight has K = 32}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i8>, transpose_weight} : (tensor<4x64xf32>, tensor<64x32xi8>, tensor<f32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @f(%a: tensor<4x64xf32>, %w: tensor<64x32xi8>, %ws: tensor<f32>) {
  // expected-error @+1 {{result shape [4, 64] does not match expected [4, 32]}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i8>} : (tensor<4x64xf32>, tensor<64x32xi8>, tensor<f32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @f(%a: tensor<4x128xf16>, %w: tensor<32x64xi8>, %ws: tensor<32x2xf16>) {
  // expected-error @+1 {{weight is quantized in groups of 32 along axis 1, so its scale must have shape [32, 4], got [32, 2]}}
  %y = loom_quant.matmul %a, %w scale %ws {weight_scheme = #loom_quant.scheme<i4, per_group(axis = 1, size = 32), packed>, transpose_weight} : (tensor<4x128xf16>, tensor<32x64xi8>, tensor<32x2xf16>) -> tensor<4x32xf16>
  return
}
