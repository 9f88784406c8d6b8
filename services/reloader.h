// Reading the server's files again without a restart (SIGHUP and
// AdminService.Reload): the policy, the principals and the config file's
// reloadable settings (the feed guards).
//
// Each file is read and checked in full before anything of it takes
// effect; one with an error is refused and what is in force stays. Every
// outcome, taken, unchanged or refused, is an entry on the audit chain
// before the new file is in force. Settings that only a restart can change
// (listeners, directories, certificates, threads) are named in the answer
// when the config file changed them, and left as they are.
//
// Thread-safe: one reload at a time; calls go on meanwhile, each with the
// policy or principals in force when it began.
#ifndef DIBAO_SERVICES_RELOADER_H_
#define DIBAO_SERVICES_RELOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "dibao/v1/admin.pb.h"
#include "dibao/v1/config.pb.h"
#include "feeds/feed_store.h"
#include "matcher/cycle.h"
#include "services/gatekeeper.h"
#include "storage/audit_log.h"

namespace dibao {

// The files a reload reads again: those the server started with.
struct ReloadSources {
  // Empty: the server has no policy, and a reload does not give it one.
  std::string policy_file;
  std::string policy_sha256;  // of the policy in force
  // Empty: started without a config file (flags only).
  std::string config_file;
  v1::ServerConfig config;  // the one in force
};

class Reloader {
 public:
  // All must outlive the reloader.
  Reloader(ReloadSources sources, Gatekeeper* gate, CycleRunner* cycles,
           FeedStore* feeds, AuditLog* audit)
      : sources_(std::move(sources)),
        gate_(gate),
        cycles_(cycles),
        feeds_(feeds),
        audit_(audit) {}

  // Reads every file again as `actor`. An error only when the audit chain
  // could not be written (then nothing new is in force); a refused file is
  // a REFUSED part of the answer.
  absl::StatusOr<v1::ReloadResponse> Reload(absl::string_view actor);

 private:
  absl::StatusOr<v1::ReloadedPart> ReloadPolicy(absl::string_view actor)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::ReloadedPart> ReloadSettings(absl::string_view actor)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::ReloadedPart> ReloadPrincipals(absl::string_view actor);

  absl::Mutex mu_;
  ReloadSources sources_ ABSL_GUARDED_BY(mu_);
  Gatekeeper* const gate_;
  CycleRunner* const cycles_;
  FeedStore* const feeds_;
  AuditLog* const audit_;
};

// SHA-256 of the file at `path`, hex; NOT_FOUND when it cannot be read.
absl::StatusOr<std::string> FileSha256(const std::string& path);

}  // namespace dibao

#endif  // DIBAO_SERVICES_RELOADER_H_
