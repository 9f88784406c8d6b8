#include "base/money.h"

#include "absl/strings/str_format.h"

namespace dibao {

std::string FormatYuan(int64_t fen) {
  // Work in unsigned magnitude so INT64_MIN does not overflow on negation.
  const bool negative = fen < 0;
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(fen) + 1 : static_cast<uint64_t>(fen);
  return absl::StrFormat("%s%d.%02d", negative ? "-" : "", magnitude / 100,
                         magnitude % 100);
}

}  // namespace dibao
