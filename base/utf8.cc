#include "base/utf8.h"

#include <unicode/utf8.h>

#include <algorithm>

namespace dibao {

int64_t FirstInvalidUtf8Byte(absl::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int64_t length = static_cast<int64_t>(text.size());
  // ICU's macros index with int32_t; walk long input in windows.
  int64_t i = 0;
  while (i < length) {
    // Fast path for ASCII.
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    const int32_t window =
        static_cast<int32_t>(std::min<int64_t>(length - i, 4));
    int32_t k = 0;
    UChar32 c;
    U8_NEXT(bytes + i, k, window, c);
    if (c < 0) return i;
    i += k;
  }
  return -1;
}

std::string ToValidUtf8(absl::string_view text) {
  int64_t bad = FirstInvalidUtf8Byte(text);
  if (bad < 0) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  while (bad >= 0) {
    out.append(text.data(), static_cast<size_t>(bad));
    out.append("\xEF\xBF\xBD");  // U+FFFD
    // Skip the ill-formed sequence: its lead byte and any continuation
    // bytes after it.
    size_t skip = 1;
    while (static_cast<size_t>(bad) + skip < text.size() &&
           (static_cast<uint8_t>(text[bad + skip]) & 0xC0) == 0x80 &&
           skip < 4) {
      ++skip;
    }
    text.remove_prefix(static_cast<size_t>(bad) + skip);
    bad = FirstInvalidUtf8Byte(text);
  }
  out.append(text.data(), text.size());
  return out;
}

}  // namespace dibao
