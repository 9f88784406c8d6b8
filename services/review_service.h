// gRPC adapter for the review queue: lists and cases from ReviewQueue,
// claims, assignments, decisions, visits and comments through Review, each
// naming the caseworker from the call's metadata.
//
// Thread-safe: ReviewQueue and Review are.
#ifndef DIBAO_SERVICES_REVIEW_SERVICE_H_
#define DIBAO_SERVICES_REVIEW_SERVICE_H_

#include "casework/review.h"
#include "casework/review_queue.h"
#include "dibao/v1/review.grpc.pb.h"
#include "services/gatekeeper.h"

namespace dibao {

class ReviewServiceImpl final : public v1::ReviewService::Service {
 public:
  // All must outlive the service.
  ReviewServiceImpl(const Gatekeeper* gate, const ReviewQueue* queue,
                    Review* review)
      : gate_(gate), queue_(queue), review_(review) {}

  grpc::Status ListQueue(grpc::ServerContext* context,
                         const v1::ListQueueRequest* request,
                         v1::ListQueueResponse* response) override;
  grpc::Status GetCase(grpc::ServerContext* context,
                       const v1::GetCaseRequest* request,
                       v1::Case* response) override;
  grpc::Status Claim(grpc::ServerContext* context,
                     const v1::ClaimRequest* request,
                     v1::Flag* response) override;
  grpc::Status Assign(grpc::ServerContext* context,
                      const v1::AssignRequest* request,
                      v1::Flag* response) override;
  grpc::Status Decide(grpc::ServerContext* context,
                      const v1::DecideRequest* request,
                      v1::Flag* response) override;
  grpc::Status RecordVisit(grpc::ServerContext* context,
                           const v1::RecordVisitRequest* request,
                           v1::Flag* response) override;
  grpc::Status Comment(grpc::ServerContext* context,
                       const v1::CommentRequest* request,
                       v1::Flag* response) override;

 private:
  const Gatekeeper* const gate_;
  const ReviewQueue* const queue_;
  Review* const review_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_REVIEW_SERVICE_H_
