#include "services/report_service.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "access/jurisdiction.h"
#include "base/dates.h"
#include "base/log.h"
#include "reports/benefit_cliff.h"
#include "reports/feed_quality.h"
#include "reports/intake_forecast.h"
#include "reports/posting_list.h"
#include "reports/report_stats.h"
#include "reports/stage_posting.h"
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

// `area` narrowed to what `caller` may see (access/jurisdiction.h).
absl::Status Narrow(const Caller& caller, v1::AreaFilter* area) {
  Area a{area->district_code(), area->street(), area->community()};
  if (absl::Status s = NarrowToJurisdiction(caller.principal, &a); !s.ok()) {
    return s;
  }
  area->set_district_code(a.district_code);
  area->set_street(a.street);
  area->set_community(a.community);
  return absl::OkStatus();
}

Area AreaOf(const v1::AreaFilter& area) {
  return {area.district_code(), area.street(), area.community()};
}

}  // namespace

grpc::Status ReportServiceImpl::Stats(grpc::ServerContext* context,
                                      const v1::StatsRequest* request,
                                      v1::Statistics* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto day = DayOr(request->has_as_of(), request->as_of(), clock_);
  if (!day.ok()) return ToGrpcStatus(day.status());
  v1::AreaFilter area = request->area();
  // Counts and money, no person: the operator sees them everywhere.
  if (caller->role() != v1::ROLE_OPERATOR) {
    if (absl::Status s = Narrow(*caller, &area); !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  auto stats = ComputeStatistics(*registry_, area, *day);
  if (!stats.ok()) return ToGrpcStatus(stats.status());
  *response = *std::move(stats);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::FeedQuality(
    grpc::ServerContext* context, const v1::FeedQualityRequest* request,
    v1::FeedQualityReport* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto since = OptionalDay(request->has_since(), request->since(), "since");
  if (!since.ok()) return ToGrpcStatus(since.status());
  // Counts per agency and kind, no person and no area: the same for every
  // reader.
  auto report = ComputeFeedQuality(*feeds_, *flags_, *since);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = *std::move(report);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::PostingList(
    grpc::ServerContext* context, const v1::PostingListRequest* request,
    v1::PostingListResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  v1::AreaFilter area = request->area();
  if (absl::Status s = Narrow(*caller, &area); !s.ok()) return ToGrpcStatus(s);
  if (request->stage() != v1::RECOMMENDATION_STAGE_UNSPECIFIED) {
    auto since = OptionalDay(request->has_since(), request->since(), "since");
    if (!since.ok()) return ToGrpcStatus(since.status());
    // Recommendations are few beside households: the stage's results of
    // the caller's area are gathered, then masked and grouped.
    std::vector<v1::Recommendation> results;
    absl::Status read = recommender_->ForEach([&](const v1::Recommendation& r) {
      if (Covers(caller->principal, AreaOf(r)) &&
          StagePassed(r, request->stage())) {
        results.push_back(r);
      }
      return absl::OkStatus();
    });
    if (!read.ok()) return ToGrpcStatus(read);
    auto lists = BuildStagePostingList(*registry_, area, request->stage(),
                                       *since, results);
    if (!lists.ok()) return ToGrpcStatus(lists.status());
    *response = *std::move(lists);
    return grpc::Status::OK;
  }
  auto lists = BuildPostingList(*registry_, area, request->communities_only());
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
  v1::DrawSampleRequest draw = *request;
  if (absl::Status s = Narrow(*caller, draw.mutable_area()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto sample = samples_->Draw(*registry_, draw, actor);
  if (!sample.ok()) return ToGrpcStatus(sample.status());
  LogEvent(LogLevel::kInfo, "reports", "sample_drawn",
           {{"sample_seq", sample->sample_seq()},
            {"actor", actor},
            {"households", sample->households_size()},
            {"population", sample->population()}},
           absl::StrCat("spot-check sample ", sample->sample_seq(),
                        " drawn by ", actor, ": ", sample->households_size(),
                        " of ", sample->population(), " households"));
  *response = *std::move(sample);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ListSamples(
    grpc::ServerContext* context, const v1::ListSamplesRequest* request,
    v1::ListSamplesResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->limit() < 0 || request->limit() > 1000) {
    return Invalid("limit is between 0 (the default, 50) and 1000");
  }
  auto samples = samples_->List(request->limit());
  if (!samples.ok()) return ToGrpcStatus(samples.status());
  for (auto& s : *samples) {
    if (Covers(caller->principal, AreaOf(s.area()))) {
      *response->add_samples() = std::move(s);
    }
  }
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetSample(grpc::ServerContext* context,
                                          const v1::GetSampleRequest* request,
                                          v1::SpotCheckSample* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto sample = samples_->Get(request->sample_seq());
  if (!sample.ok()) return ToGrpcStatus(sample.status());
  if (absl::Status s =
          CheckCovers(caller->principal, AreaOf(sample->area()),
                      absl::StrCat("sample ", sample->sample_seq()));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(sample);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::Forecast(grpc::ServerContext* context,
                                         const v1::ForecastRequest* request,
                                         v1::IntakeForecast* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const std::shared_ptr<const v1::Policy> policy = cycles_->policy();
  if (policy == nullptr) return NoPolicy();
  auto day = DayOr(request->has_as_of(), request->as_of(), clock_);
  if (!day.ok()) return ToGrpcStatus(day.status());
  // The forecast is by district: for those who work the whole district.
  Area district{request->district_code(), "", ""};
  if (absl::Status s = NarrowToJurisdiction(caller->principal, &district);
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (!district.street.empty()) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        absl::StrCat("the intake forecast covers a whole district, and ",
                     caller->id(), " works in part of one (",
                     DescribeJurisdiction(caller->principal), ")")));
  }
  auto forecast = ForecastIntake(*store_, *policy, district.district_code, *day,
                                 request->list_people());
  if (!forecast.ok()) return ToGrpcStatus(forecast.status());
  if (request->list_people()) {
    if (absl::Status s = gate_->reads().Many(
            *caller, forecast->people_size(),
            absl::StrCat("people of the intake forecast of ",
                         district.district_code));
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  *response = *std::move(forecast);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::Cliff(grpc::ServerContext* context,
                                      const v1::CliffRequest* request,
                                      v1::BenefitCliff* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const std::shared_ptr<const v1::Policy> policy = cycles_->policy();
  if (policy == nullptr) return NoPolicy();
  auto day = DayOr(request->has_as_of(), request->as_of(), clock_);
  if (!day.ok()) return ToGrpcStatus(day.status());
  if (absl::Status s = areas_->CheckHousehold(*caller, request->household_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto cliff =
      ComputeBenefitCliff(*store_, *registry_, *policy, *request, *day);
  if (!cliff.ok()) return ToGrpcStatus(cliff.status());
  if (absl::Status s = gate_->reads().One(*caller, request->household_id(), "");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = *std::move(cliff);
  return grpc::Status::OK;
}

}  // namespace dibao
