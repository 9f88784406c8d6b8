// Checks and normalises one partner-agency feed record.
//
// Thread-safe: pure functions.
#ifndef DIBAO_FEEDS_INTERNAL_FEED_VALIDATION_H_
#define DIBAO_FEEDS_INTERNAL_FEED_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "dibao/v1/feeds.pb.h"
#include "formats/feed_kinds.h"

namespace dibao {

// A refused field of a feed record.
struct RecordError {
  std::string field;  // "id_number", "start_date", ... or "" for the record
  std::string reason;
};

// Bounds: far above any real amount, low enough to catch a yuan/fen mix-up
// or a corrupted number before it reaches the arithmetic.
inline constexpr int64_t kMaxFeedAmountFen = 10'000'000'000;  // 100M yuan
inline constexpr double kMaxAreaM2 = 1'000'000;

// Validates `record` as a record of `spec`'s kind, as of the bureau's
// `today`, and normalises it in place: the ID to its 18-character form (the
// original kept in id_number_original). Checks: ID valid (the ID module's
// reason otherwise), name present (unless the record withdraws a fact),
// the action known and a withdrawal's reason and note, the record of the right
// kind, required fields present, dates real and within 1900-01-01 ..
// 2100-12-31, months real, enums known, amounts non-negative and bounded, texts
// without control characters and at most 200 bytes, end dates not before start
// dates, a hukou address code of 6 digits with a real province. Returns every
// problem; empty when acceptable.
std::vector<RecordError> ValidateFeedRecord(const FeedKindSpec& spec,
                                            v1::FeedRecord& record,
                                            absl::CivilDay today);

// The same checks in two steps, for the staging path, which serializes each
// record between them anyway:
// - the ID (normalised in place), the name, and that the record is of the
//   kind; false when it is not (its fields are then not checked);
bool ValidateFeedIdentity(const FeedKindSpec& spec, v1::FeedRecord& record,
                          absl::CivilDay today,
                          std::vector<RecordError>* errors);
// - the kind's fields, read from `record_bytes` (the serialized FeedRecord);
//   when they are all acceptable and `natural_key` is not null, it receives
//   the record's natural key (the bytes keys::NaturalKey gives). For a
//   `withdrawal` only the key fields are required.
void ValidateFeedFields(const FeedKindSpec& spec,
                        absl::string_view record_bytes, bool withdrawal,
                        std::vector<RecordError>* errors,
                        std::string* natural_key);

}  // namespace dibao

#endif  // DIBAO_FEEDS_INTERNAL_FEED_VALIDATION_H_
