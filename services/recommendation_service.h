// gRPC adapter for recommendations: generate, list, show, and the three
// stages (evaluate, review, approve or reject), each as the proven caller and
// within its jurisdiction.
//
// Thread-safe: Recommender is.
#ifndef DIBAO_SERVICES_RECOMMENDATION_SERVICE_H_
#define DIBAO_SERVICES_RECOMMENDATION_SERVICE_H_

#include <functional>
#include <string>

#include "base/clock.h"
#include "casework/recommendations.h"
#include "dibao/v1/recommendations.grpc.pb.h"
#include "services/gatekeeper.h"

namespace dibao {

class RecommendationServiceImpl final
    : public v1::RecommendationService::Service {
 public:
  // All must outlive the service.
  RecommendationServiceImpl(const Gatekeeper* gate, Recommender* recommender,
                            Clock* clock)
      : gate_(gate), recommender_(recommender), clock_(clock) {}

  grpc::Status GenerateRecommendations(
      grpc::ServerContext* context,
      const v1::GenerateRecommendationsRequest* request,
      v1::GenerateRecommendationsResponse* response) override;
  grpc::Status ListRecommendations(
      grpc::ServerContext* context,
      const v1::ListRecommendationsRequest* request,
      v1::ListRecommendationsResponse* response) override;
  grpc::Status GetRecommendation(grpc::ServerContext* context,
                                 const v1::GetRecommendationRequest* request,
                                 v1::Recommendation* response) override;
  grpc::Status EvaluateRecommendation(
      grpc::ServerContext* context,
      const v1::DecideRecommendationRequest* request,
      v1::Recommendation* response) override;
  grpc::Status ReviewRecommendation(
      grpc::ServerContext* context,
      const v1::DecideRecommendationRequest* request,
      v1::Recommendation* response) override;
  grpc::Status ApproveRecommendation(
      grpc::ServerContext* context,
      const v1::DecideRecommendationRequest* request,
      v1::Recommendation* response) override;
  grpc::Status RejectRecommendation(
      grpc::ServerContext* context,
      const v1::DecideRecommendationRequest* request,
      v1::Recommendation* response) override;

 private:
  // One stage's decision by the caller, once admitted to `method` and the
  // recommendation's jurisdiction.
  using Step = std::function<absl::StatusOr<v1::Recommendation>(
      const std::string& actor)>;
  grpc::Status Decide(grpc::ServerContext* context, absl::string_view method,
                      const v1::DecideRecommendationRequest& request,
                      const Step& step, v1::Recommendation* response);
  // OK when the recommendation is in `caller`'s jurisdiction.
  absl::Status CheckRecommendation(
      const Caller& caller,
      const v1::DecideRecommendationRequest& request) const;

  const Gatekeeper* const gate_;
  Recommender* const recommender_;
  Clock* const clock_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_RECOMMENDATION_SERVICE_H_
