#include "services/read_audit.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "formats/metadata.h"

namespace dibao {
namespace {

v1::AuditEntry EntryFor(const Caller& caller, v1::AuditAction action) {
  v1::AuditEntry e;
  e.set_actor(caller.id());
  e.set_action(action);
  e.set_purpose(caller.purpose);
  return e;
}

// A read of personal data happens only once it is on the audit chain: when
// the chain cannot be written (a full disk), the read is refused, saying
// so, while reads of counts and states go on.
absl::Status Recorded(absl::Status appended) {
  if (appended.ok()) return appended;
  return absl::Status(
      appended.code(),
      absl::StrCat("this read of personal data could not be recorded on the "
                   "audit chain, so it is refused: ",
                   appended.message()));
}

}  // namespace

absl::Status ReadAudit::One(const Caller& caller,
                            absl::string_view household_id,
                            absl::string_view subject,
                            absl::string_view item) const {
  v1::AuditEntry e = EntryFor(caller, v1::AUDIT_ACTION_PERSONAL_DATA_READ);
  e.set_household_id(std::string(household_id));
  e.set_subject(std::string(subject));
  // The detail names no person: the subject field holds the ID, for the
  // auditor's eyes only.
  e.set_detail(absl::StrCat(caller.method, item.empty() ? "" : " ", item,
                            " by ", caller.id(), " (", caller.proven_by, ")"));
  return Recorded(audit_->Append(std::move(e)));
}

absl::Status ReadAudit::Many(const Caller& caller, int64_t records,
                             absl::string_view scope) const {
  v1::AuditEntry e = EntryFor(caller, v1::AUDIT_ACTION_BULK_EXPORT);
  e.set_records(records);
  e.set_detail(absl::StrCat(caller.method, " by ", caller.id(), " (",
                            caller.proven_by, "): ", records, " records, ",
                            scope));
  return Recorded(audit_->Append(std::move(e)));
}

absl::Status ReadAudit::RequirePurpose(const Caller& caller) {
  if (!caller.purpose.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      caller.method,
      " sends many people's data at once, so it needs a stated purpose: "
      "dibaoctl --purpose TEXT (metadata ",
      kPurposeMetadataKey, ")"));
}

}  // namespace dibao
