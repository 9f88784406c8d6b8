// Exit and benefit-adjustment recommendations, made from the flags a
// caseworker CONFIRMED and the household's reassessment, decided by the
// bureau, and applied to the registry through Registry::Upsert (history and
// audit in the same write).
//
// What a household gets (Recommend()):
//   - nothing while any flag with money at stake is still OPEN or
//     NEEDS_VISIT: no exit or reduction rests on an undecided flag;
//   - the new top-up is the reassessment's; but when a caseworker DISMISSED
//     a flag with money at stake, whose evidence the reassessment still
//     counts, only the confirmed flags' own effect is taken (the benefit
//     paid now less the largest confirmed overpayment);
//   - top-up 0: EXIT, or GRADUAL_EXIT when a confirmed job lifted the
//     household and the policy's gradual-exit months after the job started
//     reach past the effective day (the benefit is paid through the end of
//     the last of those months, then the household exits);
//   - members deceased or in custody (confirmed): REMOVE_MEMBER with the
//     top-up without them;
//   - otherwise REDUCE, INCREASE or KEEP.
// Exits, reductions, removals and gradual exits take effect on the first
// day of the month after the policy's notice period, counted from the
// approval; increases and KEEP on the first of the next month.
//
// 一评两审: a recommendation is made PROPOSED; the community worker
// evaluates it (EVALUATED), the street reviewer reviews it (REVIEWED) and
// the district approver approves it (APPROVED, applied to the registry);
// any stage may reject it instead. Each stage is a different principal:
// nobody reviews or approves what they evaluated or reviewed, nobody
// reviews or approves a recommendation resting on a flag they decided, and
// its maker does not approve it (four eyes).
//
// A household has at most one standing (PROPOSED, EVALUATED or REVIEWED)
// recommendation: when its confirmed flags or its registry version change,
// the next Generate() supersedes it.
// Confirmed flags an APPROVED or REJECTED recommendation already covered
// are not recommended on again.
//
// Thread-safe: writers hold an internal mutex.
#ifndef DIBAO_CASEWORK_RECOMMENDATIONS_H_
#define DIBAO_CASEWORK_RECOMMENDATIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "base/clock.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/recommendations.pb.h"
#include "formats/names.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "registry/registry.h"
#include "storage/audit_log.h"
#include "storage/store.h"

namespace dibao {

// What the household's flags and reassessment lead to.
struct RecommendOutcome {
  // Unset when there is nothing to recommend (no confirmed flag) or the
  // household must wait.
  std::optional<v1::Recommendation> recommendation;
  // Why it waits, e.g. "flags F0000012, F0000013 are still undecided".
  std::string waiting;
};

// The recommendation for `household` from its `flags` (all of them, any
// state) and `assessment`, made on `day`; no ID, state or stamps yet.
RecommendOutcome Recommend(const v1::Household& household,
                           const std::vector<v1::Flag>& flags,
                           const v1::Assessment& assessment,
                           const v1::Policy& policy, absl::CivilDay day);

// The first day of the month after `day` + the notice days for kinds that
// need notice, else the first of the month after `day`.
absl::CivilDay EffectiveDay(v1::RecommendationKind kind, int notice_days,
                            absl::CivilDay day);

class Recommender {
 public:
  // All must outlive the recommender.
  Recommender(Store* store, const FlagStore* flags, Registry* registry,
              const CycleRunner* cycles, AuditLog* audit, Clock* clock)
      : store_(store),
        flags_(flags),
        registry_(registry),
        cycles_(cycles),
        audit_(audit),
        clock_(clock) {}

  // Whether a district, street and community is the actor's to work.
  using AreaFilterFn =
      std::function<bool(absl::string_view district, absl::string_view street,
                         absl::string_view community)>;

  // Makes the recommendations due on `day` (see the file comment) and
  // applies approved gradual exits whose period ended before `day`, for the
  // households `in_scope` accepts (all when null).
  // FAILED_PRECONDITION without a policy; INVALID_ARGUMENT without an actor.
  absl::StatusOr<v1::GenerateRecommendationsResponse> Generate(
      absl::CivilDay day, const std::string& actor,
      const AreaFilterFn& in_scope = nullptr);

  absl::StatusOr<v1::ListRecommendationsResponse> List(
      const v1::ListRecommendationsRequest& request) const;
  // NOT_FOUND for an unknown ID.
  absl::StatusOr<v1::Recommendation> Get(absl::string_view id) const;
  // Every stored recommendation in ID order; stops at `fn`'s first error.
  absl::Status ForEach(
      const std::function<absl::Status(const v1::Recommendation&)>& fn) const;

  // 评: a PROPOSED recommendation passed to the street by `actor` for the
  // reason in `note` (required), or rejected. FAILED_PRECONDITION when it
  // is in another state or the household changed since it was made.
  absl::StatusOr<v1::Recommendation> Evaluate(absl::string_view id,
                                              const std::string& actor,
                                              const std::string& note,
                                              bool reject = false);
  // 审: an EVALUATED one passed to the district, or rejected.
  // PERMISSION_DENIED for its evaluator or who decided one of its flags.
  absl::StatusOr<v1::Recommendation> Review(absl::string_view id,
                                            const std::string& actor,
                                            const std::string& note,
                                            bool reject = false);
  // 审: a REVIEWED one approved, and applied to the registry in the same
  // write; or rejected. PERMISSION_DENIED for whoever took part before.
  absl::StatusOr<v1::Recommendation> Approve(absl::string_view id,
                                             const std::string& actor,
                                             const std::string& note);
  absl::StatusOr<v1::Recommendation> Reject(absl::string_view id,
                                            const std::string& actor,
                                            const std::string& note);

 private:
  // Every stored recommendation, in ID order.
  absl::StatusOr<std::vector<v1::Recommendation>> All() const;
  // FAILED_PRECONDITION naming the first flag `r` rests on that is no
  // longer CONFIRMED (reopened since it was made).
  absl::Status CheckFlagsStand(const v1::Recommendation& r) const;
  // Loads a recommendation for `stage`'s decision by `actor`: in the state
  // the stage takes, and `actor` not barred by four eyes.
  absl::StatusOr<v1::Recommendation> LoadForStage(absl::string_view id,
                                                  v1::RecommendationStage stage,
                                                  const std::string& actor,
                                                  const std::string& note)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Passes `id` on from `stage` (not the approval, which applies it) or
  // rejects it there.
  absl::StatusOr<v1::Recommendation> PassOrReject(absl::string_view id,
                                                  v1::RecommendationStage stage,
                                                  const std::string& actor,
                                                  const std::string& note,
                                                  bool reject);
  // Applies an approved gradual exit whose period ended.
  absl::StatusOr<v1::Recommendation> ApplyGradualExit(v1::Recommendation r,
                                                      const std::string& actor)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  const FlagStore* const flags_;
  Registry* const registry_;
  const CycleRunner* const cycles_;
  AuditLog* const audit_;
  Clock* const clock_;
  absl::Mutex mu_;
};

}  // namespace dibao

#endif  // DIBAO_CASEWORK_RECOMMENDATIONS_H_
