#include "services/metrics.h"

#include <signal.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/sample_store.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

int Find(const std::string& log, const char* pattern) {
  std::smatch m;
  if (std::regex_search(log, m, std::regex(pattern))) return std::stoi(m[1]);
  return 0;
}

std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/metrics");
  if (!r || r->status != 200) return "";
  return r->body;
}

// The samples of a scrape: "name{labels}" (as written) -> value.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos ||
        !absl::SimpleAtod(line.substr(space + 1), &value)) {
      continue;
    }
    out[std::string(line.substr(0, space))] = value;
  }
  return out;
}

TEST(MetricsBinaryTest, ANightOnTheScrapeForPrometheusWithoutPersonalData) {
  const std::string dir = testing::NewTempDir("metrics-bin");
  testing::Process p(testing::SecureServerCommand(
      {"--listen=127.0.0.1:0", "--data_dir=" + dir + "/data",
       "--console_listen=off", "--metrics_listen=127.0.0.1:0",
       "--policy=" DIBAO_SOURCE_DIR "/deploy/policy.textproto"}));
  ASSERT_TRUE(p.WaitForStderr("metrics at")) << p.Stderr();
  const int port = Find(p.Stderr(), "listening on 127\\.0\\.0\\.1:(\\d+)");
  const int metrics_port =
      Find(p.Stderr(), "metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");
  ASSERT_NE(metrics_port, 0) << p.Stderr();
  const std::string address = absl::StrCat("127.0.0.1:", port);
  auto ctl = [&](const std::string& who, std::vector<std::string> args) {
    return testing::Run(testing::CtlCommand(address, who, std::move(args)));
  };
  ASSERT_EQ(testing::LoadSampleWithCtl(ctl, dir), "");
  ASSERT_EQ(
      ctl("night-operator", {"cycle", "run", "--as-of=2026-11-01"}).exit_code,
      0);
  EXPECT_EQ(ctl("auditor-1", {"audit", "verify"}).exit_code, 0);
  // Labour's file pushed by another agency: refused, nothing stored.
  std::string employment;
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           dir + "/sample/feeds/labour/employment")) {
    if (e.is_regular_file()) employment = e.path().string();
  }
  ASSERT_FALSE(employment.empty());
  EXPECT_NE(ctl("agency-land",
                {"feed", "push", "--agency=labour", "--kind=employment",
                 "--batch-id=not-mine", "--as-of=2026-11-01", employment})
                .exit_code,
            0);

  // The flags are recounted right after the cycle, in the background.
  std::map<std::string, double> s;
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text = Scrape(metrics_port);
    s = Samples(text);
    if (s.count("dibao_review_queue_waiting_flags")) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_FALSE(text.empty());

  // Feeds: every kind of the sample, its records, its last batch.
  EXPECT_EQ(
      s[R"(dibao_feed_batches_total{agency="labour",kind="employment",result="committed"})"],
      1);
  EXPECT_GT(
      s[R"(dibao_feed_records_total{agency="labour",kind="employment",outcome="accepted"})"],
      100);
  EXPECT_GT(
      s[R"(dibao_feed_last_batch_timestamp_seconds{agency="public_security",kind="hukou"})"],
      absl::ToUnixSeconds(absl::Now()) - 600);
  int kinds = 0;
  for (const auto& [name, value] : s) {
    if (absl::StartsWith(name, "dibao_feed_last_batch_timestamp_seconds{")) {
      ++kinds;
    }
  }
  EXPECT_EQ(kinds, 13);
  // gRPC: the uploads and the refused one by method and code, their time.
  EXPECT_EQ(
      s[R"(dibao_grpc_server_handled_total{grpc_code="OK",grpc_method="RunCycle",grpc_service="dibao.v1.CycleService"})"],
      1);
  EXPECT_GE(
      s[R"(dibao_grpc_server_handled_total{grpc_code="OK",grpc_method="Upload",grpc_service="dibao.v1.FeedService"})"],
      13);
  EXPECT_GE(
      s[R"(dibao_grpc_server_handled_total{grpc_code="PERMISSION_DENIED",grpc_method="Upload",grpc_service="dibao.v1.FeedService"})"],
      1);
  EXPECT_EQ(
      s[R"(dibao_feed_batches_total{agency="labour",kind="employment",result="refused"})"],
      1);
  EXPECT_GE(
      s[R"(dibao_grpc_server_handling_seconds_count{grpc_method="Upload",grpc_service="dibao.v1.FeedService"})"],
      14);
  // The cycle, the flags it raised, the queue.
  EXPECT_EQ(s[R"(dibao_cycle_runs_total{result="ok"})"], 1);
  EXPECT_EQ(s["dibao_cycle_duration_seconds_count"], 1);
  EXPECT_GT(s["dibao_cycle_last_success_timestamp_seconds"], 0);
  EXPECT_GT(s["dibao_cycle_last_duration_seconds"], 0);
  EXPECT_GT(s[R"(dibao_cycle_households{outcome="assessed"})"], 100);
  EXPECT_GT(s[R"(dibao_flags{rule="UNDECLARED_EMPLOYMENT",state="open"})"], 0);
  EXPECT_GT(s["dibao_review_queue_waiting_flags"], 0);
  // The store, the chain (verified at the start and when asked), health.
  EXPECT_GT(s["dibao_store_memtable_bytes"] + s["dibao_store_sst_files_bytes"],
            0);
  EXPECT_TRUE(s.count("dibao_store_pending_compaction_bytes"));
  EXPECT_TRUE(s.count("dibao_store_write_stalls_total"));
  EXPECT_GT(s["dibao_store_disk_free_bytes"], 0);
  EXPECT_GT(s["dibao_audit_chain_entries"], 13);
  EXPECT_GE(s[R"(dibao_audit_verifications_total{result="ok"})"], 2);
  EXPECT_EQ(s["dibao_audit_last_verification_ok"], 1);
  EXPECT_EQ(s["dibao_health_serving"], 1);
  EXPECT_GT(s["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GT(s["process_open_fds"], 3);

  // Nothing of a person in any name, label or help text.
  const std::set<std::string> personal =
      testing::SampleIdsAndNames(dir + "/sample");
  ASSERT_GT(personal.size(), 1000u);
  for (const std::string& id_or_name : personal) {
    ASSERT_EQ(text.find(id_or_name), std::string::npos)
        << id_or_name << " is in the metrics";
  }

  // Every metric the alerting rules and the dashboard use is one the
  // server exports.
  for (const char* path : {"/deploy/prometheus/dibao-rules.yml",
                           "/deploy/grafana/dibao-dashboard.json"}) {
    const std::string used =
        testing::ReadFile(DIBAO_SOURCE_DIR + std::string(path));
    ASSERT_FALSE(used.empty()) << path;
    std::set<std::string> names;
    const std::regex metric("\\b((dibao|process)_[a-z0-9_]+)");
    for (auto it = std::sregex_iterator(used.begin(), used.end(), metric);
         it != std::sregex_iterator(); ++it) {
      names.insert((*it)[1]);
    }
    EXPECT_GT(names.size(), 10u) << path;
    for (const std::string& name : names) {
      EXPECT_TRUE(absl::StrContains(text, "\n" + name + " ") ||
                  absl::StrContains(text, "\n" + name + "{"))
          << path << " uses " << name << ", which the server does not export";
    }
  }
  // The dashboard is JSON Grafana reads: panels with Prometheus queries.
  google::protobuf::Struct dashboard;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  testing::ReadFile(DIBAO_SOURCE_DIR
                                    "/deploy/grafana/dibao-dashboard.json"),
                  &dashboard)
                  .ok());
  EXPECT_GT(dashboard.fields().at("panels").list_value().values_size(), 20);

  // Prometheus's own linter takes it as it is.
  const std::string file = dir + "/scrape.txt";
  testing::WriteFile(file, text);
  testing::RunResult lint =
      testing::Run({"/bin/sh", "-c",
                    absl::StrCat(testing::BinaryPath("tools/promtool"),
                                 " check metrics < ", file)});
  EXPECT_EQ(lint.exit_code, 0)
      << lint.out << lint.err << "\n(promtool comes from deploy/setup.sh)";
  EXPECT_EQ(lint.out + lint.err, "");

  p.Signal(SIGTERM);
  ASSERT_EQ(p.Wait(), 0) << p.Stderr();
}

TEST(MetricsBinaryTest, TheDefaultAddressTakenIsAWarningAGivenOneAnError) {
  const std::string dir = testing::NewTempDir("metrics-bin");
  // Someone else holds a port.
  httplib::Server other;
  const int taken = other.bind_to_any_port("127.0.0.1");
  ASSERT_GT(taken, 0);
  testing::RunResult r = testing::Run(testing::SecureServerCommand(
      {"--listen=127.0.0.1:0", "--data_dir=" + dir + "/data",
       "--console_listen=off",
       absl::StrCat("--metrics_listen=127.0.0.1:", taken)}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(
                         "cannot serve metrics on 127.0.0.1:", taken)));
}

TEST(MetricsTest, ARestartKnowsWhenEachKindLastArrivedAndTheLastCycle) {
  testing::TestStore t("metrics");
  ASSERT_TRUE(t.LoadSample().ok());
  auto metrics = ServerMetrics::Start(
      MetricsOptions{},
      MetricsSources{
          .store = t.store(), .feeds = t.feeds(), .clock = t.clock()});
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ((*metrics)->port(), 0);
  const std::map<std::string, double> s = Samples((*metrics)->Scrape());
  int kinds = 0;
  for (const auto& [name, value] : s) {
    if (!absl::StartsWith(name, "dibao_feed_last_batch_timestamp_seconds{")) {
      continue;
    }
    ++kinds;
    EXPECT_EQ(value, absl::ToUnixSeconds(t.clock()->Now())) << name;
  }
  EXPECT_EQ(kinds, 13);
  // No batch since the start: counted from here, not from the store.
  EXPECT_FALSE(s.count(
      R"(dibao_feed_batches_total{agency="labour",kind="employment",result="committed"})"));
}

}  // namespace
}  // namespace dibao
