// gRPC adapter for partner-agency feeds: translates the upload stream and
// queries into FeedStore calls. No business rule lives here.
//
// Thread-safe: the feed store is.
#ifndef DIBAO_SERVICES_FEED_SERVICE_H_
#define DIBAO_SERVICES_FEED_SERVICE_H_

#include "base/clock.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "feeds/feed_store.h"
#include "matcher/flag_store.h"
#include "services/area_guard.h"
#include "services/gatekeeper.h"
#include "services/metrics.h"
#include "services/upload_limits.h"

namespace dibao {

class FeedServiceImpl final : public v1::FeedService::Service {
 public:
  // Uploads are admitted, timed and cancelled by `limits` (nothing of a
  // refused or cancelled upload is kept). All must outlive the service.
  FeedServiceImpl(const Gatekeeper* gate, const AreaGuard* areas, Store* store,
                  FeedStore* feeds, const FlagStore* flags, Clock* clock,
                  UploadLimits* limits, ServerMetrics* metrics)
      : gate_(gate),
        areas_(areas),
        store_(store),
        feeds_(feeds),
        flags_(flags),
        clock_(clock),
        limits_(limits),
        metrics_(metrics) {}

  grpc::Status Upload(grpc::ServerContext* context,
                      grpc::ServerReader<v1::UploadRequest>* reader,
                      v1::Receipt* receipt) override;
  grpc::Status ListBatches(grpc::ServerContext* context,
                           const v1::ListBatchesRequest* request,
                           v1::ListBatchesResponse* response) override;
  grpc::Status GetRejections(
      grpc::ServerContext* context, const v1::GetRejectionsRequest* request,
      grpc::ServerWriter<v1::RecordRejection>* writer) override;
  grpc::Status GetFeedback(
      grpc::ServerContext* context, const v1::GetFeedbackRequest* request,
      grpc::ServerWriter<v1::PartnerFeedback>* writer) override;
  grpc::Status GetPersonFacts(grpc::ServerContext* context,
                              const v1::GetPersonFactsRequest* request,
                              v1::PersonFacts* response) override;

 private:
  const Gatekeeper* const gate_;
  const AreaGuard* const areas_;
  Store* const store_;
  FeedStore* const feeds_;
  const FlagStore* const flags_;
  Clock* const clock_;
  UploadLimits* const limits_;
  ServerMetrics* const metrics_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_FEED_SERVICE_H_
