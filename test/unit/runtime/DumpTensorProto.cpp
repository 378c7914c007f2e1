//===- DumpTensorProto.cpp - Decoded TensorProto summaries, for checks ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Reads .pb paths from stdin and prints, per file, "PATH DTYPE [DIMS] CRC"
// of what loom-run's decoder makes of it (or "PATH ERR message"), so that
// check_onnx_testdata.py can compare it with onnx.numpy_helper.
//
//===----------------------------------------------------------------------===//

#include "Crc32.h"
#include "HostTensor.h"

#include <cstdio>
#include <iostream>
#include <string>

int main() {
  std::string path;
  while (std::getline(std::cin, path)) {
    loom::run::HostTensor t;
    std::string error;
    if (!loom::run::readTensorProtoFile(path, t, &error)) {
      std::printf("%s ERR %s\n", path.c_str(), error.c_str());
      continue;
    }
    std::printf("%s %d [", path.c_str(), int(t.dtype));
    for (int64_t d : t.shape)
      std::printf("%lld,", static_cast<long long>(d));
    std::printf("] %08x\n",
                loom::artifact::crc32(t.data.data(), t.data.size()));
  }
  return 0;
}
