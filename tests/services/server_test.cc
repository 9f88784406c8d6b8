// The dibao-server binary as an operator runs it.
#include "services/server.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/dates.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

std::string Server() { return testing::BinaryPath("services/dibao-server"); }

// dibao-server with the test certificates and principals, and `args`.
std::vector<std::string> Secure(std::vector<std::string> args) {
  return testing::SecureServerCommand(std::move(args));
}

// The port a server started with --listen 127.0.0.1:0 reports in its log.
int PortOf(const testing::Process& p) {
  std::smatch m;
  const std::string err = p.Stderr();
  if (std::regex_search(err, m,
                        std::regex("listening on 127\\.0\\.0\\.1:(\\d+)"))) {
    return std::stoi(m[1]);
  }
  return 0;
}

TEST(ServerBinaryTest, StopsCleanlyOnSigterm) {
  const std::string dir = testing::NewTempDir("server-bin");
  testing::Process p(Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0);
  EXPECT_THAT(p.Stderr(), HasSubstr("stopped cleanly"));
  // Log lines carry a timestamp.
  EXPECT_TRUE(std::regex_search(
      p.Stderr(), std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d")));
}

TEST(ServerBinaryTest, TheDataIsItsOwnersAloneWhateverTheUmask) {
  namespace fs = std::filesystem;
  // A data directory made by hand (or by an older version) readable by all,
  // and a server started from a shell with the usual umask 022.
  const std::string dir = testing::NewTempDir("server-bin") + "/data";
  fs::create_directories(dir + "/old");
  testing::WriteFile(dir + "/old/notes.txt", "x");
  fs::permissions(dir, fs::perms(0755), fs::perm_options::replace);
  fs::permissions(dir + "/old/notes.txt", fs::perms(0644),
                  fs::perm_options::replace);
  const mode_t before = ::umask(022);
  testing::Process p(Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir}));
  ::umask(before);
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  p.Signal(SIGTERM);
  ASSERT_EQ(p.Wait(), 0) << p.Stderr();

  EXPECT_EQ(fs::status(dir).permissions(), fs::perms(0700));
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_symlink()) continue;
    const fs::perms want = e.is_directory() ? fs::perms(0700) : fs::perms(0600);
    EXPECT_EQ(e.status().permissions(), want) << e.path();
    files += e.is_regular_file();
  }
  EXPECT_GT(files, 3);  // RocksDB's own files are among them
}

TEST(ServerBinaryTest, LockedDataDirectoryIsAClearErrorAndNonZeroExit) {
  const std::string dir = testing::NewTempDir("server-bin");
  testing::Process first(Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir}));
  ASSERT_TRUE(first.WaitForStderr("listening on"));
  auto second =
      testing::Run(Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir}));
  EXPECT_NE(second.exit_code, 0);
  EXPECT_THAT(second.err, HasSubstr("is in use by another process (pid "));
}

TEST(ServerBinaryTest, RefusesToServeTcpInPlaintext) {
  const std::string dir = testing::NewTempDir("server-bin");
  auto r =
      testing::Run({Server(), "--listen=127.0.0.1:0", "--data_dir=" + dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("needs TLS with client certificates"));
  EXPECT_THAT(r.err, HasSubstr("deploy/certs.sh"));
}

TEST(ServerBinaryTest, JsonLogsOfAWholeNightHoldEventsButNoIdOrName) {
  const std::string dir = testing::NewTempDir("server-bin");
  testing::Process p(
      Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir + "/data",
              "--log_format=json", "--console_listen=off",
              "--policy=" DIBAO_SOURCE_DIR "/deploy/policy.textproto"}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  const std::string address = absl::StrCat("127.0.0.1:", PortOf(p));
  auto ctl = [&](const std::string& who, std::vector<std::string> args) {
    return testing::Run(testing::CtlCommand(address, who, std::move(args)));
  };
  // The night and the morning: the registry, every feed, the cycle, a
  // decision, the recommendations, a refused push.
  ASSERT_EQ(testing::LoadSampleWithCtl(ctl, dir), "");
  ASSERT_EQ(
      ctl("night-operator", {"cycle", "run", "--as-of=2026-11-01"}).exit_code,
      0);
  auto list = ctl("cw-li", {"review", "list", "--limit=1", "--format=csv"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const std::vector<std::string> rows =
      absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_GE(rows.size(), 2u);
  const std::string flag_id =
      std::vector<std::string>(absl::StrSplit(rows[1], ','))[1];
  EXPECT_EQ(ctl("cw-li", {"review", "decide", flag_id, "--decision=confirm",
                          "--note=checked with the employer"})
                .exit_code,
            0);
  EXPECT_EQ(ctl("night-operator", {"recommendations", "generate"}).exit_code,
            0);
  p.Signal(SIGTERM);
  ASSERT_EQ(p.Wait(), 0) << p.Stderr();

  const std::string log = p.Stderr();
  std::set<std::string> events;
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ++lines;
    google::protobuf::Struct event;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &event)
            .ok())
        << line;
    for (const char* key :
         {"ts", "level", "component", "event", "message", "fields"}) {
      EXPECT_TRUE(event.fields().contains(key)) << key << " in " << line;
    }
    events.insert(absl::StrCat(event.fields().at("component").string_value(),
                               "/", event.fields().at("event").string_value()));
  }
  EXPECT_GT(lines, 15);
  for (const char* e :
       {"server/started", "registry/import_finished", "feeds/batch_committed",
        "cycle/cycle_started", "cycle/cycle_finished", "review/flag_changed",
        "recommendations/generated", "server/stopping", "server/stopped"}) {
    EXPECT_TRUE(events.count(e)) << e;
  }
  const std::set<std::string> personal =
      testing::SampleIdsAndNames(dir + "/sample");
  ASSERT_GT(personal.size(), 1000u);
  for (const std::string& s : personal) {
    EXPECT_EQ(log.find(s), std::string::npos) << s << " is in the log";
  }
}

TEST(ServerBinaryTest, SighupReloadsThePrincipals) {
  const std::string dir = testing::NewTempDir("server-bin");
  const std::string principals = dir + "/principals.textproto";
  testing::WriteFile(principals,
                     testing::ReadFile(testing::TestPrincipalsPath()));
  testing::Process p(Secure({"--listen=off", "--data_dir=" + dir + "/data",
                             "--principals=" + principals,
                             "--local_socket=" + dir + "/grpc.sock",
                             "--local_socket_principal=night-operator"}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  EXPECT_THAT(p.Stderr(), HasSubstr("listening on unix:" + dir + "/grpc.sock"));
  const std::string local = "unix:" + dir + "/grpc.sock";
  auto whoami = testing::Run(testing::CtlCommand(local, "", {"whoami"}));
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_THAT(whoami.out, HasSubstr("principal: night-operator"));
  EXPECT_THAT(whoami.out, HasSubstr("proven by: local socket"));
  p.Signal(SIGHUP);
  ASSERT_TRUE(p.WaitForStderr("principals reloaded by SIGHUP")) << p.Stderr();
  // A broken file is refused; the server keeps serving with the old one.
  testing::WriteFile(principals, "principal { id: \"x\" colour: 1 }\n");
  p.Signal(SIGHUP);
  ASSERT_TRUE(p.WaitForStderr("SIGHUP: principals REFUSED")) << p.Stderr();
  EXPECT_THAT(p.Stderr(), HasSubstr("the principals in force stay"));
  EXPECT_THAT(p.Stderr(), HasSubstr("principals.textproto:1:"));
  whoami = testing::Run(testing::CtlCommand(local, "", {"whoami"}));
  EXPECT_EQ(whoami.exit_code, 0) << whoami.err;
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0) << p.Stderr();
}

TEST(ServerBinaryTest, PolicyAndSettingsReloadOnSighupAndOnRequest) {
  const std::string dir = testing::NewTempDir("server-bin");
  const std::string policy = dir + "/policy.textproto";
  const std::string config = dir + "/dibao.conf";
  const std::string original =
      testing::ReadFile(DIBAO_SOURCE_DIR "/deploy/policy.textproto");
  testing::WriteFile(policy, original);
  testing::WriteFile(config, "feeds { snapshot_max_rejected_percent: 20 }\n");
  testing::Process p(Secure(
      {"--config=" + config, "--listen=off", "--data_dir=" + dir + "/data",
       "--policy=" + policy, "--local_socket=" + dir + "/grpc.sock",
       "--local_socket_principal=night-operator"}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  const std::string local = "unix:" + dir + "/grpc.sock";

  testing::WriteFile(policy, absl::StrCat(original, "\n# reviewed\n"));
  testing::WriteFile(config, "feeds { snapshot_max_rejected_percent: 5 }\n");
  p.Signal(SIGHUP);
  ASSERT_TRUE(p.WaitForStderr("SIGHUP: principals")) << p.Stderr();
  EXPECT_THAT(p.Stderr(), HasSubstr("SIGHUP: policy RELOADED"));
  EXPECT_THAT(p.Stderr(), HasSubstr("SIGHUP: settings RELOADED"));

  // The same on request; a broken policy is refused, and says where.
  testing::WriteFile(policy, "standards { district_code: 7 }\n");
  auto r = testing::Run(testing::CtlCommand(local, "", {"reload"}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.out, HasSubstr("policy: refused (" + policy + ")"));
  EXPECT_THAT(r.out, HasSubstr("policy.textproto:1:"));
  EXPECT_THAT(r.out, HasSubstr("settings: unchanged"));
  EXPECT_THAT(r.out, HasSubstr("principals: unchanged"));
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0) << p.Stderr();
}

TEST(ServerBinaryTest, BackupWhileServingThenRestoreIntoANewDirectory) {
  const std::string dir = testing::NewTempDir("server-bin");
  const std::string local = "unix:" + dir + "/grpc.sock";
  {
    testing::Process p(Secure({"--listen=off", "--data_dir=" + dir + "/data",
                               "--local_socket=" + dir + "/grpc.sock",
                               "--local_socket_principal=night-operator"}));
    ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
    auto r = testing::Run(testing::CtlCommand(local, "", {"backup"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("backup 1 in " + dir + "/backups"));
    r = testing::Run(testing::CtlCommand(local, "", {"backup"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = testing::Run(testing::CtlCommand(local, "", {"backups"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("night-operator"));
    EXPECT_THAT(r.out,
                HasSubstr("2 backups in " + dir + "/backups (keeping 7)"));
    p.Signal(SIGTERM);
    EXPECT_EQ(p.Wait(), 0) << p.Stderr();
  }
  const std::string restore = testing::BinaryPath("services/dibao-restore");
  auto busy = testing::Run(
      {restore, "--from=" + dir + "/backups", "--data_dir=" + dir + "/data"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_THAT(busy.err, HasSubstr("is not empty"));
  auto r = testing::Run({restore, "--from=" + dir + "/backups", "--backup_id=1",
                         "--data_dir=" + dir + "/restored"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("restored backup 1"));
  EXPECT_THAT(r.out, HasSubstr("audit chain verifies"));
  EXPECT_THAT(r.out, HasSubstr("state digest "));
  // The restored store serves, its chain intact.
  testing::Process p(Secure({"--listen=off", "--data_dir=" + dir + "/restored",
                             "--local_socket=" + dir + "/grpc.sock",
                             "--local_socket_principal=night-operator"}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  auto verify =
      testing::Run(testing::CtlCommand(local, "", {"audit", "verify"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0) << p.Stderr();
}

TEST(ServerBinaryTest, BadConfigNamesLineAndColumn) {
  const std::string dir = testing::NewTempDir("server-bin");
  testing::WriteFile(dir + "/dibao.conf",
                     "listen: \"127.0.0.1:0\"\n  colour: \"red\"\n");
  auto r = testing::Run({Server(), "--config=" + dir + "/dibao.conf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dibao.conf:2:"));
  EXPECT_THAT(r.err, HasSubstr("colour"));
}

TEST(ServerConfigTest, SampleConfigInDeployParses) {
  auto config = LoadServerConfig(DIBAO_SOURCE_DIR "/deploy/dibao-server.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  const ServerOptions o = FromConfig(*config);
  EXPECT_EQ(o.listen, "127.0.0.1:50051");
  EXPECT_TRUE(o.store.sync_writes);
  EXPECT_EQ(o.encryption_key_file, "/etc/dibao/data.key");
  EXPECT_EQ(o.feeds.max_records_per_batch, 100'000'000);
  EXPECT_EQ(o.console.listen, "127.0.0.1:8080");
  EXPECT_EQ(o.console.users_file, "/etc/dibao/console-users.textproto");
  EXPECT_EQ(o.console.sessions.idle, absl::Minutes(30));
  EXPECT_EQ(o.backup.dir, "/var/lib/dibao/backups");
  EXPECT_EQ(o.backup.keep, 7);
  EXPECT_EQ(o.metrics.listen, "127.0.0.1:9464");
  EXPECT_EQ(o.metrics.audit_verify_interval, absl::Hours(24));
  EXPECT_EQ(o.metrics.flag_count_interval, absl::Seconds(60));
}

TEST(ServerBinaryTest, ConfigFileIsUsed) {
  const std::string dir = testing::NewTempDir("server-bin");
  testing::WriteFile(dir + "/dibao.conf",
                     "listen: \"127.0.0.1:0\"\ndata_dir: \"" + dir +
                         "/data\"\nstore { block_cache_mb: 8 }\n");
  testing::Process p(Secure({"--config=" + dir + "/dibao.conf"}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  EXPECT_THAT(p.Stderr(), HasSubstr(dir + "/data"));
}

TEST(ServerBinaryTest, AcknowledgedWriteSurvivesSigkill) {
  const std::string dir = testing::NewTempDir("server-bin");
  {
    testing::Process p(Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir}));
    ASSERT_TRUE(p.WaitForStderr("listening on"));
    auto stub = v1::RegistryService::NewStub(
        testing::ChannelAs(absl::StrCat("127.0.0.1:", PortOf(p)), "clerk-7"));
    v1::UpsertHouseholdRequest req;
    v1::Household* h = req.mutable_household();
    h->set_household_id("H1");
    h->set_district_code("420102");
    h->set_street("s");
    h->set_community("c");
    h->set_registered_address("a");
    h->set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
    *h->mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
    v1::Member* m = h->add_members();
    m->set_id_number("420102199003074513");
    m->set_name("张三");
    m->set_reported_status(v1::REPORTED_STATUS_OTHER);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::UpsertHouseholdResponse resp;
    ASSERT_TRUE(stub->UpsertHousehold(&context, req, &resp).ok());
    p.Signal(SIGKILL);
    p.Wait();
  }
  testing::Process p(Secure({"--listen=127.0.0.1:0", "--data_dir=" + dir}));
  ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
  auto stub = v1::RegistryService::NewStub(
      testing::ChannelAs(absl::StrCat("127.0.0.1:", PortOf(p)), "clerk-7"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::GetHouseholdRequest get;
  get.set_household_id("H1");
  v1::Household h;
  ASSERT_TRUE(stub->GetHousehold(&context, get, &h).ok());
  EXPECT_EQ(h.members(0).name(), "张三");
}

// A feed batch acknowledged with a receipt is there after kill -9, through
// both commit paths (WriteBatch for small batches, SST ingestion for large).
TEST(ServerBinaryTest, ReceiptedFeedBatchSurvivesSigkill) {
  for (const int sst_threshold : {1000000, 0}) {
    const std::string dir = testing::NewTempDir("server-bin");
    testing::WriteFile(
        dir + "/dibao.conf",
        absl::StrCat("listen: \"127.0.0.1:0\"\ndata_dir: \"", dir,
                     "/data\"\nfeeds { sst_threshold_records: ", sst_threshold,
                     " }\n"));
    testing::WriteFile(
        dir + "/vehicles.csv",
        "id_number,name,plate,vehicle_type,registered_date,"
        "value_fen\n"
        "420102199003074513,张三,鄂A12345,car,2024-05-01,8000000\n"
        "11010519491231002X,王芳,京B00001,car,2023-01-01,50000\n");
    {
      testing::Process p(Secure({"--config=" + dir + "/dibao.conf"}));
      ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
      const std::string server = absl::StrCat("127.0.0.1:", PortOf(p));
      auto push = testing::Run(testing::CtlCommand(
          server, "agency-public_security",
          {"feed", "push", "--agency", "public_security", "--kind", "vehicle",
           "--batch-id", "PS-V-1", "--as-of", "2026-11-25", "--snapshot",
           dir + "/vehicles.csv"}));
      ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
      EXPECT_THAT(push.out, HasSubstr("2 accepted"));
      p.Signal(SIGKILL);  // right after the receipt
      p.Wait();
    }
    testing::Process p(Secure({"--config=" + dir + "/dibao.conf"}));
    ASSERT_TRUE(p.WaitForStderr("listening on")) << p.Stderr();
    const std::string server = absl::StrCat("127.0.0.1:", PortOf(p));
    auto batches = testing::Run(
        testing::CtlCommand(server, "clerk-7", {"feed", "batches"}));
    EXPECT_THAT(batches.out, HasSubstr("PS-V-1")) << sst_threshold;
    auto person = testing::Run(testing::CtlCommand(
        server, "auditor-1", {"person", "show", "420102199003074513"}));
    EXPECT_THAT(person.out, HasSubstr("鄂A12345")) << sst_threshold;
  }
}

}  // namespace
}  // namespace dibao
