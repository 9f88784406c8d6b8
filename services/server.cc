#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "base/text_proto.h"
#include "matcher/policy.h"

namespace dibao {

ServerOptions FromConfig(const v1::ServerConfig& config) {
  ServerOptions o;
  if (!config.listen().empty()) o.listen = config.listen();
  if (!config.data_dir().empty()) o.data_dir = config.data_dir();
  if (config.max_message_bytes() > 0) {
    o.max_message_bytes = config.max_message_bytes();
  }
  const v1::StoreConfig& s = config.store();
  if (s.has_sync_writes()) o.store.sync_writes = s.sync_writes();
  if (s.has_block_cache_mb()) o.store.block_cache_mb = s.block_cache_mb();
  if (s.has_write_buffer_mb()) o.store.write_buffer_mb = s.write_buffer_mb();
  if (s.has_max_open_files()) o.store.max_open_files = s.max_open_files();
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
  o.policy_file = config.policy_file();
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

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, Clock* clock) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  std::shared_ptr<const v1::Policy> policy;
  if (!options.policy_file.empty()) {
    auto loaded = LoadPolicy(options.policy_file);
    if (!loaded.ok()) {
      return absl::Status(
          loaded.status().code(),
          absl::StrCat("bad policy: ", loaded.status().message()));
    }
    policy = std::make_shared<const v1::Policy>(*std::move(loaded));
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
  auto store = Store::Open(options.data_dir, options.store);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  auto audit = AuditLog::Open(server->store_.get(), clock);
  if (!audit.ok()) return audit.status();
  server->audit_ = *std::move(audit);
  server->registry_ = std::make_unique<Registry>(server->store_.get(), clock,
                                                 server->audit_.get());
  server->registry_service_ =
      std::make_unique<RegistryServiceImpl>(server->registry_.get());
  FeedStoreOptions feed_options = options.feeds;
  if (feed_options.scratch_dir.empty()) {
    feed_options.scratch_dir = options.data_dir + "/staging";
  }
  auto feeds = FeedStore::Create(server->store_.get(), clock, feed_options);
  if (!feeds.ok()) return feeds.status();
  server->feeds_ = *std::move(feeds);
  server->upload_limits_ =
      std::make_unique<UploadLimits>(options.uploads, clock);
  server->feed_service_ = std::make_unique<FeedServiceImpl>(
      server->feeds_.get(), clock, server->upload_limits_.get());
  server->flags_ = std::make_unique<FlagStore>(server->store_.get());
  server->cycles_ =
      std::make_unique<CycleRunner>(server->store_.get(), server->flags_.get(),
                                    clock, std::move(policy), options.cycle);
  server->cycle_service_ = std::make_unique<CycleServiceImpl>(
      server->store_.get(), server->cycles_.get(), server->flags_.get(), clock);
  server->samples_ = std::make_unique<SpotSamples>(server->store_.get(), clock,
                                                   server->audit_.get());
  server->report_service_ = std::make_unique<ReportServiceImpl>(
      server->store_.get(), server->registry_.get(), server->samples_.get(),
      server->cycles_->policy(), clock);
  server->review_ = std::make_unique<Review>(server->flags_.get(),
                                             server->audit_.get(), clock);
  server->review_queue_ = std::make_unique<ReviewQueue>(
      server->flags_.get(), server->registry_.get(), server->cycles_.get(),
      server->audit_.get(), clock);
  server->review_service_ = std::make_unique<ReviewServiceImpl>(
      server->review_queue_.get(), server->review_.get());
  server->audit_service_ =
      std::make_unique<AuditServiceImpl>(server->audit_.get());
  server->recommender_ = std::make_unique<Recommender>(
      server->store_.get(), server->flags_.get(), server->registry_.get(),
      server->cycles_.get(), server->audit_.get(), clock);
  server->recommendation_service_ = std::make_unique<RecommendationServiceImpl>(
      server->recommender_.get(), clock);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Loopback by default; no TLS here. Put a TLS-terminating proxy in front
  // before listening on any other interface.
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // Without a quota every waiting stream gets a thread of its own (1,000
  // streams made 1,027 threads).
  grpc::ResourceQuota quota("dibao-server");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  builder.RegisterService(server->registry_service_.get());
  builder.RegisterService(server->feed_service_.get());
  builder.RegisterService(server->cycle_service_.get());
  builder.RegisterService(server->report_service_.get());
  builder.RegisterService(server->review_service_.get());
  builder.RegisterService(server->audit_service_.get());
  builder.RegisterService(server->recommendation_service_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (!server->grpc_server_ || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use or not available?)"));
  }
  if (!options.console.listen.empty()) {
    // The console calls the services through the server's in-process
    // channel: the same path, checks and status codes as a gRPC client.
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
    auto console = ConsoleServer::Start(
        options.console, server->grpc_server_->InProcessChannel(args),
        server->audit_.get(), clock);
    if (console.ok()) {
      server->console_ = *std::move(console);
    } else if (options.console.optional &&
               (absl::IsUnavailable(console.status()) ||
                absl::IsNotFound(console.status()))) {
      LogWarning("no web console: ", console.status().message(),
                 " (give --console_listen to insist, or \"off\")");
    } else {
      return console.status();
    }
  }
  return server;
}

std::string Server::address() const {
  // Keep the host as configured; report the port actually bound.
  const std::size_t colon = options_.listen.rfind(':');
  return absl::StrCat(options_.listen.substr(0, colon), ":", port_);
}

absl::Status Server::Shutdown(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (console_) console_->Stop();
  if (grpc_server_) {
    grpc_server_->Shutdown(std::chrono::system_clock::now() +
                           absl::ToChronoSeconds(grace));
    grpc_server_->Wait();
  }
  return store_ ? store_->Close() : absl::OkStatus();
}

Server::~Server() { Shutdown(absl::Seconds(5)).IgnoreError(); }

}  // namespace dibao
