// Feed ingestion benchmark: starts dibao-server, streams N employment records
// through it as one SNAPSHOT batch (generated on the fly, never held in
// memory), and prints records/s, MB/s and the server's peak RSS.
//
//   build/bench/feed_bench --records=10000000
//
// A second run against the same data (--runs=2) measures a re-push of the
// same snapshot, where every record is unchanged.
//
// Each transport gets a fresh server and data directory, in this order:
// "tls", the agencies' path (TLS 1.3 on loopback TCP, the client proving
// itself with a certificate), and "local", plaintext on the server's Unix
// socket; the last line compares them: what TLS and certificates cost.
// deploy/certs.sh mints the throwaway certificates. A transport named with
// "-encrypted" (--transports=tls,tls-encrypted) runs the server on a data
// directory encrypted at rest: what encryption costs.
#include <fcntl.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/marshalling.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/aes_ctr.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "google/protobuf/arena.h"

ABSL_FLAG(int64_t, records, 1'000'000, "records in the batch");
ABSL_FLAG(int, chunk, 1000, "records per gRPC message");
ABSL_FLAG(int, runs, 2, "batches pushed (the second is unchanged data)");
ABSL_FLAG(std::string, server_binary, "build/services/dibao-server",
          "dibao-server to start");
ABSL_FLAG(std::string, data_dir, "",
          "parent of the data directories (default: a temp dir)");
ABSL_FLAG(std::string, certs_script, "deploy/certs.sh",
          "mints the throwaway CA and certificates");
ABSL_FLAG(std::vector<std::string>, transports,
          std::vector<std::string>({"tls", "local"}),
          "tls (TCP with client certificates), local (Unix socket); either "
          "with -encrypted (tls-encrypted): the data directory encrypted at "
          "rest");

extern char** environ;

namespace {

// CPU seconds (user + system) a process has used so far.
double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses: utime and stime
  // are the 12th and 13th of them.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i >= 12) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Peak resident set of a process, KiB (VmHWM).
int64_t PeakRssKiB(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

void PutDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) {
    out[i] = static_cast<char>('0' + value % 10);
  }
}

// The i-th person's ID into id[18]: a thousand people born on each day from
// 1940 on (about 31 million), then the same in the next district code, so
// every ID is valid and distinct for any N. Formatted by hand: the client
// shares the machine's two cores with the server, and its cost should not
// be what the benchmark measures.
void IdOf(int64_t i, char id[18]) {
  constexpr int64_t kPerDistrict = 30'000'000;
  static const char* const kDistricts[] = {"420102", "420103", "420104",
                                           "420105", "420106", "420107"};
  std::memcpy(id, kDistricts[(i / kPerDistrict) % 6], 6);
  const int64_t j = i % kPerDistrict;
  const absl::CivilDay born = absl::CivilDay(1940, 1, 1) + (j / 1000);
  PutDigits(id + 6, born.year(), 4);
  PutDigits(id + 10, born.month(), 2);
  PutDigits(id + 12, born.day(), 2);
  PutDigits(id + 14, j % 1000, 3);
  id[17] = dibao::ResidentIdCheckCharacter(absl::string_view(id, 17));
}

// Records per second of each run, or an empty vector when one failed.
std::vector<double> Bench(const std::string& transport, const std::string& dir,
                          const std::string& pki) {
  const int64_t n = absl::GetFlag(FLAGS_records);
  const int chunk = absl::GetFlag(FLAGS_chunk);
  const std::string data_dir = dir + "/data-" + transport;
  const std::string log = data_dir + ".log";
  const std::string socket = dir + "/grpc-" + transport + ".sock";
  std::filesystem::create_directories(data_dir);
  const bool tls = absl::StartsWith(transport, "tls");

  // Start the server with its log in a file; find the port it took.
  const std::string binary = absl::GetFlag(FLAGS_server_binary);
  std::vector<std::string> args = {
      binary, "--data_dir=" + data_dir,
      "--principals=" + dir + "/principals.textproto", "--console_listen=off"};
  if (absl::EndsWith(transport, "-encrypted")) {
    const std::string key = dir + "/data.key";
    std::ofstream(key) << absl::BytesToHexString(*dibao::AesCtr::RandomBytes(
                              dibao::AesCtr::kKeyBytes))
                       << "\n";
    std::filesystem::permissions(key, std::filesystem::perms::owner_read |
                                          std::filesystem::perms::owner_write);
    args.push_back("--encryption_key_file=" + key);
  }
  if (tls) {
    for (std::string a :
         {std::string("--listen=127.0.0.1:0"),
          "--tls_cert=" + pki + "/server.crt",
          "--tls_key=" + pki + "/server.key", "--tls_ca=" + pki + "/ca.crt"}) {
      args.push_back(std::move(a));
    }
  } else {
    for (std::string a :
         {std::string("--listen=off"), "--local_socket=" + socket,
          std::string("--local_socket_principal=agency-labour")}) {
      args.push_back(std::move(a));
    }
  }
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argp.data(),
                  environ) != 0) {
    std::cerr << "cannot start " << binary << "\n";
    return {};
  }
  std::string target;
  for (int i = 0; i < 500 && target.empty(); ++i) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    std::smatch m;
    const std::string s = text.str();
    if (tls && std::regex_search(
                   s, m, std::regex("listening on 127\\.0\\.0\\.1:(\\d+)"))) {
      target = absl::StrCat("127.0.0.1:", m[1].str());
    } else if (!tls && s.find("listening on") != std::string::npos) {
      target = "unix:" + socket;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (target.empty()) {
    std::cerr << "server did not start; see " << log << "\n";
    kill(pid, SIGKILL);
    return {};
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (tls) {
    auto read = [&](const std::string& name) {
      std::ifstream in(pki + "/" + name);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read("ca.crt");
    ssl.pem_cert_chain = read("agency-labour.crt");
    ssl.pem_private_key = read("agency-labour.key");
    credentials = grpc::SslCredentials(ssl);
  }
  auto stub =
      dibao::v1::FeedService::NewStub(grpc::CreateChannel(target, credentials));

  std::printf(
      "feed_bench %s (%s): %lld employment records per SNAPSHOT batch, "
      "chunks of %d, server pid %d\n",
      transport.c_str(), target.c_str(), static_cast<long long>(n), chunk, pid);
  std::vector<double> rates;
  for (int run = 1; run <= absl::GetFlag(FLAGS_runs); ++run) {
    grpc::ClientContext context;
    dibao::v1::Receipt receipt;
    auto writer = stub->Upload(&context, &receipt);
    dibao::v1::UploadRequest request;
    auto* h = request.mutable_header();
    h->set_agency(dibao::v1::AGENCY_LABOUR);
    h->set_kind(dibao::v1::FEED_KIND_EMPLOYMENT);
    h->set_batch_id(absl::StrCat("BENCH-", run));
    *h->mutable_as_of() = dibao::ToProto(absl::CivilDay(2026, 11, run));
    h->set_mode(dibao::v1::BATCH_MODE_SNAPSHOT);
    h->set_record_count(n);
    const absl::Time start = absl::Now();
    const double server_cpu_start = CpuSeconds(pid);
    const double client_cpu_start = CpuSeconds(getpid());
    writer->Write(request);
    int64_t bytes = 0;
    // Each chunk is built in an arena reset after it is sent: the client
    // allocates nothing per record.
    google::protobuf::Arena arena;
    auto* chunk_request =
        google::protobuf::Arena::CreateMessage<dibao::v1::UploadRequest>(
            &arena);
    auto* records = chunk_request->mutable_records();
    char id[18];
    for (int64_t i = 0; i < n; ++i) {
      auto* r = records->add_records();
      IdOf(i, id);
      r->set_id_number(id, sizeof(id));
      r->set_name("测试人员");
      auto* e = r->mutable_employment();
      char employer[16] = "91420100E";
      PutDigits(employer + 9, i % 9973, 4);
      e->set_employer_code(employer, 13);
      e->set_employer_name("武汉某某有限公司");
      *e->mutable_start_date() =
          dibao::ToProto(absl::CivilDay(2015, 1, 1) + (i % 3000));
      e->set_monthly_wage_fen(200000 + (i % 500000));
      if (records->records_size() == chunk || i + 1 == n) {
        bytes += chunk_request->ByteSizeLong();
        if (!writer->Write(*chunk_request)) break;
        arena.Reset();
        chunk_request =
            google::protobuf::Arena::CreateMessage<dibao::v1::UploadRequest>(
                &arena);
        records = chunk_request->mutable_records();
      }
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const double server_cpu = CpuSeconds(pid) - server_cpu_start;
    const double client_cpu = CpuSeconds(getpid()) - client_cpu_start;
    if (!s.ok()) {
      std::printf("run %d failed: %s\n", run, s.error_message().c_str());
      rates.clear();
      break;
    }
    rates.push_back(n / seconds);
    std::printf(
        "run %d: %lld records in %.2f s = %.0f records/s, %.1f MB/s on the "
        "wire; accepted %lld, unchanged %lld, retired %lld; server peak RSS "
        "%.0f MiB; CPU: server %.2f s, this client %.2f s\n",
        run, static_cast<long long>(n), seconds, n / seconds,
        bytes / seconds / 1e6, static_cast<long long>(receipt.accepted()),
        static_cast<long long>(receipt.unchanged()),
        static_cast<long long>(receipt.retired()), PeakRssKiB(pid) / 1024.0,
        server_cpu, client_cpu);
  }
  kill(pid, SIGTERM);
  int status;
  waitpid(pid, &status, 0);
  // The server's own account: time spent streaming versus committing.
  std::ifstream server_log(log);
  for (std::string line; std::getline(server_log, line);) {
    if (line.find("batch BENCH") != std::string::npos) {
      std::printf("server: %s\n", line.c_str());
    }
  }
  std::filesystem::remove_all(data_dir);
  std::filesystem::remove(log);
  return rates;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty()) {
    dir = absl::StrCat(std::filesystem::temp_directory_path().string(),
                       "/dibao-bench-", getpid());
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // One agency's certificate, and the principals file that names it.
  {
    std::ofstream principals(dir + "/principals.textproto");
    principals << "principal { id: \"agency-labour\" role: ROLE_AGENCY "
                  "agency: AGENCY_LABOUR }\n";
  }
  const std::string pki = dir + "/pki";
  const std::string mint =
      absl::StrCat("DIBAO_PRINCIPALS=", dir, "/principals.textproto bash ",
                   absl::GetFlag(FLAGS_certs_script), " ", pki, " >/dev/null");
  if (std::system(mint.c_str()) != 0) {
    std::cerr << "cannot mint certificates with "
              << absl::GetFlag(FLAGS_certs_script) << "\n";
    return 1;
  }
  std::vector<std::pair<std::string, std::vector<double>>> results;
  for (const std::string& transport : absl::GetFlag(FLAGS_transports)) {
    if (transport != "tls" && transport != "local" &&
        transport != "tls-encrypted" && transport != "local-encrypted") {
      std::cerr << "unknown transport " << transport
                << " (tls, local, tls-encrypted, local-encrypted)\n";
      return 2;
    }
    std::vector<double> rates = Bench(transport, dir, pki);
    if (rates.empty()) return 1;
    results.emplace_back(transport, std::move(rates));
  }
  if (results.size() == 2) {
    for (size_t run = 0; run < results[0].second.size(); ++run) {
      const double a = results[0].second[run], b = results[1].second[run];
      std::printf(
          "run %zu: %s %.0f records/s, %s %.0f records/s: %s is %.1f%% "
          "%s\n",
          run + 1, results[0].first.c_str(), a, results[1].first.c_str(), b,
          results[0].first.c_str(), 100.0 * std::abs(b - a) / b,
          a < b ? "slower" : "faster");
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
