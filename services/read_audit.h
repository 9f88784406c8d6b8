// Reads of personal data on the audit chain: who read (the proven caller),
// what (the RPC), why (the purpose the call stated, kPurposeMetadataKey)
// and whose (a household, a resident ID) or how many (a list page, an
// export). A handler records the read after it has the answer and before
// it sends it: when the entry cannot be written, the caller gets the error
// and not the data — there is no unrecorded read.
//
// Lists record one entry per answer with its count, not one per person;
// the person-by-person trail is in the single reads (a case, a household,
// a person's facts), which are what carries full ID numbers.
//
// Thread-safe: AuditLog is.
#ifndef DIBAO_SERVICES_READ_AUDIT_H_
#define DIBAO_SERVICES_READ_AUDIT_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/caller.h"
#include "storage/audit_log.h"

namespace dibao {

class ReadAudit {
 public:
  // `audit` must outlive this.
  explicit ReadAudit(AuditLog* audit) : audit_(audit) {}

  // `caller` read one household's data (`household_id`) or one person's
  // (`subject`, a resident ID), or both; `item` names what it asked for
  // when that is neither ("flag F0000012").
  absl::Status One(const Caller& caller, absl::string_view household_id,
                   absl::string_view subject,
                   absl::string_view item = "") const;

  // `records` households' or people's data left in one answer; `scope`
  // says which ("households of 420102", "the whole registry").
  absl::Status Many(const Caller& caller, int64_t records,
                    absl::string_view scope) const;

  // INVALID_ARGUMENT unless the call states its purpose: bulk exports say
  // why before anything leaves.
  static absl::Status RequirePurpose(const Caller& caller);

 private:
  AuditLog* const audit_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_READ_AUDIT_H_
