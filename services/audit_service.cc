#include "services/audit_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::AuditService::service_full_name();
constexpr int kMaxAuditPage = 10000;
}  // namespace

grpc::Status AuditServiceImpl::VerifyAudit(grpc::ServerContext* context,
                                           const v1::VerifyAuditRequest*,
                                           v1::AuditVerification* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto result = audit_->Verify();
  metrics_->AuditVerified(result, absl::Now());
  if (!result.ok()) return ToGrpcStatus(result.status());
  if (!result->ok()) {
    LogEvent(LogLevel::kError, "audit", "audit_chain_broken",
             {{"first_broken_seq", result->first_broken_seq()}},
             absl::StrCat("audit chain broken at entry ",
                          result->first_broken_seq(), ": ", result->problem()));
  }
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::ListAudit(grpc::ServerContext* context,
                                         const v1::ListAuditRequest* request,
                                         v1::ListAuditResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->after_seq() < 0 || request->limit() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("after_seq and limit must not be negative"));
  }
  if (request->limit() > kMaxAuditPage) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("limit is at most ", kMaxAuditPage,
                     " entries a call; page with after_seq (the response "
                     "says when there are more)")));
  }
  response->set_head_seq(static_cast<int64_t>(audit_->head_seq()));
  if (!request->household_id().empty()) {
    if (absl::Status s =
            areas_->CheckHousehold(*caller, request->household_id());
        !s.ok()) {
      return ToGrpcStatus(s);
    }
    if (absl::Status s = audit_->ForHousehold(request->household_id(),
                                              [&](const v1::AuditEntry& e) {
                                                *response->add_entries() = e;
                                                return absl::OkStatus();
                                              });
        !s.ok()) {
      return ToGrpcStatus(s);
    }
    return ToGrpcStatus(
        gate_->reads().One(*caller, request->household_id(), ""));
  }
  // The whole chain crosses every jurisdiction: the auditor's to read.
  if (caller->role() != v1::ROLE_AUDITOR) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        absl::StrCat("the whole audit log is the auditor's to read; ",
                     caller->id(), " reads one household's (household_id)")));
  }
  const int limit = request->limit() == 0 ? 100 : request->limit();
  auto entries =
      audit_->List(static_cast<uint64_t>(request->after_seq()), limit);
  if (!entries.ok()) return ToGrpcStatus(entries.status());
  for (auto& e : *entries) *response->add_entries() = std::move(e);
  const int64_t last = response->entries_size() > 0
                           ? response->entries().rbegin()->seq()
                           : request->after_seq();
  response->set_more(last < response->head_seq());
  return ToGrpcStatus(gate_->reads().Many(
      *caller, response->entries_size(),
      absl::StrCat("audit entries after ", request->after_seq())));
}

}  // namespace dibao
