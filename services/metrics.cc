#include "services/metrics.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/log.h"
#include "base/process_stats.h"
#include "base/version.h"
#include "feeds/feed_store.h"
#include "formats/cells.h"
#include "formats/feed_kinds.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "storage/audit_log.h"
#include "storage/store.h"

namespace dibao {
namespace {

using google::protobuf::util::TimeUtil;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// From a millisecond to ten minutes: a lookup, an upload, a full cycle.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
      2.5,   5,     10,   30,    60,   120, 300,  600};
  return *b;
}

// Receipts read at start for the last batch of each kind: a few months of
// nightly batches of every kind.
constexpr int kLastBatchesRead = 5000;

double Seconds(absl::Time t) {
  return absl::ToDoubleSeconds(t - absl::UnixEpoch());
}

const char* KindName(v1::FeedKind kind) {
  const FeedKindSpec* spec = FindFeedKind(kind);
  return spec == nullptr ? "unknown" : spec->name.c_str();
}

// "open", "auto_resolved", ...: the enum's own names, as AgencyName does.
std::string StateLabel(v1::FlagState state) {
  return absl::AsciiStrToLower(
      EnumShortName(v1::FlagState_descriptor(), state));
}

const char* CallType(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return "unary";
    case Type::CLIENT_STREAMING:
      return "client_stream";
    case Type::SERVER_STREAMING:
      return "server_stream";
    default:
      return "bidi_stream";
  }
}

// The grpc::StatusCode's name, as gRPC's own metrics spell it.
const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void AddGauge(MetricFamily& f, double value,
              std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

void AddCounter(MetricFamily& f, double value) {
  ClientMetric m;
  m.counter.value = value;
  f.metric.push_back(std::move(m));
}

}  // namespace

// The values read at scrape time: the store's and the process's own, the
// counts the watch thread keeps.
class ServerMetrics::State : public prometheus::Collectable {
 public:
  explicit State(const MetricsSources& sources) : sources_(sources) {}

  struct FlagCounts {
    std::map<std::pair<std::string, std::string>, int64_t> by_rule_state;
    int64_t waiting = 0;
    double oldest_waiting_days = 0;
    absl::Time counted_at = absl::InfinitePast();
  };

  void SetFlagCounts(FlagCounts counts) {
    absl::MutexLock lock(&mu_);
    flags_ = std::move(counts);
  }
  void SetServing(bool serving) {
    absl::MutexLock lock(&mu_);
    serving_ = serving;
  }

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    CollectStore(out);
    CollectProcess(out);
    absl::MutexLock lock(&mu_);
    MetricFamily serving =
        Family("dibao_health_serving",
               "1 while the server's health is SERVING; 0 while writes fail "
               "or the disk is below store.min_free_mb",
               MetricType::Gauge);
    AddGauge(serving, serving_ ? 1 : 0);
    out.push_back(std::move(serving));
    if (sources_.audit != nullptr) {
      MetricFamily chain =
          Family("dibao_audit_chain_entries", "Entries on the audit chain",
                 MetricType::Gauge);
      AddGauge(chain, static_cast<double>(sources_.audit->head_seq()));
      out.push_back(std::move(chain));
    }
    if (flags_.counted_at != absl::InfinitePast()) {
      MetricFamily by_state =
          Family("dibao_flags", "Flags by rule and state, as last counted",
                 MetricType::Gauge);
      for (const auto& [key, n] : flags_.by_rule_state) {
        AddGauge(by_state, static_cast<double>(n),
                 {{"rule", key.first}, {"state", key.second}});
      }
      out.push_back(std::move(by_state));
      MetricFamily waiting =
          Family("dibao_review_queue_waiting_flags",
                 "Flags waiting for a caseworker (OPEN or NEEDS_VISIT)",
                 MetricType::Gauge);
      AddGauge(waiting, static_cast<double>(flags_.waiting));
      out.push_back(std::move(waiting));
      MetricFamily oldest = Family(
          "dibao_review_queue_oldest_waiting_seconds",
          "Since the day the oldest waiting flag was first seen (0: none)",
          MetricType::Gauge);
      AddGauge(oldest, flags_.oldest_waiting_days * 86400.0);
      out.push_back(std::move(oldest));
      MetricFamily counted =
          Family("dibao_flags_counted_timestamp_seconds",
                 "When the flag counts were last taken (Unix time)",
                 MetricType::Gauge);
      AddGauge(counted, Seconds(flags_.counted_at));
      out.push_back(std::move(counted));
    }
    return out;
  }

 private:
  void CollectStore(std::vector<MetricFamily>& out) const {
    if (sources_.store == nullptr) return;
    rocksdb::DB* db = sources_.store->db();
    struct Property {
      const char* property;
      const char* name;
      const char* help;
    };
    static const Property kProperties[] = {
        {"rocksdb.estimate-live-data-size", "dibao_store_live_data_bytes",
         "Estimated bytes of live data in the store"},
        {"rocksdb.cur-size-all-mem-tables", "dibao_store_memtable_bytes",
         "Bytes of the store's memtables (written, not yet flushed to SST)"},
        {"rocksdb.total-sst-files-size", "dibao_store_sst_files_bytes",
         "Bytes of all SST files of the store, obsolete ones included"},
        {"rocksdb.estimate-pending-compaction-bytes",
         "dibao_store_pending_compaction_bytes",
         "Bytes RocksDB estimates compaction must rewrite to settle"},
        {"rocksdb.num-running-compactions", "dibao_store_running_compactions",
         "Compactions running now"},
        {"rocksdb.is-write-stopped", "dibao_store_write_stopped",
         "1 while RocksDB stops writes (too many L0 files or memtables)"},
        {"rocksdb.actual-delayed-write-rate",
         "dibao_store_delayed_write_rate_bytes",
         "The write rate RocksDB slows writes to (0: not slowed)"},
    };
    for (const Property& p : kProperties) {
      uint64_t value = 0;
      if (!db->GetAggregatedIntProperty(p.property, &value)) continue;
      MetricFamily f = Family(p.name, p.help, MetricType::Gauge);
      AddGauge(f, static_cast<double>(value));
      out.push_back(std::move(f));
    }
    // Stalls since the store opened, over every column family.
    double stalls = 0;
    for (int cf = 0; cf < kCfCount; ++cf) {
      std::map<std::string, std::string> stats;
      if (!db->GetMapProperty(sources_.store->handle(static_cast<Cf>(cf)),
                              "rocksdb.cfstats", &stats)) {
        continue;
      }
      for (const char* key :
           {"io_stalls.total_stop", "io_stalls.total_slowdown"}) {
        auto it = stats.find(key);
        if (it != stats.end())
          stalls += std::strtod(it->second.c_str(), nullptr);
      }
    }
    MetricFamily stall_family =
        Family("dibao_store_write_stalls_total",
               "Writes RocksDB stopped or slowed since the store opened",
               MetricType::Counter);
    AddCounter(stall_family, stalls);
    out.push_back(std::move(stall_family));
    absl::StatusOr<int64_t> free = sources_.store->FreeBytes();
    if (free.ok()) {
      MetricFamily f =
          Family("dibao_store_disk_free_bytes",
                 "Free bytes on the data directory's disk", MetricType::Gauge);
      AddGauge(f, static_cast<double>(*free));
      out.push_back(std::move(f));
    }
  }

  static void CollectProcess(std::vector<MetricFamily>& out) {
    absl::StatusOr<ProcessStats> stats = ReadProcessStats();
    if (!stats.ok()) return;
    // The names every Prometheus client library uses for these.
    MetricFamily rss =
        Family("process_resident_memory_bytes", "Resident memory size in bytes",
               MetricType::Gauge);
    AddGauge(rss, static_cast<double>(stats->resident_bytes));
    out.push_back(std::move(rss));
    MetricFamily vm = Family("process_virtual_memory_bytes",
                             "Virtual memory size in bytes", MetricType::Gauge);
    AddGauge(vm, static_cast<double>(stats->virtual_bytes));
    out.push_back(std::move(vm));
    MetricFamily cpu = Family("process_cpu_seconds_total",
                              "User and system CPU time spent in seconds",
                              MetricType::Counter);
    AddCounter(cpu, stats->cpu_seconds);
    out.push_back(std::move(cpu));
    MetricFamily fds =
        Family("process_open_fds", "Number of open file descriptors",
               MetricType::Gauge);
    AddGauge(fds, static_cast<double>(stats->open_fds));
    out.push_back(std::move(fds));
    MetricFamily max_fds =
        Family("process_max_fds", "Maximum number of open file descriptors",
               MetricType::Gauge);
    AddGauge(max_fds, static_cast<double>(stats->max_fds));
    out.push_back(std::move(max_fds));
    MetricFamily threads =
        Family("process_threads", "Number of OS threads", MetricType::Gauge);
    AddGauge(threads, static_cast<double>(stats->threads));
    out.push_back(std::move(threads));
    MetricFamily start =
        Family("process_start_time_seconds",
               "Start time of the process since unix epoch in seconds",
               MetricType::Gauge);
    AddGauge(start, stats->start_time_seconds);
    out.push_back(std::move(start));
  }

  const MetricsSources sources_;
  mutable absl::Mutex mu_;
  FlagCounts flags_ ABSL_GUARDED_BY(mu_);
  bool serving_ ABSL_GUARDED_BY(mu_) = true;
};

// One interceptor per call: its method's counters are looked up once per
// method name, then the call costs a clock read and two atomic adds.
class ServerMetrics::Interceptors
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // Keeps the registry alive as long as gRPC keeps the factory.
  explicit Interceptors(std::shared_ptr<prometheus::Registry> owner)
      : owner_(std::move(owner)),
        handled_(prometheus::BuildCounter()
                     .Name("dibao_grpc_server_handled_total")
                     .Help("RPCs finished on the server, by method and code")
                     .Register(*owner_)),
        seconds_(prometheus::BuildHistogram()
                     .Name("dibao_grpc_server_handling_seconds")
                     .Help("Time from an RPC's start to its status, by method "
                           "(a stream: its whole length)")
                     .Register(*owner_)),
        in_flight_(prometheus::BuildGauge()
                       .Name("dibao_grpc_server_in_flight")
                       .Help("RPCs being served now (open streams included), "
                             "by type")
                       .Register(*owner_)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    Method* m = Find(info->method());
    return new Call(this, m,
                    &in_flight_.Add({{"grpc_type", CallType(info->type())}}));
  }

 private:
  struct Method {
    std::string service;
    std::string method;
    prometheus::Histogram* seconds;
    absl::Mutex mu;
    absl::flat_hash_map<int, prometheus::Counter*> by_code ABSL_GUARDED_BY(mu);
  };

  class Call : public grpc::experimental::Interceptor {
   public:
    Call(Interceptors* owner, Method* method, prometheus::Gauge* in_flight)
        : owner_(owner),
          method_(method),
          in_flight_(in_flight),
          start_(absl::Now()) {
      in_flight_->Increment();
    }
    ~Call() override {
      // A call the client abandoned sends no status of ours.
      if (!counted_)
        owner_->Count(method_, grpc::StatusCode::CANCELLED, start_);
      in_flight_->Decrement();
    }
    void Intercept(
        grpc::experimental::InterceptorBatchMethods* methods) override {
      if (methods->QueryInterceptionHookPoint(
              grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
        owner_->Count(method_, methods->GetSendStatus().error_code(), start_);
        counted_ = true;
      }
      methods->Proceed();
    }

   private:
    Interceptors* const owner_;
    Method* const method_;
    prometheus::Gauge* const in_flight_;
    const absl::Time start_;
    bool counted_ = false;
  };

  void Count(Method* m, grpc::StatusCode code, absl::Time start) {
    m->seconds->Observe(absl::ToDoubleSeconds(absl::Now() - start));
    prometheus::Counter* counter;
    {
      absl::MutexLock lock(&m->mu);
      prometheus::Counter*& c = m->by_code[static_cast<int>(code)];
      if (c == nullptr) {
        c = &handled_.Add({{"grpc_service", m->service},
                           {"grpc_method", m->method},
                           {"grpc_code", CodeName(code)}});
      }
      counter = c;
    }
    counter->Increment();
  }

  // Only methods the server's schema knows get labels of their own: a
  // client sending made-up method names must not grow the label set.
  Method* Find(const char* path) {
    absl::MutexLock lock(&mu_);
    auto it = methods_.find(path);
    if (it != methods_.end()) return it->second.get();
    std::vector<std::string> parts =
        absl::StrSplit(absl::string_view(path).substr(1), '/');
    const bool known =
        parts.size() == 2 &&
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrCat(parts[0], ".", parts[1])) != nullptr;
    // Unknown names share one entry and are not remembered one by one.
    if (!known) parts = {"unknown", "unknown"};
    std::unique_ptr<Method>& m =
        methods_[known ? std::string(path) : "/unknown/unknown"];
    if (m == nullptr) {
      m = std::make_unique<Method>();
      m->service = parts[0];
      m->method = parts[1];
      m->seconds = &seconds_.Add(
          {{"grpc_service", m->service}, {"grpc_method", m->method}},
          LatencyBuckets());
    }
    return m.get();
  }

  const std::shared_ptr<prometheus::Registry> owner_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_
      ABSL_GUARDED_BY(mu_);
};

// The families counted as things happen.
struct ServerMetrics::Events {
  explicit Events(prometheus::Registry& r)
      : batches(prometheus::BuildCounter()
                    .Name("dibao_feed_batches_total")
                    .Help("Feed uploads by agency, kind and result "
                          "(committed, replayed, refused)")
                    .Register(r)),
        records(prometheus::BuildCounter()
                    .Name("dibao_feed_records_total")
                    .Help("Records of committed batches by agency, kind and "
                          "outcome (accepted, unchanged, withdrawn, rejected)")
                    .Register(r)),
        retired(prometheus::BuildCounter()
                    .Name("dibao_feed_facts_retired_total")
                    .Help("Facts SNAPSHOT batches ended because they no "
                          "longer held them, by agency and kind")
                    .Register(r)),
        last_batch(prometheus::BuildGauge()
                       .Name("dibao_feed_last_batch_timestamp_seconds")
                       .Help("When the last batch of the kind was committed "
                             "(Unix time), by agency and kind")
                       .Register(r)),
        cycles(prometheus::BuildCounter()
                   .Name("dibao_cycle_runs_total")
                   .Help("Matching cycles by result (ok, failed)")
                   .Register(r)),
        cycle_seconds(prometheus::BuildHistogram()
                          .Name("dibao_cycle_duration_seconds")
                          .Help("How long the cycles that finished took")
                          .Register(r)
                          .Add({}, LatencyBuckets())),
        last_cycle(prometheus::BuildGauge()
                       .Name("dibao_cycle_last_success_timestamp_seconds")
                       .Help("When the last cycle that finished ended (Unix "
                             "time)")
                       .Register(r)
                       .Add({})),
        last_cycle_seconds(
            prometheus::BuildGauge()
                .Name("dibao_cycle_last_duration_seconds")
                .Help("How long the last cycle that finished took")
                .Register(r)
                .Add({})),
        cycle_households(prometheus::BuildGauge()
                             .Name("dibao_cycle_households")
                             .Help("Households of the last cycle, by outcome "
                                   "(assessed, failed)")
                             .Register(r)),
        cycle_flags(prometheus::BuildCounter()
                        .Name("dibao_cycle_flags_total")
                        .Help("What cycles did to flags, by rule and change "
                              "(new, auto_resolved, reopened)")
                        .Register(r)),
        verifications(prometheus::BuildCounter()
                          .Name("dibao_audit_verifications_total")
                          .Help("Audit chain verifications by result (ok, "
                                "broken, error)")
                          .Register(r)),
        last_verification_ok(
            prometheus::BuildGauge()
                .Name("dibao_audit_last_verification_ok")
                .Help("1 when the last verification found the chain whole, "
                      "0 when it found it broken or could not read it")
                .Register(r)),
        last_verification(
            prometheus::BuildGauge()
                .Name("dibao_audit_last_verification_timestamp_seconds")
                .Help("When the audit chain was last verified (Unix time)")
                .Register(r)) {}

  prometheus::Family<prometheus::Counter>& batches;
  prometheus::Family<prometheus::Counter>& records;
  prometheus::Family<prometheus::Counter>& retired;
  prometheus::Family<prometheus::Gauge>& last_batch;
  prometheus::Family<prometheus::Counter>& cycles;
  prometheus::Histogram& cycle_seconds;
  prometheus::Gauge& last_cycle;
  prometheus::Gauge& last_cycle_seconds;
  prometheus::Family<prometheus::Gauge>& cycle_households;
  prometheus::Family<prometheus::Counter>& cycle_flags;
  prometheus::Family<prometheus::Counter>& verifications;
  prometheus::Family<prometheus::Gauge>& last_verification_ok;
  prometheus::Family<prometheus::Gauge>& last_verification;
};

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Start(
    const MetricsOptions& options, const MetricsSources& sources) {
  auto metrics = std::unique_ptr<ServerMetrics>(new ServerMetrics());
  metrics->options_ = options;
  metrics->sources_ = sources;
  metrics->registry_ = std::make_shared<prometheus::Registry>();
  metrics->state_ = std::make_shared<State>(sources);
  metrics->interceptors_ = std::make_shared<Interceptors>(metrics->registry_);
  metrics->events_ = std::make_unique<Events>(*metrics->registry_);
  prometheus::BuildGauge()
      .Name("dibao_build_info")
      .Help("The running build: 1, labelled with its version and commit")
      .Register(*metrics->registry_)
      .Add({{"version", std::string(ProjectVersion())},
            {"commit", std::string(BuildCommit())}})
      .Set(1);
  metrics->LoadLast();
  if (!options.listen.empty() && options.listen != "off") {
    try {
      metrics->exposer_ =
          std::make_unique<prometheus::Exposer>(options.listen, 2);
    } catch (const std::exception& e) {
      if (options.optional) {
        LogEvent(
            LogLevel::kWarning, "metrics", "not_listening",
            {{"listen", options.listen}},
            absl::StrCat("no metrics: cannot listen on ", options.listen, " (",
                         e.what(), "); set --metrics_listen to serve them"));
        metrics->exposer_.reset();
      } else {
        return absl::UnavailableError(absl::StrCat(
            "cannot serve metrics on ", options.listen, ": ", e.what(),
            " (address in use or not available? metrics.listen \"off\" turns "
            "the listener off)"));
      }
    }
    if (metrics->exposer_ != nullptr) {
      metrics->exposer_->RegisterCollectable(metrics->registry_);
      metrics->exposer_->RegisterCollectable(metrics->state_);
      std::vector<int> ports = metrics->exposer_->GetListeningPorts();
      metrics->port_ = ports.empty() ? 0 : ports.front();
    }
  }
  metrics->watch_ = std::thread([m = metrics.get()] { m->Watch(); });
  return metrics;
}

ServerMetrics::~ServerMetrics() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (watch_.joinable()) watch_.join();
  exposer_.reset();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
ServerMetrics::NewInterceptorFactory() {
  // gRPC owns the factory it is given; the calls' counters live on here.
  class Forward : public grpc::experimental::ServerInterceptorFactoryInterface {
   public:
    explicit Forward(std::shared_ptr<Interceptors> to) : to_(std::move(to)) {}
    grpc::experimental::Interceptor* CreateServerInterceptor(
        grpc::experimental::ServerRpcInfo* info) override {
      return to_->CreateServerInterceptor(info);
    }

   private:
    std::shared_ptr<Interceptors> to_;
  };
  return std::make_unique<Forward>(interceptors_);
}

void ServerMetrics::BatchCommitted(const v1::BatchHeader& header,
                                   const v1::Receipt& receipt) {
  const std::string agency = AgencyName(header.agency());
  const std::string kind = KindName(header.kind());
  events_->batches
      .Add({{"agency", agency},
            {"kind", kind},
            {"result", receipt.replayed() ? "replayed" : "committed"}})
      .Increment();
  if (receipt.replayed()) return;
  const std::pair<const char*, int64_t> outcomes[] = {
      {"accepted", receipt.accepted()},
      {"unchanged", receipt.unchanged()},
      {"withdrawn", receipt.withdrawn()},
      {"rejected", receipt.rejected()}};
  for (const auto& [outcome, n] : outcomes) {
    events_->records
        .Add({{"agency", agency}, {"kind", kind}, {"outcome", outcome}})
        .Increment(static_cast<double>(n));
  }
  events_->retired.Add({{"agency", agency}, {"kind", kind}})
      .Increment(static_cast<double>(receipt.retired()));
  events_->last_batch.Add({{"agency", agency}, {"kind", kind}})
      .Set(static_cast<double>(receipt.committed_at().seconds()));
}

void ServerMetrics::BatchRefused(v1::Agency agency, v1::FeedKind kind) {
  events_->batches
      .Add({{"agency", AgencyName(agency)},
            {"kind", KindName(kind)},
            {"result", "refused"}})
      .Increment();
}

void ServerMetrics::CycleFinished(const v1::CycleReport& report) {
  events_->cycles.Add({{"result", "ok"}}).Increment();
  RecountFlags();
  events_->cycle_seconds.Observe(
      TimeUtil::DurationToMilliseconds(report.duration()) / 1000.0);
  events_->last_cycle.Set(
      static_cast<double>((report.started_at().seconds() +
                           TimeUtil::DurationToSeconds(report.duration()))));
  events_->last_cycle_seconds.Set(
      TimeUtil::DurationToMilliseconds(report.duration()) / 1000.0);
  events_->cycle_households.Add({{"outcome", "assessed"}})
      .Set(static_cast<double>(report.households_assessed()));
  events_->cycle_households.Add({{"outcome", "failed"}})
      .Set(static_cast<double>(report.households_failed()));
  for (const auto& r : report.rules()) {
    const std::pair<const char*, int64_t> changes[] = {
        {"new", r.new_flags()},
        {"auto_resolved", r.auto_resolved()},
        {"reopened", r.reopened()}};
    for (const auto& [change, n] : changes) {
      events_->cycle_flags.Add({{"rule", r.rule()}, {"change", change}})
          .Increment(static_cast<double>(n));
    }
  }
}

void ServerMetrics::CycleFailed() {
  events_->cycles.Add({{"result", "failed"}}).Increment();
}

void ServerMetrics::AuditVerified(
    const absl::StatusOr<v1::AuditVerification>& result, absl::Time at) {
  const char* outcome = !result.ok() ? "error" : result->ok() ? "ok" : "broken";
  events_->verifications.Add({{"result", outcome}}).Increment();
  events_->last_verification_ok.Add({}).Set(result.ok() && result->ok() ? 1
                                                                        : 0);
  events_->last_verification.Add({}).Set(Seconds(at));
}

void ServerMetrics::SetServing(bool serving) { state_->SetServing(serving); }

std::string ServerMetrics::Scrape() const {
  std::vector<MetricFamily> families = registry_->Collect();
  for (MetricFamily& f : state_->Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

void ServerMetrics::LoadLast() {
  if (sources_.feeds != nullptr) {
    // A kind that never arrived gets no series: nothing to alert on.
    std::map<std::pair<std::string, std::string>, int64_t> last;
    absl::StatusOr<std::vector<v1::Receipt>> receipts =
        sources_.feeds->ListBatches(v1::AGENCY_UNSPECIFIED, kLastBatchesRead);
    if (!receipts.ok()) {
      LogEvent(LogLevel::kWarning, "metrics", "last_batches_unread", {},
               absl::StrCat("cannot read the last batches for the metrics: ",
                            receipts.status().message()));
      receipts = std::vector<v1::Receipt>();
    }
    for (const v1::Receipt& r : *receipts) {
      auto& t =
          last[{AgencyName(r.header().agency()), KindName(r.header().kind())}];
      t = std::max<int64_t>(t, r.committed_at().seconds());
    }
    for (const auto& [key, t] : last) {
      events_->last_batch.Add({{"agency", key.first}, {"kind", key.second}})
          .Set(static_cast<double>(t));
    }
  }
  if (sources_.cycles != nullptr) {
    absl::StatusOr<std::vector<v1::CycleReport>> cycles =
        sources_.cycles->List(1);
    if (cycles.ok() && !cycles->empty()) {
      const v1::CycleReport& c = cycles->front();
      events_->last_cycle.Set(
          static_cast<double>(c.started_at().seconds() +
                              TimeUtil::DurationToSeconds(c.duration())));
      events_->last_cycle_seconds.Set(
          TimeUtil::DurationToMilliseconds(c.duration()) / 1000.0);
    }
  }
}

void ServerMetrics::RecountFlags() {
  absl::MutexLock lock(&mu_);
  recount_ = true;
}

void ServerMetrics::Watch() {
  absl::Time next_count = absl::Now();
  absl::Time next_verify = absl::Now();
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || recount_;
  };
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = absl::Now();
    if (now >= next_count || recount_) {
      recount_ = false;
      mu_.Unlock();
      CountFlags();
      mu_.Lock();
      next_count = absl::Now() + options_.flag_count_interval;
    }
    if (options_.audit_verify_interval > absl::ZeroDuration() &&
        now >= next_verify && !stopping_) {
      mu_.Unlock();
      VerifyAudit();
      mu_.Lock();
      next_verify = absl::Now() + options_.audit_verify_interval;
    }
    absl::Time wake = next_count;
    if (options_.audit_verify_interval > absl::ZeroDuration()) {
      wake = std::min(wake, next_verify);
    }
    mu_.AwaitWithDeadline(absl::Condition(&woken), wake);
  }
}

void ServerMetrics::CountFlags() {
  if (sources_.flags == nullptr) return;
  State::FlagCounts counts;
  const absl::CivilDay today =
      sources_.clock != nullptr
          ? sources_.clock->Today()
          : absl::ToCivilDay(absl::Now(), BureauTimeZone());
  std::optional<absl::CivilDay> oldest;
  absl::Status s = sources_.flags->ForEach(
      FlagFilter{}, [&](const v1::Flag& flag) -> absl::Status {
        ++counts
              .by_rule_state[{flag.finding().rule(), StateLabel(flag.state())}];
        if (flag.state() == v1::FLAG_STATE_OPEN ||
            flag.state() == v1::FLAG_STATE_NEEDS_VISIT) {
          ++counts.waiting;
          absl::StatusOr<absl::CivilDay> seen = FromProto(flag.first_seen());
          if (seen.ok() && (!oldest || *seen < *oldest)) oldest = *seen;
        }
        return absl::OkStatus();
      });
  if (!s.ok()) {
    LogEvent(LogLevel::kWarning, "metrics", "flag_count_failed", {},
             absl::StrCat("cannot count the flags: ", s.message()));
    return;
  }
  counts.oldest_waiting_days =
      oldest ? static_cast<double>(std::max<int64_t>(0, today - *oldest)) : 0;
  counts.counted_at = absl::Now();
  state_->SetFlagCounts(std::move(counts));
}

void ServerMetrics::VerifyAudit() {
  if (sources_.audit == nullptr) return;
  const absl::Time started = absl::Now();
  absl::StatusOr<v1::AuditVerification> result = sources_.audit->Verify();
  AuditVerified(result, absl::Now());
  if (!result.ok()) {
    LogEvent(LogLevel::kError, "audit", "verify_failed", {},
             absl::StrCat("the audit chain could not be verified: ",
                          result.status().message()));
  } else if (!result->ok()) {
    LogEvent(LogLevel::kError, "audit", "chain_broken",
             {{"first_broken_seq", result->first_broken_seq()},
              {"entries", result->entries()}},
             absl::StrCat("the audit chain is broken at entry ",
                          result->first_broken_seq(), ": ", result->problem()));
  } else {
    LogEvent(LogLevel::kInfo, "audit", "chain_verified",
             {{"entries", result->entries()},
              {"seconds", absl::ToDoubleSeconds(absl::Now() - started)}},
             absl::StrCat("the audit chain verifies: ", result->entries(),
                          " entries"));
  }
}

}  // namespace dibao
