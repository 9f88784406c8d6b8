// dibao-server assembled: the store, the registry and the gRPC services on
// one listening port, with health checking and server reflection on.
//
// Used by main.cc and by end-to-end tests, which start it on port 0 and ask
// port() which free port it got.
#ifndef DIBAO_SERVICES_SERVER_H_
#define DIBAO_SERVICES_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "casework/recommendations.h"
#include "casework/review.h"
#include "casework/review_queue.h"
#include "console/http_server.h"
#include "dibao/v1/config.pb.h"
#include "feeds/feed_store.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "registry/registry.h"
#include "services/access_service.h"
#include "services/admin_service.h"
#include "services/area_guard.h"
#include "services/audit_service.h"
#include "services/cycle_service.h"
#include "services/feed_service.h"
#include "services/metrics.h"
#include "services/recommendation_service.h"
#include "services/registry_service.h"
#include "services/reloader.h"
#include "services/report_service.h"
#include "services/review_service.h"
#include "services/upload_limits.h"
#include "storage/audit_log.h"
#include "storage/backups.h"
#include "storage/store.h"

namespace dibao {

// The TLS listener's certificate files (PEM). Watched: a renewed file is
// used from the next handshake on, without a restart.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  // The CA client certificates must chain to.
  std::string ca_file;
  // CRLs in OpenSSL's hashed layout; empty: none.
  std::string crl_dir;
  int refresh_seconds = 60;
};

struct ServerOptions {
  // host:port of the TLS listener; port 0 picks a free port (see
  // Server::port()); "" or "off": no TCP listener.
  std::string listen = "127.0.0.1:50051";
  // Required with a TCP listener: the server never serves TCP in plaintext.
  TlsFiles tls;
  // Who may call (dibao.v1.Principals text); empty: nobody.
  std::string principals_file;
  // A Unix-domain socket for local tools, 0600 (0660 with
  // local_socket_group); its calls act as local_socket_principal.
  std::string local_socket;
  std::string local_socket_principal;
  bool local_socket_group = false;
  std::string data_dir = "./var/data";
  StoreOptions store;
  // Encryption at rest: the key file (storage/encryption.h); read at
  // start into store.encryption_key. Empty: plain files.
  std::string encryption_key_file;
  // Largest message accepted or sent, bytes.
  int max_message_bytes = 4 << 20;
  // Feed uploads; scratch_dir defaults to <data_dir>/staging.
  FeedStoreOptions feeds;
  // Uploads at once (in all and per caller), idle and total time.
  UploadLimitOptions uploads;
  // Threads serving calls; a call arriving when all are busy gets
  // RESOURCE_EXHAUSTED rather than another thread.
  int max_threads = 256;
  // The policy file; empty: none (cycles and intake checks are refused).
  std::string policy_file;
  CycleOptions cycle;
  // The web console; console.listen empty: no console.
  ConsoleOptions console;
  // Health is NOT_SERVING while the store's writes fail on the disk or its
  // free space is below this; checked every disk_check_interval.
  int64_t min_free_bytes = int64_t{64} << 20;
  absl::Duration disk_check_interval = absl::Seconds(2);
  // Online backups; backup.dir empty: "backups" beside data_dir.
  BackupOptions backup;
  // Prometheus metrics, the flag counts and the audit chain's own checks.
  MetricsOptions metrics;
  // The config file the server started with and what it held, for
  // reloads (empty: flags only).
  std::string config_file;
  v1::ServerConfig config;
};

// Fills options from a parsed config; unset config fields keep the defaults.
ServerOptions FromConfig(const v1::ServerConfig& config);

// Reads a ServerConfig in protobuf text format. Errors name the file, line
// and column: "dibao.conf:3:7: Message type ... has no field named ...".
absl::StatusOr<v1::ServerConfig> LoadServerConfig(const std::string& path);

class Server {
 public:
  // Loads the policy (INVALID_ARGUMENT with the lines at fault), opens the
  // store and starts serving. `clock` must outlive the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, Clock* clock);
  ~Server();

  int port() const { return port_; }
  // host:port of the TLS listener ("" without one).
  std::string address() const;
  // "unix:/path" of the local socket ("" without one).
  std::string local_address() const;
  // The in-process channel, as the console uses it: calls on it name their
  // principal in kConsoleUserMetadataKey beside
  // gatekeeper().in_process_token().
  std::shared_ptr<grpc::Channel> InProcessChannel();
  // For SIGHUP: reads the policy, principals and settings again.
  Reloader& reloader() { return *reloader_; }
  Gatekeeper& gatekeeper() { return *gate_; }
  // The console's port and "http://host:port/"; 0 and "" without one.
  int console_port() const { return console_ ? console_->port() : 0; }
  // The /metrics listener's port (0 without one).
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  ServerMetrics& metrics() { return *metrics_; }
  std::string console_url() const { return console_ ? console_->url() : ""; }

  // Stops accepting calls, lets in-flight calls finish for up to `grace`
  // (then cancels them), and closes the store cleanly. Idempotent.
  absl::Status Shutdown(absl::Duration grace);

 private:
  Server() = default;

  ServerOptions options_;
  int port_ = 0;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Gatekeeper> gate_;
  std::unique_ptr<AccessServiceImpl> access_service_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<RegistryServiceImpl> registry_service_;
  std::unique_ptr<AreaGuard> areas_;
  std::unique_ptr<FeedStore> feeds_;
  std::unique_ptr<UploadLimits> upload_limits_;
  std::unique_ptr<FeedServiceImpl> feed_service_;
  std::unique_ptr<FlagStore> flags_;
  std::unique_ptr<CycleRunner> cycles_;
  std::unique_ptr<CycleServiceImpl> cycle_service_;
  std::unique_ptr<SpotSamples> samples_;
  std::unique_ptr<ReportServiceImpl> report_service_;
  std::unique_ptr<Review> review_;
  std::unique_ptr<ReviewQueue> review_queue_;
  std::unique_ptr<ReviewServiceImpl> review_service_;
  std::unique_ptr<AuditServiceImpl> audit_service_;
  std::unique_ptr<Recommender> recommender_;
  std::unique_ptr<RecommendationServiceImpl> recommendation_service_;
  std::unique_ptr<Reloader> reloader_;
  std::unique_ptr<StoreBackups> backups_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<ServerMetrics> metrics_;
  // Watches the disk: health NOT_SERVING while writes are impossible.
  void WatchDisk();
  absl::Mutex disk_mu_;
  bool stopping_ ABSL_GUARDED_BY(disk_mu_) = false;
  std::thread disk_watch_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<ConsoleServer> console_;
  bool stopped_ = false;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_SERVER_H_
