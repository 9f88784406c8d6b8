#include "casework/review.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "base/free_text.h"
#include "base/status_macros.h"

namespace dibao {
namespace {

absl::Status Refused(const v1::Flag& flag, absl::string_view what,
                     absl::string_view allowed) {
  std::string now = FlagStateName(flag.state());
  if (!flag.decisions().empty()) {
    const v1::ReviewDecision& last = *flag.decisions().rbegin();
    absl::StrAppend(&now, " (by ", last.by(), ")");
  } else if (flag.state() == v1::FLAG_STATE_AUTO_RESOLVED) {
    absl::StrAppend(&now, " (", flag.resolved_reason(), ")");
  }
  return absl::FailedPreconditionError(
      absl::StrCat("flag ", flag.flag_id(), " is ", now, ": cannot ", what,
                   "; only ", allowed, " flags can be"));
}

bool Workable(const v1::Flag& flag) {
  return flag.state() == v1::FLAG_STATE_OPEN ||
         flag.state() == v1::FLAG_STATE_NEEDS_VISIT;
}

absl::Status CheckDecision(Decision decision, v1::DismissReason reason,
                           const std::string& note) {
  RETURN_IF_ERROR(CheckNote("the note", note));
  if (note.empty()) {
    return absl::InvalidArgumentError(
        "a decision needs a note saying what it rests on");
  }
  if (decision == Decision::kDismiss &&
      reason == v1::DISMISS_REASON_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "a dismissal needs a reason code: PARTNER_DATA_WRONG, "
        "ALREADY_DECLARED, WRONG_PERSON, POLICY_EXCEPTION or OTHER");
  }
  if (decision != Decision::kDismiss &&
      reason != v1::DISMISS_REASON_UNSPECIFIED) {
    return absl::InvalidArgumentError("only a dismissal takes a reason code");
  }
  return absl::OkStatus();
}

v1::FlagState StateOf(Decision d) {
  switch (d) {
    case Decision::kConfirm:
      return v1::FLAG_STATE_CONFIRMED;
    case Decision::kDismiss:
      return v1::FLAG_STATE_DISMISSED;
    case Decision::kNeedsVisit:
      return v1::FLAG_STATE_NEEDS_VISIT;
  }
  return v1::FLAG_STATE_UNSPECIFIED;
}

// "DISMISSED (PARTNER_DATA_WRONG): note" for the audit trail.
std::string Describe(const v1::ReviewDecision& d) {
  std::string out = FlagStateName(d.state());
  if (d.reason() != v1::DISMISS_REASON_UNSPECIFIED) {
    absl::StrAppend(&out, " (", DismissReasonCode(d.reason()), ")");
  }
  absl::StrAppend(&out, ": ", d.note());
  return out;
}

// Puts the decision on the flag (moving it to the decided state) and says
// it on the audit entry, whose actor and time it shares.
void AddDecision(Decision decision, v1::DismissReason reason,
                 const std::string& note, bool visit, v1::Flag& flag,
                 v1::AuditEntry& entry) {
  v1::ReviewDecision* d = flag.add_decisions();
  d->set_state(StateOf(decision));
  d->set_reason(reason);
  d->set_note(note);
  d->set_by(entry.actor());
  *d->mutable_at() = entry.at();
  d->set_visit_result(visit);
  flag.set_state(d->state());
  entry.set_detail(visit ? absl::StrCat("visit: ", Describe(*d))
                         : Describe(*d));
}

}  // namespace

template <typename Fn>
absl::StatusOr<v1::Flag> Review::Act(const ReviewContext& ctx,
                                     v1::AuditAction action, Fn&& change) {
  if (ctx.caseworker.empty()) {
    return absl::InvalidArgumentError(
        "who acts is required: every review action names its caseworker");
  }
  RETURN_IF_ERROR(CheckName("the caseworker", ctx.caseworker));
  absl::MutexLock lock(&flags_->mutex());
  ASSIGN_OR_RETURN(v1::Flag flag, flags_->Get(ctx.flag_id));
  if (ctx.expected_version > 0 && flag.version() != ctx.expected_version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "flag ", flag.flag_id(), " changed since you read it: it is now ",
        FlagStateName(flag.state()), " at version ", flag.version(),
        " (you saw version ", ctx.expected_version, "); read it again"));
  }
  v1::AuditEntry entry;
  entry.set_actor(ctx.caseworker);
  entry.set_action(action);
  entry.set_household_id(flag.household_id());
  entry.set_flag_id(flag.flag_id());
  *entry.mutable_at() = ToProto(clock_->Now());
  RETURN_IF_ERROR(change(flag, entry));
  rocksdb::WriteBatch batch;
  flags_->Stage(&flag, &batch);
  RETURN_IF_ERROR(audit_->Commit({std::move(entry)}, &batch));
  return flag;
}

absl::StatusOr<v1::Flag> Review::Claim(const ReviewContext& ctx) {
  return Act(
      ctx, v1::AUDIT_ACTION_FLAG_CLAIMED,
      [&](v1::Flag& flag, v1::AuditEntry& entry) -> absl::Status {
        if (!Workable(flag)) {
          return Refused(flag, "claim it", "OPEN and NEEDS_VISIT");
        }
        if (!flag.assignee().empty() && flag.assignee() != ctx.caseworker) {
          return absl::FailedPreconditionError(
              absl::StrCat("flag ", flag.flag_id(), " is already claimed by ",
                           flag.assignee(), "; ask them, or have it assigned"));
        }
        flag.set_assignee(ctx.caseworker);
        *flag.mutable_assigned_at() = entry.at();
        entry.set_detail(absl::StrCat("claimed by ", ctx.caseworker));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Flag> Review::Assign(const ReviewContext& ctx,
                                        const std::string& assignee) {
  return Act(ctx, v1::AUDIT_ACTION_FLAG_ASSIGNED,
             [&](v1::Flag& flag, v1::AuditEntry& entry) -> absl::Status {
               if (assignee.empty()) {
                 return absl::InvalidArgumentError(
                     "assign to whom? the assignee is empty");
               }
               RETURN_IF_ERROR(CheckName("the assignee", assignee));
               if (!Workable(flag)) {
                 return Refused(flag, "assign it", "OPEN and NEEDS_VISIT");
               }
               entry.set_detail(absl::StrCat(
                   "assigned to ", assignee,
                   flag.assignee().empty()
                       ? std::string()
                       : absl::StrCat(" (was ", flag.assignee(), ")")));
               flag.set_assignee(assignee);
               *flag.mutable_assigned_at() = entry.at();
               return absl::OkStatus();
             });
}

absl::StatusOr<v1::Flag> Review::Decide(const ReviewContext& ctx,
                                        Decision decision,
                                        v1::DismissReason reason,
                                        const std::string& note) {
  RETURN_IF_ERROR(CheckDecision(decision, reason, note));
  return Act(ctx, v1::AUDIT_ACTION_FLAG_DECIDED,
             [&](v1::Flag& flag, v1::AuditEntry& entry) -> absl::Status {
               if (flag.state() != v1::FLAG_STATE_OPEN) {
                 return Refused(flag, "decide it",
                                flag.state() == v1::FLAG_STATE_NEEDS_VISIT
                                    ? "OPEN (record the visit's result instead)"
                                    : "OPEN");
               }
               AddDecision(decision, reason, note, /*visit=*/false, flag,
                           entry);
               return absl::OkStatus();
             });
}

absl::StatusOr<v1::Flag> Review::RecordVisit(const ReviewContext& ctx,
                                             Decision result,
                                             v1::DismissReason reason,
                                             const std::string& note) {
  if (result == Decision::kNeedsVisit) {
    return absl::InvalidArgumentError(
        "a visit's result is CONFIRM or DISMISS, not another visit");
  }
  RETURN_IF_ERROR(CheckDecision(result, reason, note));
  return Act(ctx, v1::AUDIT_ACTION_FLAG_VISIT_RESULT,
             [&](v1::Flag& flag, v1::AuditEntry& entry) -> absl::Status {
               if (flag.state() != v1::FLAG_STATE_NEEDS_VISIT) {
                 return Refused(flag, "record a visit for it", "NEEDS_VISIT");
               }
               AddDecision(result, reason, note, /*visit=*/true, flag, entry);
               return absl::OkStatus();
             });
}

absl::StatusOr<v1::Flag> Review::Comment(const ReviewContext& ctx,
                                         const std::string& text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("the comment is empty");
  }
  RETURN_IF_ERROR(CheckNote("the comment", text));
  return Act(ctx, v1::AUDIT_ACTION_FLAG_COMMENTED,
             [&](v1::Flag& flag, v1::AuditEntry& entry) -> absl::Status {
               if (flag.comments_size() >= kMaxCommentsPerFlag) {
                 return absl::ResourceExhaustedError(absl::StrCat(
                     "flag ", flag.flag_id(), " has ", flag.comments_size(),
                     " comments, the limit per flag; decide it, or keep "
                     "further notes in the household's file"));
               }
               v1::ReviewComment* c = flag.add_comments();
               c->set_by(ctx.caseworker);
               *c->mutable_at() = entry.at();
               c->set_text(text);
               entry.set_detail(text);
               return absl::OkStatus();
             });
}

}  // namespace dibao
