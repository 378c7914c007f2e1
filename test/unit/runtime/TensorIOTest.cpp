//===- TensorIOTest.cpp - TensorProto and .npy readers, comparison --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Fixtures in data/ come from the real onnx and numpy (data/gen_fixtures.py);
// the hand-encoded cases reach forms those do not write (unpacked repeated
// fields, unknown fields, corruption).
//
//===----------------------------------------------------------------------===//

#include "Compare.h"
#include "HostTensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace loom::run;

namespace {

HostTensor readPb(const std::string &name) {
  HostTensor t;
  std::string error;
  EXPECT_TRUE(readTensorProtoFile(std::string(LOOM_TEST_DATA_DIR) + "/" + name,
                                  t, &error))
      << error;
  return t;
}

HostTensor readNpy(const std::string &name, std::string *error = nullptr) {
  HostTensor t;
  std::string e;
  bool ok = readNpyFile(std::string(LOOM_TEST_DATA_DIR) + "/" + name, t, &e);
  if (error)
    *error = ok ? "" : e;
  else
    EXPECT_TRUE(ok) << e;
  return t;
}

template <typename T> std::vector<T> values(const HostTensor &t) {
  std::vector<T> v(t.data.size() / sizeof(T));
  if (!v.empty())
    std::memcpy(v.data(), t.data.data(), v.size() * sizeof(T));
  return v;
}

using Shape = std::vector<int64_t>;

// Protobuf encoding helpers for hand-made messages.
void varint(std::vector<uint8_t> &b, uint64_t v) {
  while (v >= 0x80) {
    b.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  b.push_back(uint8_t(v));
}
void key(std::vector<uint8_t> &b, int field, int wire) {
  varint(b, uint64_t(field) << 3 | uint64_t(wire));
}
void fixed32(std::vector<uint8_t> &b, float f) {
  uint8_t x[4];
  std::memcpy(x, &f, 4);
  b.insert(b.end(), x, x + 4);
}

bool parse(const std::vector<uint8_t> &b, HostTensor &t, std::string *e) {
  return parseTensorProto(b.data(), b.size(), t, e);
}

} // namespace

//===----------------------------------------------------------------------===//
// TensorProto from onnx
//===----------------------------------------------------------------------===//

TEST(TensorProtoTest, ReadsRawData) {
  HostTensor t = readPb("f32_raw.pb");
  EXPECT_EQ(t.name, "x");
  EXPECT_EQ(t.dtype, LOOM_DTYPE_F32);
  EXPECT_EQ(t.shape, (Shape{2, 3}));
  EXPECT_EQ(values<float>(t),
            (std::vector<float>{1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, -7.0f}));
  EXPECT_EQ(values<int64_t>(readPb("i64_raw.pb")),
            (std::vector<int64_t>{1, -2, int64_t(1) << 40}));
  EXPECT_EQ(readPb("bool_raw.pb").data, (std::vector<uint8_t>{1, 0, 1}));
  HostTensor s = readPb("u8_scalar_raw.pb");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.data, std::vector<uint8_t>{200});
  HostTensor h = readPb("f16_raw.pb");
  EXPECT_EQ(h.dtype, LOOM_DTYPE_F16);
  EXPECT_EQ(values<uint16_t>(h),
            (std::vector<uint16_t>{0x3c00, 0xb800, 0x7bff}));
  HostTensor e = readPb("empty.pb");
  EXPECT_EQ(e.shape, (Shape{0, 3}));
  EXPECT_TRUE(e.data.empty());
}

TEST(TensorProtoTest, ReadsTypedFields) {
  EXPECT_EQ(values<float>(readPb("f32_typed.pb")),
            (std::vector<float>{1, 2, -3, 4.5}));
  EXPECT_EQ(values<uint16_t>(readPb("f16_typed.pb")),
            (std::vector<uint16_t>{0x3c00, 0xb800, 0x7bff}));
  HostTensor bf = readPb("bf16_typed.pb");
  EXPECT_EQ(bf.dtype, LOOM_DTYPE_BF16);
  EXPECT_EQ(values<uint16_t>(bf), (std::vector<uint16_t>{0x3f80, 0xc000}));
  EXPECT_EQ(readPb("bool_typed.pb").data, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(values<int8_t>(readPb("i8_typed.pb")),
            (std::vector<int8_t>{-128, 0, 127}));
  EXPECT_EQ(values<int16_t>(readPb("i16_typed.pb")),
            (std::vector<int16_t>{-300, 300}));
  EXPECT_EQ(values<uint16_t>(readPb("u16_typed.pb")),
            (std::vector<uint16_t>{0, 65535}));
  EXPECT_EQ(values<int32_t>(readPb("i32_typed.pb")),
            (std::vector<int32_t>{-1, 0, 2147483647}));
  EXPECT_EQ(values<int64_t>(readPb("i64_typed.pb")),
            (std::vector<int64_t>{-(int64_t(1) << 40), 5}));
  EXPECT_EQ(values<double>(readPb("f64_typed.pb")),
            (std::vector<double>{0.1, -2.5}));
  EXPECT_EQ(values<uint64_t>(readPb("u64_typed.pb")),
            (std::vector<uint64_t>{1, UINT64_MAX}));
  EXPECT_EQ(values<uint32_t>(readPb("u32_typed.pb")),
            (std::vector<uint32_t>{4000000000u}));
}

//===----------------------------------------------------------------------===//
// Hand-encoded TensorProto
//===----------------------------------------------------------------------===//

TEST(TensorProtoTest, ReadsUnpackedRepeatedFieldsAndSkipsUnknownOnes) {
  std::vector<uint8_t> b;
  key(b, 1, 0);
  varint(b, 2); // dims, unpacked
  key(b, 12, 2);
  varint(b, 3); // doc_string (skipped)
  b.insert(b.end(), {'d', 'o', 'c'});
  key(b, 1, 0);
  varint(b, 1);
  key(b, 2, 0);
  varint(b, 1); // FLOAT
  key(b, 4, 5);
  fixed32(b, 0.5f); // float_data, unpacked
  key(b, 99, 1);
  for (int i = 0; i < 8; ++i)
    b.push_back(0); // unknown fixed64
  key(b, 4, 5);
  fixed32(b, -1.0f);
  key(b, 8, 2);
  varint(b, 1);
  b.push_back('z');
  HostTensor t;
  std::string e;
  ASSERT_TRUE(parse(b, t, &e)) << e;
  EXPECT_EQ(t.shape, (Shape{2, 1}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{0.5f, -1.0f}));
  EXPECT_EQ(t.name, "z");
}

TEST(TensorProtoTest, NegativeInt32DataIsSignExtendedOnTheWire) {
  std::vector<uint8_t> b;
  key(b, 1, 0);
  varint(b, 2);
  key(b, 2, 0);
  varint(b, 6); // INT32
  key(b, 5, 0);
  varint(b, uint64_t(int64_t(-5)));
  key(b, 5, 0);
  varint(b, 7);
  HostTensor t;
  std::string e;
  ASSERT_TRUE(parse(b, t, &e)) << e;
  EXPECT_EQ(values<int32_t>(t), (std::vector<int32_t>{-5, 7}));
}

TEST(TensorProtoTest, EncodeRoundTrips) {
  HostTensor t;
  t.name = "w";
  t.dtype = LOOM_DTYPE_I16;
  t.shape = {3};
  t.data = {1, 0, 0xff, 0xff, 0, 0x80};
  std::vector<uint8_t> b = encodeTensorProto(t);
  HostTensor back;
  std::string e;
  ASSERT_TRUE(parse(b, back, &e)) << e;
  EXPECT_EQ(back.name, t.name);
  EXPECT_EQ(back.dtype, t.dtype);
  EXPECT_EQ(back.shape, t.shape);
  EXPECT_EQ(back.data, t.data);
}

TEST(TensorProtoTest, RejectsBadTensors) {
  auto fails = [](std::vector<uint8_t> b, const char *needle) {
    HostTensor t;
    std::string e;
    EXPECT_FALSE(parse(b, t, &e)) << needle;
    EXPECT_NE(e.find(needle), std::string::npos) << e;
  };
  std::vector<uint8_t> b;
  key(b, 1, 0);
  varint(b, 3);
  key(b, 2, 0);
  varint(b, 1);
  std::vector<uint8_t> shortRaw = b;
  key(shortRaw, 9, 2);
  varint(shortRaw, 8);
  shortRaw.resize(shortRaw.size() + 8);
  fails(shortRaw, "raw_data has 8 bytes");
  std::vector<uint8_t> fewValues = b;
  key(fewValues, 4, 5);
  fixed32(fewValues, 1);
  fails(fewValues, "float_data has 1 values");
  fails(b, "float_data has 0 values"); // no data at all
  std::vector<uint8_t> wrongField = b;
  key(wrongField, 7, 0);
  varint(wrongField, 1);
  fails(wrongField, "float_data has 0");
  std::vector<uint8_t> external = b;
  key(external, 14, 0);
  varint(external, 1);
  fails(external, "external");
  std::vector<uint8_t> str;
  key(str, 2, 0);
  varint(str, 8);
  key(str, 6, 2);
  varint(str, 1);
  str.push_back('a');
  fails(str, "strings");
  std::vector<uint8_t> complex;
  key(complex, 2, 0);
  varint(complex, 14);
  fails(complex, "data_type 14");
  std::vector<uint8_t> group;
  key(group, 3, 3);
  fails(group, "malformed");
  std::vector<uint8_t> wire;
  key(wire, 2, 2);
  varint(wire, 0);
  fails(wire, "field 2 (wire type 2)");
  std::vector<uint8_t> negative;
  key(negative, 1, 0);
  varint(negative, uint64_t(int64_t(-4)));
  key(negative, 2, 0);
  varint(negative, 1);
  fails(negative, "invalid dims");
  std::vector<uint8_t> longVarint(11, 0xff);
  fails(longVarint, "field key");
  std::vector<uint8_t> zero = {0x00};
  fails(zero, "field number 0");
}

TEST(TensorProtoTest, EveryTruncationIsAnErrorNotACrash) {
  std::vector<uint8_t> full;
  std::string error;
  ASSERT_TRUE(readFile(std::string(LOOM_TEST_DATA_DIR) + "/f32_typed.pb", full,
                       &error));
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);
    HostTensor t;
    std::string e;
    // Protobuf has no end marker: a cut right after a complete field
    // parses, but only the trailing name field can go unnoticed.
    if (parse(cut, t, &e))
      EXPECT_GE(n, full.size() - 3) << "truncated to " << n;
  }
  // Random corruption: only has to stay in bounds (ASan catches the rest).
  for (size_t i = 0; i < full.size(); ++i) {
    std::vector<uint8_t> bad = full;
    bad[i] ^= 0x5a;
    HostTensor t;
    std::string e;
    parse(bad, t, &e);
  }
}

TEST(TensorProtoTest, ReportsUnreadableFiles) {
  HostTensor t;
  std::string e;
  EXPECT_FALSE(readTensorProtoFile("/nonexistent/input_0.pb", t, &e));
  EXPECT_NE(e.find("cannot open"), std::string::npos) << e;
  EXPECT_FALSE(readTensorProtoFile(LOOM_TEST_DATA_DIR, t, &e));
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST(NpyTest, ReadsWhatNumpyWrites) {
  HostTensor t = readNpy("f32_2x3.npy");
  EXPECT_EQ(t.dtype, LOOM_DTYPE_F32);
  EXPECT_EQ(t.shape, (Shape{2, 3}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  HostTensor s = readNpy("i64_scalar.npy");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(values<int64_t>(s), std::vector<int64_t>{-9});
  EXPECT_EQ(readNpy("bool_4.npy").data, (std::vector<uint8_t>{1, 0, 0, 1}));
  EXPECT_EQ(values<uint16_t>(readNpy("f16_2.npy")),
            (std::vector<uint16_t>{0x3800, 0xbc00}));
}

TEST(NpyTest, RefusesFortranOrderAndBigEndian) {
  std::string e;
  readNpy("fortran.npy", &e);
  EXPECT_NE(e.find("Fortran"), std::string::npos) << e;
  readNpy("big_endian.npy", &e);
  EXPECT_NE(e.find("big-endian"), std::string::npos) << e;
}

TEST(NpyTest, RoundTripsAndRejectsTruncation) {
  for (Shape shape : {Shape{}, Shape{3}, Shape{2, 0}, Shape{1, 2, 2}}) {
    HostTensor t;
    t.dtype = LOOM_DTYPE_I32;
    t.shape = shape;
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    t.data.resize(size_t(n) * 4, 0x11);
    std::vector<uint8_t> bytes;
    std::string e;
    ASSERT_TRUE(encodeNpy(t, bytes, &e)) << e;
    EXPECT_EQ((bytes.size() - t.data.size()) % 64, 0u);
    HostTensor back;
    ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), back, &e)) << e;
    EXPECT_EQ(back.shape, shape);
    EXPECT_EQ(back.data, t.data);
    if (n > 0) {
      for (size_t cut = 0; cut < bytes.size(); ++cut)
        EXPECT_FALSE(parseNpy(bytes.data(), cut, back, &e)) << cut;
    }
  }
  HostTensor four;
  four.dtype = LOOM_DTYPE_I4;
  std::vector<uint8_t> bytes;
  std::string e;
  EXPECT_FALSE(encodeNpy(four, bytes, &e));
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

TEST(CompareTest, FollowsAllclose) {
  const float nan = std::nanf(""), inf = INFINITY;
  std::vector<float> want = {1.0f, 100.0f, nan, inf, 0.0f};
  std::vector<float> got = {1.0005f, 100.05f, nan, inf, 1e-6f};
  CompareResult r =
      compareTensors(LOOM_DTYPE_F32, got.data(), want.data(), 5, 1e-3, 1e-5);
  EXPECT_TRUE(r.match);
  EXPECT_NEAR(r.maxAbsError, 0.05, 1e-4);
  EXPECT_NEAR(r.maxRelError, 5e-4, 1e-5);

  got[2] = 1.0f; // NaN expected, number found
  r = compareTensors(LOOM_DTYPE_F32, got.data(), want.data(), 5, 1e-3, 1e-5);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.firstMismatch, 2);
  got[2] = nan;
  got[3] = -inf;
  r = compareTensors(LOOM_DTYPE_F32, got.data(), want.data(), 5, 1e-3, 1e-5);
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.mismatches, 1);
  got[3] = inf;
  got[4] = 1e-4f; // beyond atol with expected 0
  r = compareTensors(LOOM_DTYPE_F32, got.data(), want.data(), 5, 1e-3, 1e-5);
  EXPECT_FALSE(r.match);
}

TEST(CompareTest, HalfPrecisionIntegersAndOpaqueBytes) {
  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0xc000), -2.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(halfToFloat(0x7c00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_EQ(bfloat16ToFloat(0x3f80), 1.0f);

  std::vector<uint16_t> h1 = {0x3c00, 0x4000}, h2 = {0x3c01, 0x4000};
  EXPECT_TRUE(
      compareTensors(LOOM_DTYPE_F16, h1.data(), h2.data(), 2, 1e-3, 0).match);
  EXPECT_FALSE(
      compareTensors(LOOM_DTYPE_F16, h1.data(), h2.data(), 2, 1e-4, 0).match);

  std::vector<int64_t> a = {(int64_t(1) << 60) + 1}, b = {int64_t(1) << 60};
  EXPECT_FALSE(
      compareTensors(LOOM_DTYPE_I64, a.data(), b.data(), 1, 0, 0).match);
  EXPECT_TRUE(
      compareTensors(LOOM_DTYPE_I64, a.data(), a.data(), 1, 0, 0).match);

  std::vector<uint8_t> q1 = {0x21, 0xf3}, q2 = {0x21, 0x03};
  // Three i4 values: the high nibble of the last byte is padding.
  EXPECT_TRUE(
      compareTensors(LOOM_DTYPE_I4, q1.data(), q2.data(), 3, 1, 1).match);
  EXPECT_FALSE(
      compareTensors(LOOM_DTYPE_I4, q1.data(), q2.data(), 4, 1, 1).match);
  EXPECT_FALSE(
      compareTensors(LOOM_DTYPE_F8E4M3FN, q1.data(), q2.data(), 2, 1, 1).match);
}
