#include "services/cycle_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access/jurisdiction.h"
#include "base/dates.h"
#include "base/log.h"
#include "formats/list_views.h"
#include "google/protobuf/util/time_util.h"
#include "matcher/intake_check.h"
#include "matcher/rules/rule.h"
#include "services/grpc_status.h"
#include "services/registry_service.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::CycleService::service_full_name();

grpc::Status Invalid(absl::string_view message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(message));
}

std::string KnownRules() {
  std::vector<std::string> codes;
  for (const RuleSpec& r : AllRules()) codes.emplace_back(r.code);
  return absl::StrJoin(codes, ", ");
}

}  // namespace

grpc::Status CycleServiceImpl::RunCycle(grpc::ServerContext* context,
                                        const v1::RunCycleRequest* request,
                                        v1::CycleReport* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (!request->has_as_of()) return Invalid("as_of is required");
  auto as_of = FromProto(request->as_of());
  if (!as_of.ok())
    return Invalid(absl::StrCat("as_of: ", as_of.status().message()));
  // A cycle as of a day to come would end every fact that ends before it and
  // auto-resolve the flags resting on them: nights that have not happened.
  // Tomorrow is allowed so a run just before midnight is not refused.
  const absl::CivilDay tomorrow = clock_->Today() + 1;
  if (*as_of > tomorrow) {
    return Invalid(absl::StrCat("as_of ", FormatDate(*as_of),
                                " lies in the future: a cycle may run as of ",
                                FormatDate(tomorrow), " at the latest"));
  }
  const std::string actor = caller->id();
  LogEvent(
      LogLevel::kInfo, "cycle", "cycle_started",
      {{"as_of", FormatDate(*as_of)},
       {"full", request->full()},
       {"actor", actor}},
      absl::StrCat("cycle as of ", FormatDate(*as_of),
                   request->full() ? " (full)" : "", " started by ", actor));
  auto report = cycles_->Run(*as_of, request->full(), actor);
  if (!report.ok()) {
    metrics_->CycleFailed();
    LogEvent(LogLevel::kError, "cycle", "cycle_failed",
             {{"as_of", FormatDate(*as_of)}, {"actor", actor}},
             absl::StrCat("cycle as of ", FormatDate(*as_of),
                          " failed: ", report.status().message()));
    return ToGrpcStatus(report.status());
  }
  metrics_->CycleFinished(*report);
  int64_t new_flags = 0, resolved = 0;
  for (const auto& r : report->rules()) {
    new_flags += r.new_flags();
    resolved += r.auto_resolved();
  }
  LogEvent(
      LogLevel::kInfo, "cycle", "cycle_finished",
      {{"cycle_seq", report->cycle_seq()},
       {"as_of", FormatDate(*as_of)},
       {"full", report->full()},
       {"households_assessed", report->households_assessed()},
       {"new_flags", new_flags},
       {"auto_resolved", resolved},
       {"households_failed", report->households_failed()},
       {"seconds", google::protobuf::util::TimeUtil::DurationToMilliseconds(
                       report->duration()) /
                       1000.0}},
      absl::StrCat(
          "cycle ", report->cycle_seq(), " as of ", FormatDate(*as_of), ": ",
          report->households_assessed(), " households assessed, ", new_flags,
          " new flags, ", resolved, " auto-resolved, ",
          report->households_failed(), " failed, in ",
          google::protobuf::util::TimeUtil::ToString(report->duration())));
  // On the chain: a cycle decides which flags open and which resolve.
  v1::AuditEntry entry;
  entry.set_actor(actor);
  entry.set_action(v1::AUDIT_ACTION_CYCLE_RUN);
  entry.set_records(report->households_assessed());
  entry.set_detail(absl::StrCat(
      "cycle ", report->cycle_seq(), " as of ", FormatDate(*as_of),
      request->full() ? " (full)" : "", ": ", report->households_assessed(),
      " households assessed, ", new_flags, " new flags, ", resolved,
      " auto-resolved, ", report->households_failed(), " failed"));
  entry.set_ref(absl::StrCat("cycle ", report->cycle_seq()));
  if (absl::Status s = gate_->audit()->Append(std::move(entry)); !s.ok()) {
    LogEvent(LogLevel::kError, "cycle", "audit_append_failed",
             {{"cycle_seq", report->cycle_seq()}},
             absl::StrCat("cycle ", report->cycle_seq(),
                          " ran but is not on the audit chain: ", s.message()));
    return ToGrpcStatus(s);
  }
  *response = *std::move(report);
  return grpc::Status::OK;
}

grpc::Status CycleServiceImpl::ListCycles(grpc::ServerContext* context,
                                          const v1::ListCyclesRequest* request,
                                          v1::ListCyclesResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->limit() < 0 || request->limit() > 1000) {
    return Invalid("limit is between 0 (the default, 20) and 1000");
  }
  auto cycles = cycles_->List(request->limit());
  if (!cycles.ok()) return ToGrpcStatus(cycles.status());
  for (auto& c : *cycles) *response->add_cycles() = std::move(c);
  return grpc::Status::OK;
}

grpc::Status CycleServiceImpl::ListFlags(grpc::ServerContext* context,
                                         const v1::ListFlagsRequest* request,
                                         v1::ListFlagsResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (!request->rule().empty() && FindRule(request->rule()) == nullptr) {
    return Invalid(absl::StrCat("rule \"", request->rule(), "\" is not one of ",
                                KnownRules()));
  }
  if (!v1::FlagState_IsValid(request->state())) {
    return Invalid(absl::StrCat("state ", request->state(), " is unknown"));
  }
  if (request->page_size() < 0) {
    return Invalid("page_size must not be negative");
  }
  FlagFilter filter;
  filter.rule = request->rule();
  filter.state = request->state();
  filter.household_id = request->household_id();
  auto page = flags_->List(filter, request->page_size(), request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  // Only the caller's jurisdiction: a page may come back shorter than
  // asked, with the token for the next. IDs masked: GetFlag has them.
  for (auto& f : page->flags) {
    if (Covers(caller->principal, AreaOf(f))) {
      ToListView(&f);
      *response->add_flags() = std::move(f);
    }
  }
  if (absl::Status s = gate_->reads().Many(
          *caller, response->flags_size(),
          absl::StrCat(
              "a page of flags (IDs masked)",
              request->household_id().empty()
                  ? std::string()
                  : absl::StrCat(" of household ", request->household_id())));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status CycleServiceImpl::GetFlag(grpc::ServerContext* context,
                                       const v1::GetFlagRequest* request,
                                       v1::Flag* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto flag = flags_->Get(request->flag_id());
  if (!flag.ok()) return ToGrpcStatus(flag.status());
  if (absl::Status s = CheckCovers(caller->principal, AreaOf(*flag),
                                   absl::StrCat("flag ", flag->flag_id()));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (absl::Status s =
          gate_->reads().One(*caller, flag->household_id(),
                             flag->finding().id_number(), flag->flag_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(flag);
  return grpc::Status::OK;
}

grpc::Status CycleServiceImpl::GetAssessment(
    grpc::ServerContext* context, const v1::GetAssessmentRequest* request,
    v1::Assessment* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->household_id().empty())
    return Invalid("household_id is required");
  if (absl::Status s = areas_->CheckHousehold(*caller, request->household_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto a = cycles_->GetAssessment(request->household_id());
  if (!a.ok()) return ToGrpcStatus(a.status());
  if (absl::Status s = gate_->reads().One(*caller, request->household_id(), "");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(a);
  return grpc::Status::OK;
}

grpc::Status CycleServiceImpl::CheckApplicant(
    grpc::ServerContext* context, const v1::CheckApplicantRequest* request,
    v1::CheckApplicantResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const std::shared_ptr<const v1::Policy> policy = cycles_->policy();
  if (policy == nullptr) {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        "no policy is loaded: start dibao-server with --policy FILE");
  }
  // An applicant is checked where they apply.
  if (absl::Status s =
          CheckCovers(caller->principal, AreaOf(request->household()),
                      "the applying household");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  const absl::CivilDay today = clock_->Today();
  absl::CivilDay as_of = today;
  if (request->has_as_of()) {
    auto day = FromProto(request->as_of());
    if (!day.ok())
      return Invalid(absl::StrCat("as_of: ", day.status().message()));
    as_of = *day;
  }
  auto result = dibao::CheckApplicant(*store_, *policy, request->household(),
                                      as_of, today);
  if (!result.ok()) return ToGrpcStatus(result.status());
  // What partner agencies know of each applicant left the server.
  if (absl::Status s = gate_->reads().Many(
          *caller, request->household().members_size(),
          absl::StrCat("partner facts of the applying household ",
                       request->household().household_id()));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace dibao
