// The short names of the wire enums as people type and read them
// ("PARTNER_DATA_WRONG" for DISMISS_REASON_PARTNER_DATA_WRONG), and the
// printed form of recommendation IDs: shared by the engine, the server and
// dibaoctl, which must agree on them without linking each other.
//
// Thread-safe: pure functions.
#ifndef DIBAO_FORMATS_NAMES_H_
#define DIBAO_FORMATS_NAMES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/recommendations.pb.h"
#include "dibao/v1/review.pb.h"

namespace dibao {

// "PARTNER_DATA_WRONG" for DISMISS_REASON_PARTNER_DATA_WRONG.
std::string DismissReasonCode(v1::DismissReason reason);
// The reverse, any case; INVALID_ARGUMENT listing the codes.
absl::StatusOr<v1::DismissReason> ParseDismissReason(absl::string_view code);

// "OPEN" for FLAG_STATE_OPEN.
std::string FlagStateName(v1::FlagState state);
// "open", "NEEDS_VISIT", ... as a FlagState; INVALID_ARGUMENT listing them.
absl::StatusOr<v1::FlagState> ParseFlagState(absl::string_view text);

// "HIGH" for SEVERITY_HIGH.
std::string SeverityName(v1::Severity severity);

// "EXIT" for RECOMMENDATION_KIND_EXIT; "PROPOSED" for ..._STATE_PROPOSED.
std::string RecommendationKindName(v1::RecommendationKind kind);
std::string RecommendationStateName(v1::RecommendationState state);
// "proposed", "APPROVED", ... as a RecommendationState; INVALID_ARGUMENT
// listing them.
absl::StatusOr<v1::RecommendationState> ParseRecommendationState(
    absl::string_view text);

// "community evaluation", "street review", "district approval".
std::string RecommendationStageName(v1::RecommendationStage stage);

// "R0000123" for 123; and back (INVALID_ARGUMENT for anything else).
std::string FormatRecommendationId(uint64_t seq);
absl::StatusOr<uint64_t> ParseRecommendationId(absl::string_view id);

}  // namespace dibao

#endif  // DIBAO_FORMATS_NAMES_H_
