// The server's Prometheus metrics (docs/operating.md#metrics): what an
// operator's alerts need to see that a feed did not arrive, a cycle failed
// or slowed down, the queue grows, the disk fills or the audit chain broke.
//
// Events are counted as they happen (calls, batches, cycles, verifications);
// the state of the store, the chain, the flags and the process is read when
// Prometheus scrapes, from values a watcher thread refreshes, so a scrape
// never scans the store. No label carries personal data: methods, agencies,
// kinds, rules, states and outcomes only.
#ifndef DIBAO_SERVICES_METRICS_H_
#define DIBAO_SERVICES_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dibao/v1/audit.pb.h"
#include "dibao/v1/feeds.pb.h"
#include "dibao/v1/matching.pb.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace dibao {

class AuditLog;
class Clock;
class CycleRunner;
class FeedStore;
class FlagStore;
class Store;

struct MetricsOptions {
  // host:port of the /metrics listener; port 0 picks a free one (port());
  // "" or "off": none (the metrics are still kept). dibao-server's flag
  // defaults to 127.0.0.1:9464.
  std::string listen;
  // The default address: when it is taken the server starts without the
  // listener and says so, as it does for the console.
  bool optional = false;
  // Flags and queue recounted this often.
  absl::Duration flag_count_interval = absl::Seconds(60);
  // The audit chain verified this often, the first time right after the
  // start; zero: only when someone asks.
  absl::Duration audit_verify_interval = absl::Hours(24);
};

// What the scrape-time gauges read. Each must outlive the metrics.
struct MetricsSources {
  Store* store = nullptr;
  AuditLog* audit = nullptr;
  FlagStore* flags = nullptr;
  FeedStore* feeds = nullptr;
  CycleRunner* cycles = nullptr;
  // The bureau's day, for the queue's ages.
  Clock* clock = nullptr;
};

class ServerMetrics {
 public:
  // Starts the listener and the flag counter. UNAVAILABLE naming the
  // address when it cannot listen.
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Start(
      const MetricsOptions& options, const MetricsSources& sources);
  ~ServerMetrics();

  // The listener's port (0 without one).
  int port() const { return port_; }

  // Calls by method and code, their latency and the calls in flight.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  // A batch committed (or replayed: counted as a batch, not its records).
  void BatchCommitted(const v1::BatchHeader& header,
                      const v1::Receipt& receipt);
  // An upload that got past its header but stored nothing.
  void BatchRefused(v1::Agency agency, v1::FeedKind kind);
  void CycleFinished(const v1::CycleReport& report);
  void CycleFailed();
  // A verification's result (or why it could not be done), whoever asked.
  void AuditVerified(const absl::StatusOr<v1::AuditVerification>& result,
                     absl::Time at);
  // The health the disk watch gives (SERVING or not).
  void SetServing(bool serving);
  // Recounts the flags now rather than at the next interval (a cycle just
  // changed them); returns at once.
  void RecountFlags();

  // The exposition text a scrape gets (tests; the listener serves the same).
  std::string Scrape() const;
  // Counts the flags now, in the caller's thread (benchmarks, tests).
  void CountFlags();

 private:
  class State;
  class Interceptors;
  struct Events;
  ServerMetrics() = default;
  // The last batch of every kind and the last cycle, from the store: a
  // restart must not look like a feed that stopped arriving.
  void LoadLast();
  // The watch thread: recounts flags, verifies the audit chain.
  void Watch();
  void VerifyAudit();

  MetricsOptions options_;
  MetricsSources sources_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<State> state_;
  std::shared_ptr<Interceptors> interceptors_;
  std::unique_ptr<Events> events_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool recount_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watch_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_METRICS_H_
