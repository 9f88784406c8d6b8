// An agency's file in whatever encoding it came in (UTF-8 with or without a
// byte-order mark, GBK, GB18030, UTF-16, or garbage), read as dibaoctl
// reads it: a converted file comes out as valid UTF-8 whatever the bytes;
// a file read as UTF-8 comes out as it is (its bad lines are the row
// reader's to refuse).
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/text_input.h"
#include "base/utf8.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

const char* const kEncodings[] = {"auto",   "utf-8",    "gb18030", "gbk",
                                  "utf-16", "utf-16le", "utf-16be"};

// One scratch file per process: TextInput reads files, as dibaoctl does.
const std::string& ScratchPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return absl::StrCat(dir != nullptr ? dir : "/tmp", "/dibao-text-fuzz-",
                        ::getpid());
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dibao::fuzz::Input in = dibao::fuzz::Split(data, size);
  {
    std::ofstream out(ScratchPath(), std::ios::binary | std::ios::trunc);
    out.write(in.rest.data(), static_cast<std::streamsize>(in.rest.size()));
  }
  const char* encoding = kEncodings[in.choice % std::size(kEncodings)];
  auto input = dibao::TextInput::Open(ScratchPath(), encoding);
  DIBAO_FUZZ_CHECK(input.ok());
  DIBAO_FUZZ_CHECK(!(*input)->describe().empty());
  const bool as_is = absl::StartsWith((*input)->describe(), "UTF-8 ");
  std::string line, all;
  while (std::getline((*input)->stream(), line)) {
    if (as_is) {
      absl::StrAppend(&all, line, "\n");
    } else {
      DIBAO_FUZZ_CHECK(dibao::IsValidUtf8(line));
    }
  }
  if (as_is) {
    // Nothing lost or added but a final newline.
    DIBAO_FUZZ_CHECK(all == in.rest || all == absl::StrCat(in.rest, "\n"));
  }
  return 0;
}
