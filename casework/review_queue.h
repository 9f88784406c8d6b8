// The review queue as caseworkers read it: flags ordered by priority with
// filters, counts and paging, and one flag as a case with its household,
// reassessment, other flags and audit history. Changes to flags are
// Review's (review.h); this side only reads.
//
// Priority = severity (INFO 1, LOW 2, MEDIUM 3, HIGH 4)
//            x estimated monthly overpayment in yuan (at least 1)
//            x (1 + days since first seen / 30),
// rounded down: a high-severity conflict paying out much every month comes
// first, and a flag left waiting climbs a little every day so none is
// forgotten.
//
// Thread-safe: reads only, through thread-safe components.
#ifndef DIBAO_CASEWORK_REVIEW_QUEUE_H_
#define DIBAO_CASEWORK_REVIEW_QUEUE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "base/clock.h"
#include "dibao/v1/review.pb.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "registry/registry.h"
#include "storage/audit_log.h"

namespace dibao {

inline constexpr char kPriorityFormula[] =
    "severity (INFO 1 .. HIGH 4) x monthly overpayment in yuan (at least 1) "
    "x (1 + days since first seen / 30)";

// The flag's priority on `today` (see the file comment).
int64_t QueuePriority(const v1::Flag& flag, absl::CivilDay today);

class ReviewQueue {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 1000;

  // All must outlive the queue.
  ReviewQueue(const FlagStore* flags, const Registry* registry,
              const CycleRunner* cycles, const AuditLog* audit, Clock* clock)
      : flags_(flags),
        registry_(registry),
        cycles_(cycles),
        audit_(audit),
        clock_(clock) {}

  // One page of the queue. INVALID_ARGUMENT for an unknown rule, state or
  // severity, a negative size or age, or a page token not from this call.
  absl::StatusOr<v1::ListQueueResponse> List(
      const v1::ListQueueRequest& request) const;

  // NOT_FOUND for an unknown flag.
  absl::StatusOr<v1::Case> GetCase(absl::string_view flag_id) const;

 private:
  const FlagStore* const flags_;
  const Registry* const registry_;
  const CycleRunner* const cycles_;
  const AuditLog* const audit_;
  Clock* const clock_;
};

}  // namespace dibao

#endif  // DIBAO_CASEWORK_REVIEW_QUEUE_H_
