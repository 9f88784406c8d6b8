// gRPC adapter for the review queue: lists and cases from ReviewQueue,
// claims, assignments, decisions, visits and comments through Review, each
// as the proven caller and within its jurisdiction.
//
// Thread-safe: ReviewQueue and Review are.
#ifndef DIBAO_SERVICES_REVIEW_SERVICE_H_
#define DIBAO_SERVICES_REVIEW_SERVICE_H_

#include "casework/review.h"
#include "casework/review_queue.h"
#include "dibao/v1/review.grpc.pb.h"
#include "matcher/flag_store.h"
#include "services/gatekeeper.h"

namespace dibao {

class ReviewServiceImpl final : public v1::ReviewService::Service {
 public:
  // All must outlive the service.
  ReviewServiceImpl(const Gatekeeper* gate, const FlagStore* flags,
                    const ReviewQueue* queue, Review* review)
      : gate_(gate), flags_(flags), queue_(queue), review_(review) {}

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
  // OK when flag `flag_id` is in `caller`'s jurisdiction (NOT_FOUND for
  // none; an empty ID is left to the request's own checks).
  // OK when `assignee` is an enabled principal that works flags in the
  // flag's area; INVALID_ARGUMENT or PERMISSION_DENIED naming why not.
  absl::Status CheckAssignee(const std::string& flag_id,
                             const std::string& assignee) const;
  absl::Status CheckFlag(const Caller& caller,
                         const std::string& flag_id) const;

  const Gatekeeper* const gate_;
  const FlagStore* const flags_;
  const ReviewQueue* const queue_;
  Review* const review_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_REVIEW_SERVICE_H_
