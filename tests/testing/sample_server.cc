#include "tests/testing/sample_server.h"

#include <filesystem>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/aes_ctr.h"
#include "console/users/users_file.h"

namespace dibao::testing {

absl::StatusOr<std::unique_ptr<SampleServer>> SampleServer::Start(
    SampleServerOptions options) {
  std::unique_ptr<SampleServer> s(new SampleServer());
  s->options_ = std::move(options);
  s->dir_ = NewTempDir(s->options_.name);
  ServerOptions server_options;
  UseTestAccess(&server_options, s->dir_);
  server_options.data_dir = s->dir_ + "/data";
  server_options.store.sync_writes = false;
  server_options.policy_file =
      std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
  if (s->options_.encrypted) {
    auto key = AesCtr::RandomBytes(AesCtr::kKeyBytes);
    if (!key.ok()) return key.status();
    const std::string path = s->dir_ + "/keys/data.key";
    std::filesystem::create_directories(s->dir_ + "/keys");
    WriteFile(path, absl::BytesToHexString(*key));
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    server_options.encryption_key_file = path;
  }
  if (s->options_.sst_threshold_records > 0) {
    server_options.feeds.sst_threshold_records =
        s->options_.sst_threshold_records;
  }
  if (!s->options_.console_users.empty()) {
    std::string users;
    for (const std::string& id : s->options_.console_users) {
      auto hash = HashPassword(kConsolePassword);
      if (!hash.ok()) return hash.status();
      absl::StrAppend(&users, "user { id: \"", id, "\" name: \"", id,
                      "\" password_hash: \"", *hash, "\" }\n");
    }
    server_options.console.listen = "127.0.0.1:0";
    server_options.console.web_root = BinaryPath("web");
    server_options.console.users_file = s->dir_ + "/console-users.textproto";
    if (const int n = s->options_.console_sign_ins_per_minute; n > 0) {
      server_options.console.sessions.source_burst = n;
      server_options.console.sessions.source_per_minute = n;
    }
    WriteFile(server_options.console.users_file, users);
  }
  auto server = Server::Start(server_options, &s->clock_);
  if (!server.ok()) return server.status();
  s->server_ = *std::move(server);
  if (s->options_.load_sample) {
    const std::string failed = LoadSampleWithCtl(
        [&](const std::string& principal, std::vector<std::string> args) {
          return s->CtlAs(principal, std::move(args));
        },
        s->dir_);
    if (!failed.empty()) return absl::InternalError(failed);
  }
  if (s->options_.run_cycle) {
    RunResult r =
        s->CtlAs(kLocalSocketPrincipal, {"cycle", "run", "--as-of=2026-11-01"});
    if (r.exit_code != 0) {
      return absl::InternalError(absl::StrCat("cycle run: ", r.err));
    }
  }
  return s;
}

RunResult SampleServer::Ctl(std::vector<std::string> args) const {
  return CtlAs(options_.principal, std::move(args));
}

RunResult SampleServer::CtlAs(const std::string& principal,
                              std::vector<std::string> args) const {
  return Run(CtlCommand(server_->address(), principal, std::move(args)));
}

}  // namespace dibao::testing
