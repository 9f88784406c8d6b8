// The review queue's actions on one flag: claim, assign, decide (CONFIRM,
// DISMISS with a reason, NEEDS_VISIT), the result of a home visit, and
// comments. Each action names its caseworker, checks the flag's state (and,
// when given, the version the caseworker saw), and writes the flag with its
// audit-trail entry in one write.
//
// The state machine:
//   OPEN        --decide CONFIRM-->      CONFIRMED
//   OPEN        --decide DISMISS-->      DISMISSED (reason code + note)
//   OPEN        --decide NEEDS_VISIT-->  NEEDS_VISIT
//   NEEDS_VISIT --visit CONFIRM-->       CONFIRMED
//   NEEDS_VISIT --visit DISMISS-->       DISMISSED
// Claims and assignments while OPEN or NEEDS_VISIT; comments always.
// Notes, comments and names are bounded (base/free_text.h): INVALID_ARGUMENT
// naming the field when one is too long or holds control characters.
// Anything else is refused with FAILED_PRECONDITION naming the current
// state; nothing a machine does ends in CONFIRMED or DISMISSED.
//
// Thread-safe: actions hold the flags' mutex from reading the flag to
// writing it, so of two caseworkers deciding one flag at once, one wins and
// the other is told the state the first left it in.
#ifndef DIBAO_CASEWORK_REVIEW_H_
#define DIBAO_CASEWORK_REVIEW_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "dibao/v1/matching.pb.h"
#include "formats/names.h"
#include "matcher/flag_store.h"
#include "storage/audit_log.h"

namespace dibao {

// Who acts, on which flag, and the flag version they saw (0: not checked).
struct ReviewContext {
  std::string caseworker;
  std::string flag_id;
  int64_t expected_version = 0;
};

enum class Decision { kConfirm, kDismiss, kNeedsVisit };

class Review {
 public:
  // All must outlive the Review.
  Review(FlagStore* flags, AuditLog* audit, Clock* clock)
      : flags_(flags), audit_(audit), clock_(clock) {}

  // Takes the flag for the caseworker (again, if it is already theirs).
  absl::StatusOr<v1::Flag> Claim(const ReviewContext& ctx);
  // Gives the flag to `assignee` (a supervisor's hand-out).
  absl::StatusOr<v1::Flag> Assign(const ReviewContext& ctx,
                                  const std::string& assignee);
  // CONFIRM, DISMISS (with a reason other than UNSPECIFIED) or NEEDS_VISIT
  // an OPEN flag; `note` is required.
  absl::StatusOr<v1::Flag> Decide(const ReviewContext& ctx, Decision decision,
                                  v1::DismissReason reason,
                                  const std::string& note);
  // The result of the home visit a NEEDS_VISIT flag asked for: kConfirm or
  // kDismiss (with a reason); `note` is required.
  absl::StatusOr<v1::Flag> RecordVisit(const ReviewContext& ctx,
                                       Decision result,
                                       v1::DismissReason reason,
                                       const std::string& note);
  // At most kMaxCommentsPerFlag comments, each a note of at most
  // kMaxNoteBytes (base/free_text.h): the case view carries them all.
  absl::StatusOr<v1::Flag> Comment(const ReviewContext& ctx,
                                   const std::string& text);

  // With notes of 4 KiB, 200 comments keep a case view under 1 MiB.
  static constexpr int kMaxCommentsPerFlag = 200;

 private:
  // Loads the flag under the flags' mutex, checks caseworker and version,
  // lets `change` check the state and change the flag and fill the audit
  // entry, then writes both.
  template <typename Fn>
  absl::StatusOr<v1::Flag> Act(const ReviewContext& ctx, v1::AuditAction action,
                               Fn&& change);

  FlagStore* const flags_;
  AuditLog* const audit_;
  Clock* const clock_;
};

}  // namespace dibao

#endif  // DIBAO_CASEWORK_REVIEW_H_
