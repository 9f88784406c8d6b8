#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server_builder.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "base/text_proto.h"
#include "matcher/policy.h"
#include "services/malformed_requests.h"
#include "storage/encryption.h"

namespace dibao {

ServerOptions FromConfig(const v1::ServerConfig& config) {
  ServerOptions o;
  if (!config.listen().empty()) o.listen = config.listen();
  if (!config.data_dir().empty()) o.data_dir = config.data_dir();
  const v1::TlsConfig& t = config.tls();
  o.tls.cert_file = t.cert_file();
  o.tls.key_file = t.key_file();
  o.tls.ca_file = t.ca_file();
  o.tls.crl_dir = t.crl_dir();
  if (t.has_refresh_seconds()) o.tls.refresh_seconds = t.refresh_seconds();
  o.principals_file = config.principals_file();
  o.local_socket = config.local_socket();
  o.local_socket_principal = config.local_socket_principal();
  o.local_socket_group = config.local_socket_group();
  if (config.max_message_bytes() > 0) {
    o.max_message_bytes = config.max_message_bytes();
  }
  const v1::StoreConfig& s = config.store();
  if (s.has_sync_writes()) o.store.sync_writes = s.sync_writes();
  if (s.has_block_cache_mb()) o.store.block_cache_mb = s.block_cache_mb();
  if (s.has_write_buffer_mb()) o.store.write_buffer_mb = s.write_buffer_mb();
  if (s.has_max_open_files()) o.store.max_open_files = s.max_open_files();
  o.encryption_key_file = s.encryption_key_file();
  if (s.has_min_free_mb()) {
    o.min_free_bytes = static_cast<int64_t>(s.min_free_mb()) << 20;
  }
  const v1::FeedConfig& f = config.feeds();
  if (f.has_max_records_per_batch()) {
    o.feeds.max_records_per_batch = f.max_records_per_batch();
  }
  if (f.has_max_upload_seconds()) {
    o.uploads.max_duration = absl::Seconds(f.max_upload_seconds());
  }
  if (f.has_idle_upload_seconds()) {
    o.uploads.idle = absl::Seconds(f.idle_upload_seconds());
  }
  if (f.has_max_concurrent_uploads()) {
    o.uploads.max_total = f.max_concurrent_uploads();
  }
  if (f.has_max_uploads_per_caller()) {
    o.uploads.max_per_caller = f.max_uploads_per_caller();
  }
  if (config.has_max_threads()) o.max_threads = config.max_threads();
  if (f.has_sort_memory_mb()) {
    o.feeds.sort_memory_bytes = static_cast<size_t>(f.sort_memory_mb()) << 20;
  }
  if (f.has_sst_threshold_records()) {
    o.feeds.sst_threshold_records = f.sst_threshold_records();
  }
  if (f.has_mass_retirement_min()) {
    o.feeds.mass_retirement_min = f.mass_retirement_min();
  }
  if (f.has_snapshot_max_rejected_percent()) {
    o.feeds.snapshot_max_rejected_percent = f.snapshot_max_rejected_percent();
  }
  o.policy_file = config.policy_file();
  o.backup.dir = config.backup().dir();
  if (config.backup().has_keep()) o.backup.keep = config.backup().keep();
  const v1::MetricsConfig& mc = config.metrics();
  if (!mc.listen().empty()) o.metrics.listen = mc.listen();
  if (mc.has_audit_verify_hours()) {
    o.metrics.audit_verify_interval = absl::Hours(mc.audit_verify_hours());
  }
  if (mc.has_flag_count_seconds()) {
    o.metrics.flag_count_interval = absl::Seconds(mc.flag_count_seconds());
  }
  const v1::ConsoleConfig& c = config.console();
  if (!c.listen().empty())
    o.console.listen = c.listen() == "off" ? "" : c.listen();
  if (!c.web_root().empty()) o.console.web_root = c.web_root();
  if (!c.users_file().empty()) o.console.users_file = c.users_file();
  if (c.has_session_idle_minutes()) {
    o.console.sessions.idle = absl::Minutes(c.session_idle_minutes());
  }
  if (c.has_session_max_hours()) {
    o.console.sessions.max_age = absl::Hours(c.session_max_hours());
  }
  o.console.secure_cookies = c.secure_cookies();
  o.console.public_origin = c.public_origin();
  const v1::MatchingConfig& m = config.matching();
  if (m.has_threads()) o.cycle.threads = m.threads();
  if (m.has_block_households()) {
    o.cycle.block_households = m.block_households();
  }
  return o;
}

absl::StatusOr<v1::ServerConfig> LoadServerConfig(const std::string& path) {
  v1::ServerConfig config;
  if (absl::Status s = ReadTextProto(path, &config); !s.ok()) {
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError(
          absl::StrCat("cannot read config file ", path));
    }
    return s;
  }
  return config;
}

namespace {

bool ListensOnTcp(const ServerOptions& o) {
  return !o.listen.empty() && o.listen != "off";
}

// The TLS listener's credentials: client certificates required and
// verified against the CA (and the CRLs), files watched for renewal.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const TlsFiles& tls) {
  for (const auto& [field, path] : {std::pair<const char*, const std::string*>{
                                        "tls.cert_file", &tls.cert_file},
                                    {"tls.key_file", &tls.key_file},
                                    {"tls.ca_file", &tls.ca_file}}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, " ", *path, " is not a readable file"));
    }
  }
  if (tls.refresh_seconds < 1) {
    return absl::InvalidArgumentError("tls.refresh_seconds must be at least 1");
  }
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          tls.key_file, tls.cert_file, tls.ca_file,
          static_cast<unsigned>(tls.refresh_seconds));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  // "Request and verify" would let a client without a certificate in.
  options.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!tls.crl_dir.empty()) options.set_crl_directory(tls.crl_dir);
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, Clock* clock) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  std::shared_ptr<const v1::Policy> policy;
  ReloadSources reload_sources{options.policy_file, "", options.config_file,
                               options.config};
  if (!options.policy_file.empty()) {
    auto sha = FileSha256(options.policy_file);
    auto loaded = sha.ok() ? LoadPolicy(options.policy_file)
                           : absl::StatusOr<v1::Policy>(sha.status());
    if (!loaded.ok()) {
      return absl::Status(
          loaded.status().code(),
          absl::StrCat("bad policy: ", loaded.status().message()));
    }
    policy = std::make_shared<const v1::Policy>(*std::move(loaded));
    reload_sources.policy_sha256 = *sha;
  }
  const UploadLimitOptions& u = options.uploads;
  if (u.max_total < 1 || u.max_per_caller < 1 ||
      u.idle <= absl::ZeroDuration() ||
      u.max_duration <= absl::ZeroDuration() || options.max_threads < 4) {
    return absl::InvalidArgumentError(
        "feeds.max_concurrent_uploads, feeds.max_uploads_per_caller, "
        "feeds.idle_upload_seconds and feeds.max_upload_seconds must be at "
        "least 1, and max_threads at least 4");
  }
  if (ListensOnTcp(options) &&
      (options.tls.cert_file.empty() || options.tls.key_file.empty() ||
       options.tls.ca_file.empty())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "listening on ", options.listen,
        " needs TLS with client certificates: set tls.cert_file, "
        "tls.key_file and tls.ca_file in the config (--tls_cert, --tls_key, "
        "--tls_ca; deploy/certs.sh mints a demonstration set), or serve "
        "local tools only with --listen=off --local_socket=PATH"));
  }
  if (!ListensOnTcp(options) && options.local_socket.empty()) {
    return absl::InvalidArgumentError(
        "nothing to listen on: give listen (TLS) or local_socket");
  }
  std::shared_ptr<grpc::ServerCredentials> tls_credentials;
  if (ListensOnTcp(options)) {
    auto credentials = TlsCredentials(options.tls);
    if (!credentials.ok()) return credentials.status();
    tls_credentials = *std::move(credentials);
  }
  StoreOptions store_options = options.store;
  if (!options.encryption_key_file.empty()) {
    auto key = ReadEncryptionKey(options.encryption_key_file, options.data_dir);
    if (!key.ok()) return key.status();
    store_options.encryption_key = *std::move(key);
  }
  auto store = Store::Open(options.data_dir, store_options);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  auto audit = AuditLog::Open(server->store_.get(), clock);
  if (!audit.ok()) return audit.status();
  server->audit_ = *std::move(audit);
  auto gate = Gatekeeper::Create(
      {options.principals_file, options.local_socket_principal},
      server->audit_.get());
  if (!gate.ok()) {
    return absl::Status(
        gate.status().code(),
        absl::StrCat("bad principals: ", gate.status().message()));
  }
  server->gate_ = *std::move(gate);
  server->access_service_ =
      std::make_unique<AccessServiceImpl>(server->gate_.get());
  const Gatekeeper* g = server->gate_.get();
  server->registry_ = std::make_unique<Registry>(server->store_.get(), clock,
                                                 server->audit_.get());
  server->registry_service_ =
      std::make_unique<RegistryServiceImpl>(g, server->registry_.get());
  server->areas_ = std::make_unique<AreaGuard>(server->registry_.get());
  const AreaGuard* areas = server->areas_.get();
  FeedStoreOptions feed_options = options.feeds;
  if (feed_options.scratch_dir.empty()) {
    feed_options.scratch_dir = options.data_dir + "/staging";
  }
  auto feeds = FeedStore::Create(server->store_.get(), clock, feed_options);
  if (!feeds.ok()) return feeds.status();
  server->feeds_ = *std::move(feeds);
  server->upload_limits_ =
      std::make_unique<UploadLimits>(options.uploads, clock);
  server->flags_ = std::make_unique<FlagStore>(server->store_.get());
  server->cycles_ =
      std::make_unique<CycleRunner>(server->store_.get(), server->flags_.get(),
                                    clock, std::move(policy), options.cycle);
  auto metrics = ServerMetrics::Start(
      options.metrics, MetricsSources{.store = server->store_.get(),
                                      .audit = server->audit_.get(),
                                      .flags = server->flags_.get(),
                                      .feeds = server->feeds_.get(),
                                      .cycles = server->cycles_.get(),
                                      .clock = clock});
  if (!metrics.ok()) return metrics.status();
  server->metrics_ = *std::move(metrics);
  ServerMetrics* m = server->metrics_.get();
  server->feed_service_ = std::make_unique<FeedServiceImpl>(
      g, areas, server->store_.get(), server->feeds_.get(),
      server->flags_.get(), clock, server->upload_limits_.get(), m);
  server->cycle_service_ = std::make_unique<CycleServiceImpl>(
      g, areas, server->store_.get(), server->cycles_.get(),
      server->flags_.get(), clock, m);
  server->samples_ = std::make_unique<SpotSamples>(server->store_.get(), clock,
                                                   server->audit_.get());
  server->review_ = std::make_unique<Review>(server->flags_.get(),
                                             server->audit_.get(), clock);
  server->review_queue_ = std::make_unique<ReviewQueue>(
      server->flags_.get(), server->registry_.get(), server->cycles_.get(),
      server->audit_.get(), clock);
  server->review_service_ = std::make_unique<ReviewServiceImpl>(
      g, server->flags_.get(), server->review_queue_.get(),
      server->review_.get());
  server->audit_service_ =
      std::make_unique<AuditServiceImpl>(g, areas, server->audit_.get(), m);
  server->recommender_ = std::make_unique<Recommender>(
      server->store_.get(), server->flags_.get(), server->registry_.get(),
      server->cycles_.get(), server->audit_.get(), clock);
  server->recommendation_service_ = std::make_unique<RecommendationServiceImpl>(
      g, server->recommender_.get(), clock);
  server->report_service_ = std::make_unique<ReportServiceImpl>(
      g, areas, server->store_.get(), server->registry_.get(),
      server->samples_.get(), server->recommender_.get(), server->cycles_.get(),
      server->feeds_.get(), server->flags_.get(), clock);
  server->reloader_ = std::make_unique<Reloader>(
      std::move(reload_sources), server->gate_.get(), server->cycles_.get(),
      server->feeds_.get(), server->audit_.get());
  BackupOptions backup_options = options.backup;
  if (backup_options.dir.empty()) {
    // Beside the data directory: "var/data" -> "var/backups".
    std::filesystem::path data =
        std::filesystem::path(options.data_dir).lexically_normal();
    if (data.filename().empty()) data = data.parent_path();  // "var/data/"
    backup_options.dir = (data.parent_path() / "backups").string();
  }
  auto backups = StoreBackups::Open(server->store_.get(), server->audit_.get(),
                                    clock, backup_options);
  if (!backups.ok()) return backups.status();
  server->backups_ = *std::move(backups);
  server->admin_service_ = std::make_unique<AdminServiceImpl>(
      g, server->reloader_.get(), server->backups_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (ListensOnTcp(options)) {
    builder.AddListeningPort(options.listen, tls_credentials, &server->port_);
  }
  if (!options.local_socket.empty()) {
    // Plaintext on a socket file only the server's user (and, with
    // local_socket_group, its group) can open: the file's permissions are
    // the proof. A stale socket of an earlier run is replaced.
    std::error_code ec;
    std::filesystem::remove(options.local_socket, ec);
    builder.AddListeningPort("unix:" + options.local_socket,
                             grpc::InsecureServerCredentials());
  }
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // Without a quota every waiting stream gets a thread of its own (1,000
  // streams made 1,027 threads).
  grpc::ResourceQuota quota("dibao-server");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<MalformedRequestsFactory>());
  interceptors.push_back(server->metrics_->NewInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(server->access_service_.get());
  builder.RegisterService(server->registry_service_.get());
  builder.RegisterService(server->feed_service_.get());
  builder.RegisterService(server->cycle_service_.get());
  builder.RegisterService(server->report_service_.get());
  builder.RegisterService(server->review_service_.get());
  builder.RegisterService(server->audit_service_.get());
  builder.RegisterService(server->recommendation_service_.get());
  builder.RegisterService(server->admin_service_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (!server->grpc_server_ || (ListensOnTcp(options) && server->port_ == 0)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ",
        ListensOnTcp(options) ? options.listen : "unix:" + options.local_socket,
        " (address in use or not available?)"));
  }
  if (!options.local_socket.empty()) {
    // The server's umask already makes it 0600; 0660 is a choice.
    const mode_t mode = options.local_socket_group ? 0660 : 0600;
    if (::chmod(options.local_socket.c_str(), mode) != 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot set the permissions of ", options.local_socket,
                       ": ", std::strerror(errno)));
    }
  }
  if (!options.console.listen.empty()) {
    // The console calls the services through the server's in-process
    // channel: the same path, checks and status codes as a gRPC client.
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
    ConsoleOptions console_options = options.console;
    console_options.in_process_token = server->gate_->in_process_token();
    auto console = ConsoleServer::Start(
        console_options, server->grpc_server_->InProcessChannel(args),
        server->audit_.get(), clock);
    if (console.ok()) {
      server->console_ = *std::move(console);
    } else if (options.console.optional &&
               (absl::IsUnavailable(console.status()) ||
                absl::IsNotFound(console.status()))) {
      LogEvent(LogLevel::kWarning, "console", "not_started", {},
               absl::StrCat("no web console: ", console.status().message(),
                            " (give --console_listen to insist, or \"off\")"));
    } else {
      return console.status();
    }
  }
  server->disk_watch_ = std::thread([s = server.get()] { s->WatchDisk(); });
  return server;
}

void Server::WatchDisk() {
  grpc::HealthCheckServiceInterface* health =
      grpc_server_->GetHealthCheckService();
  bool serving = true;
  absl::MutexLock lock(&disk_mu_);
  while (!disk_mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                                    options_.disk_check_interval)) {
    std::string why = store_->write_failure();
    if (!why.empty()) {
      // RocksDB refuses writes after one the disk refused; try one.
      if (store_->ProbeWritable().ok()) why.clear();
    }
    if (why.empty()) {
      absl::StatusOr<int64_t> free = store_->FreeBytes();
      if (free.ok() && *free < options_.min_free_bytes) {
        why = absl::StrCat("the disk of data directory ", options_.data_dir,
                           " has ", *free >> 20, " MiB free, below ",
                           options_.min_free_bytes >> 20,
                           " MiB (store.min_free_mb)");
      }
    }
    metrics_->SetServing(why.empty());
    if (why.empty() != serving) {
      serving = why.empty();
      if (health != nullptr) health->SetServingStatus(serving);
      if (serving) {
        LogEvent(LogLevel::kInfo, "server", "writable", {{"health", "SERVING"}},
                 "writes work again: health SERVING");
      } else {
        LogEvent(LogLevel::kError, "server", "not_writable",
                 {{"health", "NOT_SERVING"}},
                 absl::StrCat("health NOT_SERVING: ", why,
                              "; reads go on, writes are refused until space "
                              "is freed"));
      }
    }
  }
}

std::string Server::local_address() const {
  return options_.local_socket.empty() ? "" : "unix:" + options_.local_socket;
}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return grpc_server_->InProcessChannel(args);
}

std::string Server::address() const {
  if (!ListensOnTcp(options_)) return "";
  // Keep the host as configured; report the port actually bound.
  const std::size_t colon = options_.listen.rfind(':');
  return absl::StrCat(options_.listen.substr(0, colon), ":", port_);
}

absl::Status Server::Shutdown(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  {
    absl::MutexLock lock(&disk_mu_);
    stopping_ = true;
  }
  if (disk_watch_.joinable()) disk_watch_.join();
  // The console and the gRPC server drain side by side: the stop takes the
  // longer of the two, not their sum. An idle console connection holds it
  // for at most the console's 1 s keep-alive; idle gRPC clients are sent
  // away at once and in-flight calls get `grace`.
  std::thread console_stop;
  if (console_) console_stop = std::thread([this] { console_->Stop(); });
  if (grpc_server_) {
    grpc_server_->Shutdown(std::chrono::system_clock::now() +
                           absl::ToChronoMilliseconds(grace));
    grpc_server_->Wait();
  }
  if (console_stop.joinable()) console_stop.join();
  // Its watch reads the store: stopped before the store closes.
  metrics_.reset();
  return store_ ? store_->Close() : absl::OkStatus();
}

Server::~Server() { Shutdown(absl::Seconds(5)).IgnoreError(); }

}  // namespace dibao
