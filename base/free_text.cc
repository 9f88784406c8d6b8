#include "base/free_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace dibao {
namespace {

absl::Status Check(absl::string_view field, absl::string_view text,
                   size_t max_bytes, bool multiline) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is ", text.size(),
                                                   " bytes; at most ",
                                                   max_bytes, " are kept"));
  }
  if (const int64_t bad = FirstInvalidUtf8Byte(text); bad >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not valid UTF-8 at byte ", bad));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool allowed_space = multiline && (c == '\n' || c == '\t');
    if ((c < 0x20 || c == 0x7f) && !allowed_space) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " holds control character 0x",
                       absl::Hex(c, absl::kZeroPad2), " at byte ", i));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckNote(absl::string_view field, absl::string_view text) {
  return Check(field, text, kMaxNoteBytes, /*multiline=*/true);
}

absl::Status CheckName(absl::string_view field, absl::string_view text) {
  return Check(field, text, kMaxNameBytes, /*multiline=*/false);
}

absl::Status CheckPrincipalId(absl::string_view id) {
  if (id.empty() || id.size() > 64) {
    return absl::InvalidArgumentError("id: must have 1 to 64 characters");
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '.' && c != '@') {
      return absl::InvalidArgumentError(
          absl::StrCat("id: '", absl::string_view(&c, 1),
                       "' is not allowed (A-Z a-z 0-9 - _ . @)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace dibao
