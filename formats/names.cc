#include "formats/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace dibao {

std::string DismissReasonCode(v1::DismissReason reason) {
  return std::string(
      absl::StripPrefix(v1::DismissReason_Name(reason), "DISMISS_REASON_"));
}

absl::StatusOr<v1::DismissReason> ParseDismissReason(absl::string_view code) {
  v1::DismissReason reason;
  if (!v1::DismissReason_Parse(
          absl::StrCat("DISMISS_REASON_", absl::AsciiStrToUpper(code)),
          &reason) ||
      reason == v1::DISMISS_REASON_UNSPECIFIED) {
    std::vector<std::string> codes;
    for (int r = v1::DismissReason_MIN + 1; r <= v1::DismissReason_MAX; ++r) {
      if (v1::DismissReason_IsValid(r)) {
        codes.push_back(DismissReasonCode(static_cast<v1::DismissReason>(r)));
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown reason code \"", code,
                     "\"; use one of: ", absl::StrJoin(codes, ", ")));
  }
  return reason;
}

std::string FlagStateName(v1::FlagState state) {
  return std::string(
      absl::StripPrefix(v1::FlagState_Name(state), "FLAG_STATE_"));
}

absl::StatusOr<v1::FlagState> ParseFlagState(absl::string_view text) {
  v1::FlagState state;
  if (!v1::FlagState_Parse(
          absl::StrCat("FLAG_STATE_", absl::AsciiStrToUpper(text)), &state) ||
      state == v1::FLAG_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "state \"", text,
        "\" is not one of OPEN, AUTO_RESOLVED, CONFIRMED, DISMISSED, "
        "NEEDS_VISIT"));
  }
  return state;
}

std::string SeverityName(v1::Severity severity) {
  return std::string(
      absl::StripPrefix(v1::Severity_Name(severity), "SEVERITY_"));
}

std::string RecommendationKindName(v1::RecommendationKind kind) {
  return std::string(absl::StripPrefix(v1::RecommendationKind_Name(kind),
                                       "RECOMMENDATION_KIND_"));
}

std::string RecommendationStateName(v1::RecommendationState state) {
  return std::string(absl::StripPrefix(v1::RecommendationState_Name(state),
                                       "RECOMMENDATION_STATE_"));
}

std::string RecommendationStageName(v1::RecommendationStage stage) {
  switch (stage) {
    case v1::RECOMMENDATION_STAGE_EVALUATION:
      return "community evaluation";
    case v1::RECOMMENDATION_STAGE_STREET_REVIEW:
      return "street review";
    case v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL:
      return "district approval";
    default:
      return "no stage";
  }
}

absl::StatusOr<v1::RecommendationState> ParseRecommendationState(
    absl::string_view text) {
  v1::RecommendationState state;
  if (!v1::RecommendationState_Parse(
          absl::StrCat("RECOMMENDATION_STATE_", absl::AsciiStrToUpper(text)),
          &state) ||
      state == v1::RECOMMENDATION_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("state \"", text,
                     "\" is not one of PROPOSED, APPROVED, REJECTED, "
                     "SUPERSEDED"));
  }
  return state;
}

std::string FormatRecommendationId(uint64_t seq) {
  return absl::StrFormat("R%07d", seq);
}

absl::StatusOr<uint64_t> ParseRecommendationId(absl::string_view id) {
  uint64_t seq = 0;
  if (id.size() < 2 || (id[0] != 'R' && id[0] != 'r') ||
      !absl::SimpleAtoi(id.substr(1), &seq) || seq == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "recommendation ID \"", id, "\" is not R followed by digits"));
  }
  return seq;
}

}  // namespace dibao
