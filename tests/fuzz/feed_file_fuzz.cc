// A partner agency's file, CSV or JSON Lines, of any of the thirteen kinds,
// through the reader dibaoctl and the drop directory use, and every record
// it yields through the server's validation of an uploaded record.
#include <sstream>

#include "absl/time/civil_time.h"
#include "base/utf8.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_format.h"
#include "formats/feed_kinds.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dibao::fuzz::Input in = dibao::fuzz::Split(data, size);
  const auto& kinds = dibao::AllFeedKinds();
  const dibao::FeedKindSpec& spec = kinds[(in.choice >> 1) % kinds.size()];
  const dibao::FileFormat format =
      in.choice & 1 ? dibao::FileFormat::kJsonl : dibao::FileFormat::kCsv;
  std::istringstream file{std::string(in.rest)};
  int64_t last_line = 0;
  auto ok = [&](int64_t line, dibao::v1::FeedRecord record) {
    DIBAO_FUZZ_CHECK(line >= last_line);  // in file order
    last_line = line;
    std::vector<dibao::RecordError> errors =
        dibao::ValidateFeedRecord(spec, record, absl::CivilDay(2026, 12, 7));
    for (const dibao::RecordError& e : errors) {
      DIBAO_FUZZ_CHECK(!e.reason.empty());  // a refusal says why
    }
  };
  auto bad = [&](dibao::RowError e) {
    DIBAO_FUZZ_CHECK(e.line >= last_line);
    last_line = e.line;
    DIBAO_FUZZ_CHECK(!e.reason.empty());
    // What is shown back to the agency is text it can read.
    DIBAO_FUZZ_CHECK(dibao::IsValidUtf8(e.reason));
  };
  dibao::ReadFeedRecords(file, format, spec, ok, bad).IgnoreError();
  return 0;
}
