#include "services/report_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/log.h"
#include "reports/benefit_cliff.h"
#include "reports/intake_forecast.h"
#include "reports/posting_list.h"
#include "reports/report_stats.h"
#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::ReportService::service_full_name();

grpc::Status Invalid(absl::string_view message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(message));
}

grpc::Status NoPolicy() {
  return grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      "no policy is loaded: start dibao-server with --policy FILE");
}

// The request's day, or today when unset.
absl::StatusOr<absl::CivilDay> DayOr(bool has, const v1::Date& date,
                                     Clock* clock) {
  if (!has) return clock->Today();
  auto day = FromProto(date);
  if (!day.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("as_of: ", day.status().message()));
  }
  return *day;
}

}  // namespace

grpc::Status ReportServiceImpl::Stats(grpc::ServerContext* context,
                                      const v1::StatsRequest* request,
                                      v1::Statistics* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto day = DayOr(request->has_as_of(), request->as_of(), clock_);
  if (!day.ok()) return ToGrpcStatus(day.status());
  auto stats = ComputeStatistics(*registry_, request->area(), *day);
  if (!stats.ok()) return ToGrpcStatus(stats.status());
  *response = *std::move(stats);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::PostingList(
    grpc::ServerContext* context, const v1::PostingListRequest* request,
    v1::PostingListResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto lists = BuildPostingList(*registry_, request->area(),
                                request->communities_only());
  if (!lists.ok()) return ToGrpcStatus(lists.status());
  *response = *std::move(lists);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::DrawSample(grpc::ServerContext* context,
                                           const v1::DrawSampleRequest* request,
                                           v1::SpotCheckSample* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // A sample decides whose homes are visited: it names who drew it.
  const std::string& actor = caller->id();
  auto sample = samples_->Draw(*registry_, *request, actor);
  if (!sample.ok()) return ToGrpcStatus(sample.status());
  LogInfo("spot-check sample ", sample->sample_seq(), " drawn by ", actor, ": ",
          sample->households_size(), " of ", sample->population(),
          " households");
  *response = *std::move(sample);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ListSamples(
    grpc::ServerContext* context, const v1::ListSamplesRequest* request,
    v1::ListSamplesResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->limit() < 0) return Invalid("limit must not be negative");
  auto samples = samples_->List(std::min(request->limit(), 1000));
  if (!samples.ok()) return ToGrpcStatus(samples.status());
  for (auto& s : *samples) *response->add_samples() = std::move(s);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetSample(grpc::ServerContext* context,
                                          const v1::GetSampleRequest* request,
                                          v1::SpotCheckSample* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto sample = samples_->Get(request->sample_seq());
  if (!sample.ok()) return ToGrpcStatus(sample.status());
  *response = *std::move(sample);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::Forecast(grpc::ServerContext* context,
                                         const v1::ForecastRequest* request,
                                         v1::IntakeForecast* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (policy_ == nullptr) return NoPolicy();
  auto day = DayOr(request->has_as_of(), request->as_of(), clock_);
  if (!day.ok()) return ToGrpcStatus(day.status());
  auto forecast = ForecastIntake(*store_, *policy_, request->district_code(),
                                 *day, request->list_people());
  if (!forecast.ok()) return ToGrpcStatus(forecast.status());
  *response = *std::move(forecast);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::Cliff(grpc::ServerContext* context,
                                      const v1::CliffRequest* request,
                                      v1::BenefitCliff* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (policy_ == nullptr) return NoPolicy();
  auto day = DayOr(request->has_as_of(), request->as_of(), clock_);
  if (!day.ok()) return ToGrpcStatus(day.status());
  auto cliff =
      ComputeBenefitCliff(*store_, *registry_, *policy_, *request, *day);
  if (!cliff.ok()) return ToGrpcStatus(cliff.status());
  *response = *std::move(cliff);
  return grpc::Status::OK;
}

}  // namespace dibao
