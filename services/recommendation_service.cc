#include "services/recommendation_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "access/jurisdiction.h"
#include "base/dates.h"
#include "base/log.h"
#include "formats/list_views.h"
#include "formats/names.h"
#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService =
    v1::RecommendationService::service_full_name();

// The operator runs the nightly job but sees no personal data: what was
// made or applied, by ID, area and kind, without amounts, members or
// evidence.
void KeepOnlyWhatTheOperatorMaySee(v1::Recommendation* r) {
  v1::Recommendation kept;
  kept.set_recommendation_id(r->recommendation_id());
  kept.set_household_id(r->household_id());
  kept.set_district_code(r->district_code());
  kept.set_street(r->street());
  kept.set_community(r->community());
  kept.set_kind(r->kind());
  kept.set_state(r->state());
  *kept.mutable_effective() = r->effective();
  *r = std::move(kept);
}

}  // namespace

absl::Status RecommendationServiceImpl::CheckRecommendation(
    const Caller& caller,
    const v1::DecideRecommendationRequest& request) const {
  auto r = recommender_->Get(request.recommendation_id());
  if (!r.ok()) return r.status();
  return CheckCovers(caller.principal, AreaOf(*r),
                     absl::StrCat("recommendation ", r->recommendation_id()));
}

grpc::Status RecommendationServiceImpl::GenerateRecommendations(
    grpc::ServerContext* context,
    const v1::GenerateRecommendationsRequest* request,
    v1::GenerateRecommendationsResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const std::string& actor = caller->id();
  absl::CivilDay day = clock_->Today();
  if (request->has_as_of()) {
    auto d = FromProto(request->as_of());
    if (!d.ok()) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("as_of: ", d.status().message())));
    }
    day = *d;
  }
  // Each proposes for its own jurisdiction; the nightly job (the
  // operator) for every household.
  Recommender::AreaFilterFn in_scope;
  if (caller->role() != v1::ROLE_OPERATOR) {
    in_scope = [&principal = caller->principal](absl::string_view d,
                                                absl::string_view s,
                                                absl::string_view c) {
      return Covers(principal,
                    Area{std::string(d), std::string(s), std::string(c)});
    };
  }
  auto result = recommender_->Generate(day, actor, in_scope);
  if (!result.ok()) return ToGrpcStatus(result.status());
  LogEvent(LogLevel::kInfo, "recommendations", "generated",
           {{"day", FormatDate(day)},
            {"actor", actor},
            {"made", result->made_size()},
            {"standing", result->unchanged()},
            {"waiting", result->waiting_size()},
            {"applied", result->applied_size()}},
           absl::StrCat("recommendations for ", FormatDate(day), " by ", actor,
                        ": ", result->made_size(), " made, ",
                        result->unchanged(), " standing, ",
                        result->waiting_size(), " households waiting, ",
                        result->applied_size(), " gradual exits applied"));
  if (caller->role() == v1::ROLE_OPERATOR) {
    for (v1::Recommendation& r : *result->mutable_made()) {
      KeepOnlyWhatTheOperatorMaySee(&r);
    }
    for (v1::Recommendation& r : *result->mutable_applied()) {
      KeepOnlyWhatTheOperatorMaySee(&r);
    }
  }
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::ListRecommendations(
    grpc::ServerContext* context, const v1::ListRecommendationsRequest* request,
    v1::ListRecommendationsResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto page = recommender_->List(*request);
  if (!page.ok()) return ToGrpcStatus(page.status());
  // Only the caller's jurisdiction: a page may come back shorter than
  // asked, with the token for the next.
  auto* items = page->mutable_recommendations();
  items->erase(std::remove_if(items->begin(), items->end(),
                              [&](const v1::Recommendation& r) {
                                return !Covers(caller->principal, AreaOf(r));
                              }),
               items->end());
  // Members' IDs masked: GetRecommendation has them.
  for (v1::Recommendation& r : *items) ToListView(&r);
  if (absl::Status s = gate_->reads().Many(
          *caller, items->size(), "a page of recommendations (IDs masked)");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::GetRecommendation(
    grpc::ServerContext* context, const v1::GetRecommendationRequest* request,
    v1::Recommendation* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto r = recommender_->Get(request->recommendation_id());
  if (!r.ok()) return ToGrpcStatus(r.status());
  if (absl::Status s =
          CheckCovers(caller->principal, AreaOf(*r),
                      absl::StrCat("recommendation ", r->recommendation_id()));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (absl::Status s = gate_->reads().One(*caller, r->household_id(), "",
                                          r->recommendation_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::Decide(
    grpc::ServerContext* context, absl::string_view method,
    const v1::DecideRecommendationRequest& request, const Step& step,
    v1::Recommendation* response) {
  auto caller = gate_->Admit(*context, kService, method);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status s = CheckRecommendation(*caller, request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const std::string& actor = caller->id();
  absl::StatusOr<v1::Recommendation> r = step(actor);
  if (!r.ok()) return ToGrpcStatus(r.status());
  // IDs and actor only: no personal data.
  LogEvent(
      LogLevel::kInfo, "recommendations", "decided",
      {{"recommendation_id", r->recommendation_id()},
       {"kind", RecommendationKindName(r->kind())},
       {"household_id", r->household_id()},
       {"state", RecommendationStateName(r->state())},
       {"actor", actor},
       {"method", method}},
      absl::StrCat("recommendation ", r->recommendation_id(), " (",
                   RecommendationKindName(r->kind()), ", household ",
                   r->household_id(), ") ", RecommendationStateName(r->state()),
                   " by ", actor, " (", method, ")"));
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::EvaluateRecommendation(
    grpc::ServerContext* context,
    const v1::DecideRecommendationRequest* request,
    v1::Recommendation* response) {
  return Decide(
      context, __func__, *request,
      [&](const std::string& actor) {
        return recommender_->Evaluate(request->recommendation_id(), actor,
                                      request->note(), request->reject());
      },
      response);
}

grpc::Status RecommendationServiceImpl::ReviewRecommendation(
    grpc::ServerContext* context,
    const v1::DecideRecommendationRequest* request,
    v1::Recommendation* response) {
  return Decide(
      context, __func__, *request,
      [&](const std::string& actor) {
        return recommender_->Review(request->recommendation_id(), actor,
                                    request->note(), request->reject());
      },
      response);
}

grpc::Status RecommendationServiceImpl::ApproveRecommendation(
    grpc::ServerContext* context,
    const v1::DecideRecommendationRequest* request,
    v1::Recommendation* response) {
  return Decide(
      context, __func__, *request,
      [&](const std::string& actor) {
        return recommender_->Approve(request->recommendation_id(), actor,
                                     request->note());
      },
      response);
}

grpc::Status RecommendationServiceImpl::RejectRecommendation(
    grpc::ServerContext* context,
    const v1::DecideRecommendationRequest* request,
    v1::Recommendation* response) {
  return Decide(
      context, __func__, *request,
      [&](const std::string& actor) {
        return recommender_->Reject(request->recommendation_id(), actor,
                                    request->note());
      },
      response);
}

}  // namespace dibao
