// Data quality per partner agency and kind: the receipts' counts (records
// received, refused, withdrawn) beside what caseworkers decided about the
// flags resting on the kind's facts. What a bureau takes to its quarterly
// meeting with the agencies, and what the agencies' own feedback lists
// (casework/partner_feedback.h) add up to.
//
// Thread-safe as FeedStore and FlagStore are.
#ifndef DIBAO_REPORTS_FEED_QUALITY_H_
#define DIBAO_REPORTS_FEED_QUALITY_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/reports.pb.h"
#include "feeds/feed_store.h"
#include "matcher/flag_store.h"

namespace dibao {

// Batches as of, and decisions made on, `since` or later (all without).
absl::StatusOr<v1::FeedQualityReport> ComputeFeedQuality(
    const FeedStore& feeds, const FlagStore& flags,
    std::optional<absl::CivilDay> since);

}  // namespace dibao

#endif  // DIBAO_REPORTS_FEED_QUALITY_H_
