#include "reports/feed_quality.h"

#include <limits>
#include <map>
#include <set>

#include "base/clock.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "formats/feed_kinds.h"

namespace dibao {

absl::StatusOr<v1::FeedQualityReport> ComputeFeedQuality(
    const FeedStore& feeds, const FlagStore& flags,
    std::optional<absl::CivilDay> since) {
  v1::FeedQualityReport report;
  if (since) *report.mutable_since() = ToProto(*since);
  std::map<v1::FeedKind, v1::FeedQualityRow> rows;
  for (const FeedKindSpec& spec : AllFeedKinds()) {
    v1::FeedQualityRow& row = rows[spec.kind];
    row.set_agency(spec.agency);
    row.set_kind(spec.kind);
  }
  ASSIGN_OR_RETURN(std::vector<v1::Receipt> receipts,
                   feeds.ListBatches(v1::AGENCY_UNSPECIFIED,
                                     std::numeric_limits<int>::max()));
  for (const v1::Receipt& r : receipts) {
    auto as_of = FromProto(r.header().as_of());
    if (since && (!as_of.ok() || *as_of < *since)) continue;
    auto it = rows.find(r.header().kind());
    if (it == rows.end()) continue;
    v1::FeedQualityRow& row = it->second;
    row.set_batches(row.batches() + 1);
    row.set_records(row.records() + r.header().record_count());
    row.set_rejected(row.rejected() + r.rejected());
    row.set_withdrawn(row.withdrawn() + r.withdrawn());
  }
  // A flag counts once per kind it rests on, by its latest decision.
  RETURN_IF_ERROR(
      flags.ForEach(FlagFilter(), [&](const v1::Flag& flag) -> absl::Status {
        const v1::ReviewDecision* last = nullptr;
        for (const v1::ReviewDecision& d : flag.decisions()) {
          if (d.state() == v1::FLAG_STATE_CONFIRMED ||
              d.state() == v1::FLAG_STATE_DISMISSED) {
            last = &d;
          }
        }
        if (last == nullptr) return absl::OkStatus();
        if (since && absl::ToCivilDay(FromProto(last->at()), BureauTimeZone()) <
                         *since) {
          return absl::OkStatus();
        }
        std::set<v1::FeedKind> kinds;
        for (const v1::Fact& fact : flag.finding().facts()) {
          kinds.insert(fact.kind());
        }
        for (v1::FeedKind kind : kinds) {
          auto it = rows.find(kind);
          if (it == rows.end()) continue;
          v1::FeedQualityRow& row = it->second;
          row.set_flags_decided(row.flags_decided() + 1);
          if (FaultsPartnerData(*last)) {
            row.set_flags_partner_wrong(row.flags_partner_wrong() + 1);
          }
        }
        return absl::OkStatus();
      }));
  for (auto& [kind, row] : rows) {
    if (row.flags_decided() > 0) {
      row.set_partner_wrong_percent(100.0 * row.flags_partner_wrong() /
                                    row.flags_decided());
    }
    *report.add_rows() = std::move(row);
  }
  return report;
}

}  // namespace dibao
