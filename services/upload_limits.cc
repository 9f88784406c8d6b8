#include "services/upload_limits.h"

#include "absl/strings/str_cat.h"
#include "base/log.h"

namespace dibao {

UploadLimits::UploadLimits(const UploadLimitOptions& options, Clock* clock)
    : options_(options), clock_(clock), watchdog_([this] { Watch(); }) {}

UploadLimits::~UploadLimits() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  watchdog_.join();
}

absl::StatusOr<std::unique_ptr<UploadLimits::Ticket>> UploadLimits::Admit(
    grpc::ServerContext* context, const std::string& caller) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(active_.size()) >= options_.max_total) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "feeds.max_concurrent_uploads: ", options_.max_total,
        " uploads are streaming already; try again when one has finished"));
  }
  int& mine = per_caller_[caller];
  if (mine >= options_.max_per_caller) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "feeds.max_uploads_per_caller: ", caller, " has ", mine,
        " uploads streaming already; send them one after another"));
  }
  ++mine;
  const uint64_t id = next_id_++;
  const absl::Time now = clock_->Now();
  active_.emplace(id, Active{context, caller, now, now, ""});
  return std::unique_ptr<Ticket>(new Ticket(this, id));
}

UploadLimits::Ticket::~Ticket() {
  absl::MutexLock lock(&limits_->mu_);
  auto it = limits_->active_.find(id_);
  auto caller = limits_->per_caller_.find(it->second.caller);
  if (--caller->second == 0) limits_->per_caller_.erase(caller);
  limits_->active_.erase(it);
}

void UploadLimits::Ticket::Touch() {
  const absl::Time now = limits_->clock_->Now();
  absl::MutexLock lock(&limits_->mu_);
  limits_->active_.at(id_).last_message = now;
}

std::string UploadLimits::Ticket::Expired() const {
  absl::MutexLock lock(&limits_->mu_);
  return limits_->active_.at(id_).expired;
}

void UploadLimits::Watch() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.poll)) {
    const absl::Time now = clock_->Now();
    for (auto& [id, a] : active_) {
      if (!a.expired.empty()) continue;
      if (now - a.started > options_.max_duration) {
        a.expired = absl::StrCat(
            "feeds.max_upload_seconds: the upload took "
            "longer than ",
            absl::FormatDuration(options_.max_duration));
      } else if (now - a.last_message > options_.idle) {
        a.expired =
            absl::StrCat("feeds.idle_upload_seconds: nothing arrived for ",
                         absl::FormatDuration(options_.idle));
      } else {
        continue;
      }
      // Thread-safe, and wakes the handler blocked in Read().
      a.context->TryCancel();
      LogEvent(LogLevel::kWarning, "feeds", "upload_cancelled",
               {{"actor", a.caller}},
               absl::StrCat("upload by ", a.caller, " cancelled: ", a.expired));
    }
  }
}

}  // namespace dibao
