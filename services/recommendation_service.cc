#include "services/recommendation_service.h"

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/log.h"
#include "services/actor.h"
#include "services/grpc_status.h"

namespace dibao {
namespace {

// Logs the decision (IDs and actor only: no personal data) and maps it.
grpc::Status Decided(absl::string_view what, const std::string& actor,
                     absl::StatusOr<v1::Recommendation> r,
                     v1::Recommendation* response) {
  if (!r.ok()) return ToGrpcStatus(r.status());
  LogInfo("recommendation ", r->recommendation_id(), " (",
          RecommendationKindName(r->kind()), ", household ", r->household_id(),
          ") ", what, " by ", actor);
  *response = *std::move(r);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status RecommendationServiceImpl::GenerateRecommendations(
    grpc::ServerContext* context,
    const v1::GenerateRecommendationsRequest* request,
    v1::GenerateRecommendationsResponse* response) {
  auto actor = CaseworkerOf(*context);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::CivilDay day = clock_->Today();
  if (request->has_as_of()) {
    auto d = FromProto(request->as_of());
    if (!d.ok()) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("as_of: ", d.status().message())));
    }
    day = *d;
  }
  auto result = recommender_->Generate(day, *actor);
  if (!result.ok()) return ToGrpcStatus(result.status());
  LogInfo("recommendations for ", FormatDate(day), " by ", *actor, ": ",
          result->made_size(), " made, ", result->unchanged(), " standing, ",
          result->waiting_size(), " households waiting, ",
          result->applied_size(), " gradual exits applied");
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::ListRecommendations(
    grpc::ServerContext*, const v1::ListRecommendationsRequest* request,
    v1::ListRecommendationsResponse* response) {
  auto page = recommender_->List(*request);
  if (!page.ok()) return ToGrpcStatus(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::GetRecommendation(
    grpc::ServerContext*, const v1::GetRecommendationRequest* request,
    v1::Recommendation* response) {
  auto r = recommender_->Get(request->recommendation_id());
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status RecommendationServiceImpl::ApproveRecommendation(
    grpc::ServerContext* context,
    const v1::DecideRecommendationRequest* request,
    v1::Recommendation* response) {
  auto actor = CaseworkerOf(*context);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Decided("approved", *actor,
                 recommender_->Approve(request->recommendation_id(), *actor,
                                       request->note()),
                 response);
}

grpc::Status RecommendationServiceImpl::RejectRecommendation(
    grpc::ServerContext* context,
    const v1::DecideRecommendationRequest* request,
    v1::Recommendation* response) {
  auto actor = CaseworkerOf(*context);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Decided("rejected", *actor,
                 recommender_->Reject(request->recommendation_id(), *actor,
                                      request->note()),
                 response);
}

}  // namespace dibao
