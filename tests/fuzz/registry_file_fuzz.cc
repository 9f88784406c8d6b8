// The civil-affairs registry export (households and members files, CSV or
// JSON Lines) through the reader `dibaoctl registry import` uses.
#include <sstream>

#include "base/utf8.h"
#include "formats/registry_format.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dibao::fuzz::Input in = dibao::fuzz::Split(data, size);
  const dibao::FileFormat format =
      in.choice & 1 ? dibao::FileFormat::kJsonl : dibao::FileFormat::kCsv;
  std::istringstream file{std::string(in.rest)};
  auto bad = [&](dibao::RowError e) {
    DIBAO_FUZZ_CHECK(!e.reason.empty());
    DIBAO_FUZZ_CHECK(dibao::IsValidUtf8(e.reason));
  };
  if (in.choice & 2) {
    dibao::ReadMembers(
        file, format,
        [](int64_t, dibao::v1::Member m) {
          DIBAO_FUZZ_CHECK(dibao::IsValidUtf8(m.name()));
        },
        bad)
        .IgnoreError();
  } else {
    dibao::ReadHouseholds(
        file, format,
        [](int64_t, dibao::v1::Household h) {
          DIBAO_FUZZ_CHECK(dibao::IsValidUtf8(h.registered_address()));
        },
        bad)
        .IgnoreError();
  }
  return 0;
}
