// dibao-server: the dibao-audit gRPC server on an embedded RocksDB store.
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/version.h"
#include "services/server.h"

ABSL_FLAG(std::string, listen, "",
          "host:port of the TLS listener (default 127.0.0.1:50051; \"off\": "
          "none, the local socket only)");
ABSL_FLAG(std::string, tls_cert, "",
          "the server's certificate chain (PEM); with --tls_key and --tls_ca "
          "required for a TCP listener");
ABSL_FLAG(std::string, tls_key, "", "the server's private key (PEM)");
ABSL_FLAG(std::string, tls_ca, "",
          "the CA certificates client certificates must chain to (PEM)");
ABSL_FLAG(std::string, tls_crl_dir, "",
          "CRLs in OpenSSL's hashed layout (openssl rehash DIR)");
ABSL_FLAG(std::string, principals, "",
          "who may call: dibao.v1.Principals in text format (e.g. "
          "deploy/principals.textproto); re-read on SIGHUP");
ABSL_FLAG(std::string, local_socket, "",
          "a Unix-domain socket for local tools (plaintext, 0600)");
ABSL_FLAG(std::string, local_socket_principal, "",
          "the principal calls on the local socket act as");
ABSL_FLAG(std::string, data_dir, "",
          "RocksDB data directory (default ./var/data)");
ABSL_FLAG(std::string, encryption_key_file, "",
          "encrypt the data directory at rest with the key in this file (64 "
          "hex digits, mode 0600, outside the data directory); the "
          "directory opens only with the key it was made with");
ABSL_FLAG(std::string, config, "",
          "server config in protobuf text format (dibao.v1.ServerConfig); "
          "flags override it");
ABSL_FLAG(std::string, policy, "",
          "the dibao policy in protobuf text format (dibao.v1.Policy, e.g. "
          "deploy/policy.textproto); needed for cycles and intake checks; "
          "re-read on SIGHUP");
ABSL_FLAG(std::string, console_listen, "",
          "host:port of the caseworker web console (default 127.0.0.1:8080; "
          "\"off\": no console); loopback unless a TLS proxy is in front");
ABSL_FLAG(std::string, console_web_root, "",
          "the console's files (default: web/ beside the binary's folder, "
          "e.g. build/web)");
ABSL_FLAG(std::string, console_users, "",
          "the console's user list (dibao.v1.ConsoleUsers, text format; "
          "`dibaoctl user add` writes it)");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the Prometheus /metrics listener, plain HTTP (default "
          "127.0.0.1:9464; \"off\": none); it holds no personal data");
ABSL_FLAG(std::string, log_format, "text",
          "text (one line per event for people) or json (one JSON object "
          "per line: ts, level, component, event, fields, message)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(30),
          "on SIGTERM/SIGINT, how long in-flight calls may take to finish");

int main(int argc, char** argv) {
  // Everything the server creates (the store's files, scratch spills of feed
  // records, exports) holds personal data: its own user's alone, whatever
  // umask it was started under.
  ::umask(077);
  // --version prints the project version and commit, then exits.
  absl::FlagsUsageConfig usage;
  usage.version_string = [] {
    return dibao::VersionLine("dibao-server") + "\n";
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "dibao-server [--config=FILE] [--listen=HOST:PORT|off --tls_cert=PEM "
      "--tls_key=PEM --tls_ca=PEM] [--principals=FILE] "
      "[--local_socket=PATH --local_socket_principal=ID] [--data_dir=DIR "
      "[--encryption_key_file=FILE]] "
      "[--policy=FILE] [--console_listen=HOST:PORT|off] "
      "[--console_users=FILE]");
  absl::ParseCommandLine(argc, argv);
  auto log_format = dibao::ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!log_format.ok()) {
    std::cerr << "dibao-server: --" << log_format.status().message() << "\n";
    return 2;
  }
  dibao::SetLogFormat(*log_format);

  dibao::v1::ServerConfig config;
  if (const std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    auto loaded = dibao::LoadServerConfig(path);
    if (!loaded.ok()) {
      dibao::LogEvent(dibao::LogLevel::kError, "server", "bad_config",
                      {{"file", path}},
                      absl::StrCat("bad config: ", loaded.status().message()));
      return 2;
    }
    config = *std::move(loaded);
  }
  dibao::ServerOptions options = dibao::FromConfig(config);
  options.config_file = absl::GetFlag(FLAGS_config);
  options.config = config;
  if (auto v = absl::GetFlag(FLAGS_listen); !v.empty()) options.listen = v;
  if (auto v = absl::GetFlag(FLAGS_data_dir); !v.empty()) options.data_dir = v;
  // Metrics: the flag, else the config, else 127.0.0.1:9464 (skipped with a
  // warning when taken, like the console's default).
  if (auto v = absl::GetFlag(FLAGS_metrics_listen); !v.empty()) {
    options.metrics.listen = v;
  }
  if (options.metrics.listen.empty()) {
    options.metrics.listen = "127.0.0.1:9464";
    options.metrics.optional = true;
  }
  if (auto v = absl::GetFlag(FLAGS_encryption_key_file); !v.empty()) {
    options.encryption_key_file = v;
  }
  if (auto v = absl::GetFlag(FLAGS_policy); !v.empty()) options.policy_file = v;
  if (auto v = absl::GetFlag(FLAGS_tls_cert); !v.empty()) {
    options.tls.cert_file = v;
  }
  if (auto v = absl::GetFlag(FLAGS_tls_key); !v.empty())
    options.tls.key_file = v;
  if (auto v = absl::GetFlag(FLAGS_tls_ca); !v.empty()) options.tls.ca_file = v;
  if (auto v = absl::GetFlag(FLAGS_tls_crl_dir); !v.empty()) {
    options.tls.crl_dir = v;
  }
  if (auto v = absl::GetFlag(FLAGS_principals); !v.empty()) {
    options.principals_file = v;
  }
  if (auto v = absl::GetFlag(FLAGS_local_socket); !v.empty()) {
    options.local_socket = v;
  }
  if (auto v = absl::GetFlag(FLAGS_local_socket_principal); !v.empty()) {
    options.local_socket_principal = v;
  }
  // The console: the flag, else the config, else 127.0.0.1:8080.
  std::string console_listen = absl::GetFlag(FLAGS_console_listen);
  if (console_listen.empty()) console_listen = config.console().listen();
  if (console_listen.empty()) {
    console_listen = "127.0.0.1:8080";
    options.console.optional = true;
  }
  options.console.listen = console_listen == "off" ? "" : console_listen;
  if (auto v = absl::GetFlag(FLAGS_console_web_root); !v.empty()) {
    options.console.web_root = v;
  } else if (options.console.web_root.empty()) {
    // build/services/dibao-server -> build/web; bin/dibao-server ->
    // share/dibao/web.
    std::error_code ec;
    const std::filesystem::path bin =
        std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    options.console.web_root = (bin.parent_path() / "web").string();
    if (!std::filesystem::exists(options.console.web_root, ec)) {
      options.console.web_root =
          (bin.parent_path() / "share" / "dibao" / "web").string();
    }
  }
  if (auto v = absl::GetFlag(FLAGS_console_users); !v.empty()) {
    options.console.users_file = v;
  }

  // Block the signals in every thread (gRPC's threads inherit the mask) and
  // take them synchronously below, so shutdown and reloads run in normal
  // code rather than in a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  dibao::SystemClock clock;
  auto server = dibao::Server::Start(options, &clock);
  if (!server.ok()) {
    dibao::LogEvent(dibao::LogLevel::kError, "server", "start_failed", {},
                    absl::StrCat("cannot start: ", server.status().message()));
    return 1;
  }
  dibao::LogEvent(
      dibao::LogLevel::kInfo, "server", "started",
      {{"listen", (*server)->address()},
       {"local_socket", (*server)->local_address()},
       {"sync_writes", options.store.sync_writes},
       {"encrypted", !options.encryption_key_file.empty()},
       {"policy", options.policy_file},
       {"version", dibao::VersionLine("dibao-server")}},
      absl::StrCat(
          "dibao-server listening on ", (*server)->address(),
          (*server)->address().empty() || (*server)->local_address().empty()
              ? ""
              : " and ",
          (*server)->local_address(), ", data in ", options.data_dir,
          options.store.sync_writes ? " (synced writes" : " (UNSYNCED writes",
          options.encryption_key_file.empty() ? ", plain files)"
                                              : ", encrypted at rest)",
          options.policy_file.empty()
              ? "; no policy: cycles and intake checks are refused"
              : absl::StrCat("; policy ", options.policy_file)));
  if (const std::string url = (*server)->console_url(); !url.empty()) {
    dibao::LogEvent(
        dibao::LogLevel::kInfo, "console", "started", {{"url", url}},
        absl::StrCat("console at ", url,
                     options.console.users_file.empty()
                         ? " (no --console_users: nobody can sign in)"
                         : absl::StrCat(" (users from ",
                                        options.console.users_file, ")")));
  }

  if (const int port = (*server)->metrics_port(); port != 0) {
    const std::string& listen = options.metrics.listen;
    const std::string address =
        absl::StrCat(listen.substr(0, listen.rfind(':')), ":", port);
    dibao::LogEvent(dibao::LogLevel::kInfo, "metrics", "started",
                    {{"listen", address}},
                    absl::StrCat("metrics at http://", address, "/metrics"));
  }

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    // Each file's reload writes its own audit entry, refused or not.
    auto reloaded = (*server)->reloader().Reload("SIGHUP");
    if (!reloaded.ok()) {
      dibao::LogEvent(
          dibao::LogLevel::kError, "config", "reload_failed",
          {{"trigger", "SIGHUP"}},
          absl::StrCat("nothing reloaded: ", reloaded.status().message()));
      continue;
    }
    for (const dibao::v1::ReloadedPart& part : reloaded->parts()) {
      dibao::LogEvent(
          dibao::LogLevel::kInfo, "config", "reloaded",
          {{"trigger", "SIGHUP"},
           {"part", part.part()},
           {"outcome", dibao::v1::ReloadedPart::Outcome_Name(part.outcome())},
           {"file", part.file()}},
          absl::StrCat(
              "SIGHUP: ", part.part(), " ",
              dibao::v1::ReloadedPart::Outcome_Name(part.outcome()),
              part.file().empty() ? "" : absl::StrCat(" (", part.file(), ")"),
              ": ", part.detail()));
    }
  }
  const char* signal_name = signal_number == SIGTERM ? "SIGTERM" : "SIGINT";
  dibao::LogEvent(
      dibao::LogLevel::kInfo, "server", "stopping", {{"signal", signal_name}},
      absl::StrCat("received ", signal_name, "; finishing in-flight calls"));
  absl::Status closed =
      (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  if (!closed.ok()) {
    dibao::LogEvent(
        dibao::LogLevel::kError, "server", "stop_failed", {},
        absl::StrCat("store did not close cleanly: ", closed.message()));
    return 1;
  }
  dibao::LogEvent(dibao::LogLevel::kInfo, "server", "stopped", {},
                  "stopped cleanly");
  return 0;
}
