#include "services/review_service.h"

#include "absl/strings/str_cat.h"
#include "access/jurisdiction.h"
#include "access/roles.h"
#include "base/log.h"
#include "formats/list_views.h"
#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::ReviewService::service_full_name();

// The request's caseworker, flag and version as Review takes them.
absl::StatusOr<ReviewContext> ContextOf(const Caller& caller,
                                        const std::string& flag_id,
                                        int64_t expected_version) {
  if (flag_id.empty()) return absl::InvalidArgumentError("flag_id is required");
  if (expected_version < 0) {
    return absl::InvalidArgumentError("expected_version must not be negative");
  }
  return ReviewContext{caller.id(), flag_id, expected_version};
}

// CONFIRMED, DISMISSED or NEEDS_VISIT (when `visit_allowed`) as a Decision.
absl::StatusOr<Decision> DecisionOf(v1::FlagState state, bool needs_visit_ok,
                                    absl::string_view field) {
  switch (state) {
    case v1::FLAG_STATE_CONFIRMED:
      return Decision::kConfirm;
    case v1::FLAG_STATE_DISMISSED:
      return Decision::kDismiss;
    case v1::FLAG_STATE_NEEDS_VISIT:
      if (needs_visit_ok) return Decision::kNeedsVisit;
      break;
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " must be CONFIRMED, DISMISSED",
      needs_visit_ok ? " or NEEDS_VISIT" : "", "; got ",
      v1::FlagState_IsValid(state) ? FlagStateName(state)
                                   : absl::StrCat(static_cast<int>(state))));
}

// Logs the change (flag ID and caseworker only: no personal data) and maps
// the result.
grpc::Status Done(absl::string_view what, const ReviewContext& ctx,
                  absl::StatusOr<v1::Flag> flag, v1::Flag* response) {
  if (!flag.ok()) return ToGrpcStatus(flag.status());
  LogEvent(LogLevel::kInfo, "review", "flag_changed",
           {{"flag_id", ctx.flag_id},
            {"what", what},
            {"actor", ctx.caseworker},
            {"state", FlagStateName(flag->state())},
            {"version", flag->version()}},
           absl::StrCat("flag ", ctx.flag_id, " ", what, " by ", ctx.caseworker,
                        ": now ", FlagStateName(flag->state()), " v",
                        flag->version()));
  *response = *std::move(flag);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ReviewServiceImpl::ListQueue(grpc::ServerContext* context,
                                          const v1::ListQueueRequest* request,
                                          v1::ListQueueResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // The queue of the caller's jurisdiction: its counts and money too.
  v1::ListQueueRequest narrowed = *request;
  v1::QueueFilter* f = narrowed.mutable_filter();
  Area area{f->district_code(), f->street(), f->community()};
  if (absl::Status s = NarrowToJurisdiction(caller->principal, &area);
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  f->set_district_code(area.district_code);
  f->set_street(area.street);
  f->set_community(area.community);
  auto page = queue_->List(narrowed);
  if (!page.ok()) return ToGrpcStatus(page.status());
  // A page of many households: IDs masked (the case has them, read one by
  // one), and the page counted on the chain.
  for (v1::QueueItem& item : *page->mutable_items()) {
    ToListView(item.mutable_flag());
  }
  if (absl::Status s = gate_->reads().Many(
          *caller, page->items_size(),
          absl::StrCat("a review queue page (IDs masked) of ",
                       area.district_code.empty() ? "every district"
                                                  : area.district_code,
                       area.street.empty() ? "" : " ", area.street,
                       area.community.empty() ? "" : " ", area.community));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status ReviewServiceImpl::GetCase(grpc::ServerContext* context,
                                        const v1::GetCaseRequest* request,
                                        v1::Case* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->flag_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("flag_id is required"));
  }
  if (absl::Status s = CheckFlag(*caller, request->flag_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto c = queue_->GetCase(request->flag_id());
  if (!c.ok()) return ToGrpcStatus(c.status());
  if (absl::Status s = gate_->reads().One(
          *caller, c->household().household_id(),
          c->item().flag().finding().id_number(), c->item().flag().flag_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(c);
  return grpc::Status::OK;
}

grpc::Status ReviewServiceImpl::Claim(grpc::ServerContext* context,
                                      const v1::ClaimRequest* request,
                                      v1::Flag* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto ctx =
      ContextOf(*caller, request->flag_id(), request->expected_version());
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (absl::Status s = CheckFlag(*caller, request->flag_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Done("claimed", *ctx, review_->Claim(*ctx), response);
}

grpc::Status ReviewServiceImpl::Assign(grpc::ServerContext* context,
                                       const v1::AssignRequest* request,
                                       v1::Flag* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto ctx =
      ContextOf(*caller, request->flag_id(), request->expected_version());
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (absl::Status s = CheckFlag(*caller, request->flag_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (absl::Status s = CheckAssignee(request->flag_id(), request->assignee());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Done("assigned", *ctx, review_->Assign(*ctx, request->assignee()),
              response);
}

grpc::Status ReviewServiceImpl::Decide(grpc::ServerContext* context,
                                       const v1::DecideRequest* request,
                                       v1::Flag* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto ctx =
      ContextOf(*caller, request->flag_id(), request->expected_version());
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (absl::Status s = CheckFlag(*caller, request->flag_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto decision = DecisionOf(request->decision(), true, "decision");
  if (!decision.ok()) return ToGrpcStatus(decision.status());
  return Done(
      "decided", *ctx,
      review_->Decide(*ctx, *decision, request->reason(), request->note()),
      response);
}

grpc::Status ReviewServiceImpl::RecordVisit(
    grpc::ServerContext* context, const v1::RecordVisitRequest* request,
    v1::Flag* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto ctx =
      ContextOf(*caller, request->flag_id(), request->expected_version());
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (absl::Status s = CheckFlag(*caller, request->flag_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto result = DecisionOf(request->result(), false, "result");
  if (!result.ok()) return ToGrpcStatus(result.status());
  return Done(
      "visit recorded", *ctx,
      review_->RecordVisit(*ctx, *result, request->reason(), request->note()),
      response);
}

grpc::Status ReviewServiceImpl::Comment(grpc::ServerContext* context,
                                        const v1::CommentRequest* request,
                                        v1::Flag* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto ctx =
      ContextOf(*caller, request->flag_id(), request->expected_version());
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (absl::Status s = CheckFlag(*caller, request->flag_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Done("commented", *ctx, review_->Comment(*ctx, request->text()),
              response);
}

absl::Status ReviewServiceImpl::CheckFlag(const Caller& caller,
                                          const std::string& flag_id) const {
  if (flag_id.empty()) return absl::OkStatus();
  auto flag = flags_->Get(flag_id);
  if (!flag.ok()) return flag.status();
  return CheckCovers(caller.principal, AreaOf(*flag),
                     absl::StrCat("flag ", flag_id));
}

absl::Status ReviewServiceImpl::CheckAssignee(
    const std::string& flag_id, const std::string& assignee) const {
  // A flag given to someone who cannot work it would sit unseen.
  if (assignee.empty() || flag_id.empty()) return absl::OkStatus();
  const std::optional<v1::Principal> p = gate_->Find(assignee);
  if (!p || p->disabled()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", assignee, "\" is not a principal of this server",
                     p ? " (disabled)" : ""));
  }
  if (!RoleHolds(p->role(), v1::CASE_WORK)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", assignee, "\" (role: ", RoleName(p->role()),
        ") does not work flags: give it to a community worker or street "
        "reviewer"));
  }
  auto flag = flags_->Get(flag_id);
  if (!flag.ok()) return flag.status();
  return CheckCovers(*p, AreaOf(*flag), absl::StrCat("flag ", flag_id));
}

}  // namespace dibao
