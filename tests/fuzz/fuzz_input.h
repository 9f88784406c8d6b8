// What the fuzz targets share: the first byte of an input chooses among a
// target's variants (a feed kind, a file format, a message type), the rest
// is the bytes under test, so one corpus covers all of them.
#ifndef DIBAO_TESTS_FUZZ_FUZZ_INPUT_H_
#define DIBAO_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "absl/strings/string_view.h"

namespace dibao::fuzz {

struct Input {
  uint8_t choice = 0;      // the first byte (0 when empty)
  absl::string_view rest;  // the bytes after it
};

inline Input Split(const uint8_t* data, size_t size) {
  Input in;
  if (size == 0) return in;
  in.choice = data[0];
  in.rest =
      absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
  return in;
}

// A property the code under test must keep whatever the input: a failure
// is a finding, reported and aborted on like a crash.
#define DIBAO_FUZZ_CHECK(cond)                                            \
  do {                                                                    \
    if (!(cond)) {                                                        \
      std::cerr << __FILE__ << ":" << __LINE__ << ": " #cond " failed\n"; \
      std::abort();                                                       \
    }                                                                     \
  } while (0)

}  // namespace dibao::fuzz

#endif  // DIBAO_TESTS_FUZZ_FUZZ_INPUT_H_
