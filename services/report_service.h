// gRPC adapter for the bureau's reports: statistics, posting lists (the
// standing one and the three stages'),
// spot-check samples, the intake forecast and the benefit-cliff calculator.
// Validates requests, calls one matcher function each, maps the results.
//
// Thread-safe: the registry, samples, store and cycle runner are; a policy
// is immutable (a reload puts a new one in force).
#ifndef DIBAO_SERVICES_REPORT_SERVICE_H_
#define DIBAO_SERVICES_REPORT_SERVICE_H_

#include "base/clock.h"
#include "casework/recommendations.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/reports.grpc.pb.h"
#include "feeds/feed_store.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "registry/registry.h"
#include "reports/spot_sample.h"
#include "services/area_guard.h"
#include "services/gatekeeper.h"
#include "storage/store.h"

namespace dibao {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // All must outlive the service. Without a policy in force (`cycles`
  // has none) Forecast and Cliff answer FAILED_PRECONDITION.
  ReportServiceImpl(const Gatekeeper* gate, const AreaGuard* areas,
                    Store* store, Registry* registry, SpotSamples* samples,
                    const Recommender* recommender, const CycleRunner* cycles,
                    const FeedStore* feeds, const FlagStore* flags,
                    Clock* clock)
      : gate_(gate),
        areas_(areas),
        store_(store),
        registry_(registry),
        samples_(samples),
        recommender_(recommender),
        cycles_(cycles),
        feeds_(feeds),
        flags_(flags),
        clock_(clock) {}

  grpc::Status FeedQuality(grpc::ServerContext* context,
                           const v1::FeedQualityRequest* request,
                           v1::FeedQualityReport* response) override;

  grpc::Status Stats(grpc::ServerContext* context,
                     const v1::StatsRequest* request,
                     v1::Statistics* response) override;
  grpc::Status PostingList(grpc::ServerContext* context,
                           const v1::PostingListRequest* request,
                           v1::PostingListResponse* response) override;
  grpc::Status DrawSample(grpc::ServerContext* context,
                          const v1::DrawSampleRequest* request,
                          v1::SpotCheckSample* response) override;
  grpc::Status ListSamples(grpc::ServerContext* context,
                           const v1::ListSamplesRequest* request,
                           v1::ListSamplesResponse* response) override;
  grpc::Status GetSample(grpc::ServerContext* context,
                         const v1::GetSampleRequest* request,
                         v1::SpotCheckSample* response) override;
  grpc::Status Forecast(grpc::ServerContext* context,
                        const v1::ForecastRequest* request,
                        v1::IntakeForecast* response) override;
  grpc::Status Cliff(grpc::ServerContext* context,
                     const v1::CliffRequest* request,
                     v1::BenefitCliff* response) override;

 private:
  const Gatekeeper* const gate_;
  const AreaGuard* const areas_;
  Store* const store_;
  Registry* const registry_;
  SpotSamples* const samples_;
  // The three stages' posting lists read the recommendations.
  const Recommender* const recommender_;
  const CycleRunner* const cycles_;
  const FeedStore* const feeds_;
  const FlagStore* const flags_;
  Clock* const clock_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_REPORT_SERVICE_H_
