// Limits on what people type: comments, decision notes, reasons and the
// names of people they hand work to.
//
// Such text is stored with a flag, a recommendation or a sample and sent
// back to every later reader, so one oversized or garbled entry must not
// make someone else's page fail (a gRPC message is 4 MiB at most) or break
// a terminal. Checked where the text enters the engine, for every caller.
#ifndef DIBAO_BASE_FREE_TEXT_H_
#define DIBAO_BASE_FREE_TEXT_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dibao {

// A note or comment: 4 KiB of UTF-8, about 1,300 Chinese characters, more
// than a page of a casework form.
inline constexpr size_t kMaxNoteBytes = 4096;
// A person's or principal's name or ID.
inline constexpr size_t kMaxNameBytes = 128;

// OK when `text` is valid UTF-8 of at most kMaxNoteBytes without control
// characters other than newline and tab; otherwise INVALID_ARGUMENT naming
// `field`, the limit or the offending byte. Empty text is for the caller to
// judge.
absl::Status CheckNote(absl::string_view field, absl::string_view text);

// The same for a name: at most kMaxNameBytes, one line, no control
// characters at all.
absl::Status CheckName(absl::string_view field, absl::string_view text);

// OK when `id` is a usable principal ID (a certificate's Common Name, a
// console user ID): 1-64 of A-Z a-z 0-9 - _ . @; otherwise
// INVALID_ARGUMENT naming the problem ("id: ' ' is not allowed ...").
absl::Status CheckPrincipalId(absl::string_view id);

}  // namespace dibao

#endif  // DIBAO_BASE_FREE_TEXT_H_
