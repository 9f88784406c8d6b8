#include "services/registry_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "access/jurisdiction.h"
#include "base/dates.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::RegistryService::service_full_name();

constexpr int kMaxListedRejections = 10000;

// The list's filter, its area narrowed to what `caller` may see.
absl::StatusOr<ListFilter> ToFilter(const Caller& caller,
                                    const v1::ListHouseholdsRequest& r) {
  Area area{r.district_code(), r.street(), r.community()};
  RETURN_IF_ERROR(NarrowToJurisdiction(caller.principal, &area));
  ListFilter f;
  f.district_code = std::move(area.district_code);
  f.street = std::move(area.street);
  f.community = std::move(area.community);
  f.status = r.status();
  return f;
}

std::string Named(const v1::Household& h) {
  return absl::StrCat("household ", h.household_id());
}

v1::UpsertOutcome ToProto(UpsertOutcome o) {
  switch (o) {
    case UpsertOutcome::kCreated:
      return v1::UPSERT_OUTCOME_CREATED;
    case UpsertOutcome::kUpdated:
      return v1::UPSERT_OUTCOME_UPDATED;
    case UpsertOutcome::kUnchanged:
      return v1::UPSERT_OUTCOME_UNCHANGED;
  }
  return v1::UPSERT_OUTCOME_UNSPECIFIED;
}

// Validation failures are the client's to fix; anything else stops an import.
bool IsRecordProblem(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument ||
         s.code() == absl::StatusCode::kFailedPrecondition;
}

// "of 420102 胜利街道, ACTIVE" for the audit entry.
std::string Scope(const ListFilter& f) {
  std::string scope = f.district_code.empty()
                          ? "of every district"
                          : absl::StrCat("of ", f.district_code);
  if (!f.street.empty()) absl::StrAppend(&scope, " ", f.street);
  if (!f.community.empty()) absl::StrAppend(&scope, " ", f.community);
  if (f.status != v1::HOUSEHOLD_STATUS_UNSPECIFIED) {
    absl::StrAppend(&scope, ", ", v1::HouseholdStatus_Name(f.status));
  }
  return scope;
}

}  // namespace

grpc::Status RegistryServiceImpl::UpsertHousehold(
    grpc::ServerContext* context, const v1::UpsertHouseholdRequest* request,
    v1::UpsertHouseholdResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status s = CheckWritable(*caller, request->household()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const ChangeContext change{
      caller->id(), request->source().empty() ? "api" : request->source()};
  auto result = registry_->Upsert(request->household(), change);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_outcome(ToProto(result->outcome));
  *response->mutable_household() = std::move(result->household);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::GetHousehold(
    grpc::ServerContext* context, const v1::GetHouseholdRequest* request,
    v1::Household* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto h = request->has_as_of()
               ? registry_->GetAsOf(request->household_id(),
                                    FromProto(request->as_of()))
               : registry_->Get(request->household_id());
  if (!h.ok()) return ToGrpcStatus(h.status());
  if (absl::Status s = CheckCovers(caller->principal, AreaOf(*h), Named(*h));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (absl::Status s = gate_->reads().One(*caller, h->household_id(), "");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(h);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::FindHouseholdByMember(
    grpc::ServerContext* context,
    const v1::FindHouseholdByMemberRequest* request, v1::Household* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto h = registry_->FindByMember(request->id_number());
  if (!h.ok()) return ToGrpcStatus(h.status());
  if (absl::Status s = CheckCovers(caller->principal, AreaOf(*h), Named(*h));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (absl::Status s =
          gate_->reads().One(*caller, h->household_id(), request->id_number());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(h);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListHouseholds(
    grpc::ServerContext* context, const v1::ListHouseholdsRequest* request,
    v1::ListHouseholdsResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto filter = ToFilter(*caller, *request);
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  auto page =
      registry_->List(*filter, request->page_size(), request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  if (absl::Status s = gate_->reads().Many(
          *caller, static_cast<int64_t>(page->households.size()),
          absl::StrCat("a page of households ", Scope(*filter)));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  for (auto& h : page->households) *response->add_households() = std::move(h);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::GetHouseholdHistory(
    grpc::ServerContext* context, const v1::GetHouseholdHistoryRequest* request,
    v1::GetHouseholdHistoryResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // Seen by those who may see the household now.
  auto now = registry_->Get(request->household_id());
  if (!now.ok()) return ToGrpcStatus(now.status());
  if (absl::Status s =
          CheckCovers(caller->principal, AreaOf(*now), Named(*now));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto history = registry_->History(request->household_id());
  if (!history.ok()) return ToGrpcStatus(history.status());
  if (absl::Status s = gate_->reads().One(*caller, now->household_id(), "");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  for (auto& c : *history) *response->add_changes() = std::move(c);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ImportRegistry(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportRegistryRequest>* reader,
    v1::ImportRegistryResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  v1::ImportRegistryRequest request;
  if (!reader->Read(&request) || !request.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of an import must be its header");
  }
  const v1::ImportHeader header = request.header();
  const std::string actor = caller->id();
  int64_t items = 0;

  auto reject = [&](v1::Rejection r) {
    if (response->rejections_size() < kMaxListedRejections) {
      *response->add_rejections() = std::move(r);
    } else {
      response->set_rejections_omitted(response->rejections_omitted() + 1);
    }
  };

  while (reader->Read(&request)) {
    if (!request.has_item()) {
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("message ", items + 2,
                       " of the import is not an item; households imported "
                       "before it are kept"));
    }
    ++items;
    const v1::ImportItem& item = request.item();
    const ChangeContext change{
        actor, absl::StrCat("import ", header.households_source(), ":",
                            item.household_line())};
    std::vector<FieldError> errors;
    absl::StatusOr<UpsertResult> result;
    if (absl::Status allowed = CheckWritable(*caller, item.household());
        absl::IsPermissionDenied(allowed)) {
      // Refused like a bad value, on the household's line; the rest goes on.
      errors.push_back({-1, "district_code", std::string(allowed.message())});
      result = absl::InvalidArgumentError(allowed.message());
    } else if (!allowed.ok()) {
      result = allowed;  // the store failed: stops the import below
    } else {
      result = registry_->Upsert(item.household(), change, &errors);
    }
    if (result.ok()) {
      switch (result->outcome) {
        case UpsertOutcome::kCreated:
          response->set_created(response->created() + 1);
          break;
        case UpsertOutcome::kUpdated:
          response->set_updated(response->updated() + 1);
          break;
        case UpsertOutcome::kUnchanged:
          response->set_unchanged(response->unchanged() + 1);
          break;
      }
      response->set_members_stored(response->members_stored() +
                                   result->household.members_size());
      continue;
    }
    if (!IsRecordProblem(result.status())) {
      LogEvent(LogLevel::kError, "registry", "import_failed",
               {{"households", items - 1}},
               absl::StrCat("import stopped after ", items - 1,
                            " households: ", result.status().ToString()));
      return ToGrpcStatus(result.status());
    }
    response->set_rejected_households(response->rejected_households() + 1);
    for (const FieldError& e : errors) {
      v1::Rejection r;
      const bool member = e.member_index >= 0;
      r.set_source(member ? header.members_source()
                          : header.households_source());
      if (!member) {
        r.set_line(item.household_line());
      } else if (e.member_index < item.member_lines_size()) {
        r.set_line(item.member_lines(e.member_index));
      }
      r.set_field(e.field);
      r.set_reason(e.reason);
      r.set_key(item.household().household_id());
      reject(std::move(r));
    }
  }
  LogEvent(LogLevel::kInfo, "registry", "import_finished",
           {{"actor", actor},
            {"households", items},
            {"created", response->created()},
            {"updated", response->updated()},
            {"unchanged", response->unchanged()},
            {"refused", response->rejected_households()}},
           absl::StrCat("import by ", actor, ": ", items, " households, ",
                        response->created(), " created, ", response->updated(),
                        " updated, ", response->unchanged(), " unchanged, ",
                        response->rejected_households(), " refused"));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ExportRegistry(
    grpc::ServerContext* context, const v1::ListHouseholdsRequest* request,
    grpc::ServerWriter<v1::Household>* writer) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto filter = ToFilter(*caller, *request);
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  // Everyone's data at once: it says why first, and what left is counted
  // on the chain however the stream ends.
  if (absl::Status s = ReadAudit::RequirePurpose(*caller); !s.ok()) {
    return ToGrpcStatus(s);
  }
  int64_t sent = 0;
  const absl::Status streamed =
      registry_->ForEach(*filter, [&](const v1::Household& h) -> absl::Status {
        if (!writer->Write(h)) {
          return absl::CancelledError("the client stopped reading the export");
        }
        ++sent;
        return absl::OkStatus();
      });
  const absl::Status recorded = gate_->reads().Many(
      *caller, sent, absl::StrCat("registry export ", Scope(*filter)));
  if (!recorded.ok()) {
    LogEvent(LogLevel::kError, "registry", "audit_append_failed", {},
             absl::StrCat("export not recorded: ", recorded.message()));
  }
  return ToGrpcStatus(streamed.ok() ? recorded : streamed);
}

absl::Status RegistryServiceImpl::CheckWritable(const Caller& caller,
                                                const v1::Household& h) const {
  // Where it goes, and where it is: nobody moves another's household into
  // their own area.
  RETURN_IF_ERROR(CheckCovers(caller.principal, AreaOf(h), Named(h)));
  auto existing = registry_->Get(h.household_id());
  if (absl::IsNotFound(existing.status())) return absl::OkStatus();
  if (!existing.ok()) return existing.status();
  return CheckCovers(caller.principal, AreaOf(*existing), Named(*existing));
}

}  // namespace dibao
