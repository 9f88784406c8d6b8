// Bounds on feed uploads, so that no caller, with or without credentials,
// can hold the server's memory or threads: how many uploads stream at once
// in all and per caller, how long one may sit idle, how long one may take.
//
// Measured before these existed: 32 uploads that sent a header and then
// nothing held the server at 5.1 GB RSS, and 1,000 header-only streams made
// 1,027 threads. An upload is admitted before its first message is read, so
// a stream that never sends its header counts too; a watchdog thread cancels
// one idle or running too long even while its handler is blocked reading
// (a check between chunks would never run for a stream that sends nothing).
//
// Thread-safe.
#ifndef DIBAO_SERVICES_UPLOAD_LIMITS_H_
#define DIBAO_SERVICES_UPLOAD_LIMITS_H_

#include <grpcpp/server_context.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace dibao {

struct UploadLimitOptions {
  // Uploads streaming at once, in all and per caller (config
  // feeds.max_concurrent_uploads, feeds.max_uploads_per_caller).
  int max_total = 8;
  int max_per_caller = 2;
  // Cancelled after this long without a message (feeds.idle_upload_seconds).
  absl::Duration idle = absl::Seconds(60);
  // Cancelled after this long in all (feeds.max_upload_seconds).
  absl::Duration max_duration = absl::Hours(2);
  // How often the watchdog looks; the limits above are kept to within this.
  absl::Duration poll = absl::Seconds(1);
};

class UploadLimits {
 public:
  // `clock` must outlive this.
  UploadLimits(const UploadLimitOptions& options, Clock* clock);
  ~UploadLimits();  // stops the watchdog
  UploadLimits(const UploadLimits&) = delete;
  UploadLimits& operator=(const UploadLimits&) = delete;

  // One admitted upload; releases its place when destroyed.
  class Ticket {
   public:
    ~Ticket();
    // A message arrived: the idle clock starts again.
    void Touch();
    // Why the watchdog cancelled the stream (also in its log line); empty
    // while it has not.
    std::string Expired() const;

   private:
    friend class UploadLimits;
    Ticket(UploadLimits* limits, uint64_t id) : limits_(limits), id_(id) {}
    UploadLimits* const limits_;
    const uint64_t id_;
  };

  // Admits an upload by `caller` on `context` (which must outlive the
  // ticket), or RESOURCE_EXHAUSTED naming the limit it would exceed.
  absl::StatusOr<std::unique_ptr<Ticket>> Admit(grpc::ServerContext* context,
                                                const std::string& caller);

  const UploadLimitOptions& options() const { return options_; }

 private:
  struct Active {
    grpc::ServerContext* context;
    std::string caller;
    absl::Time started;
    absl::Time last_message;
    std::string expired;  // why it was cancelled
  };

  void Watch();

  const UploadLimitOptions options_;
  Clock* const clock_;
  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Active> active_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> per_caller_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watchdog_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_UPLOAD_LIMITS_H_
