// UTF-8 checks for text arriving from files and feeds.
//
// Protobuf string fields must hold valid UTF-8: a message carrying invalid
// bytes fails to parse on the receiving side, which would break a whole
// stream for one bad cell. Readers check each cell with this first.
#ifndef DIBAO_BASE_UTF8_H_
#define DIBAO_BASE_UTF8_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace dibao {

// Index of the first byte that does not start a well-formed UTF-8 sequence,
// or -1 when `text` is entirely valid (strict: no overlong forms, no
// surrogates).
int64_t FirstInvalidUtf8Byte(absl::string_view text);

inline bool IsValidUtf8(absl::string_view text) {
  return FirstInvalidUtf8Byte(text) < 0;
}

// `text` with every ill-formed sequence replaced by U+FFFD: for messages
// that quote input (a parser's complaint quotes a snippet it may have cut
// inside a character) before they go into a protobuf string field.
std::string ToValidUtf8(absl::string_view text);

}  // namespace dibao

#endif  // DIBAO_BASE_UTF8_H_
