#include "tests/testing/test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

extern char** environ;

namespace dibao::testing {

namespace {

// Every directory NewTempDir made, removed when the test binary exits (by
// then every fixture, with its stores and child processes, is gone), so
// that test runs do not pile up directories in /tmp.
absl::Mutex temp_dirs_mu;
std::vector<std::string>* temp_dirs = nullptr;

void RemoveTempDirs() {
  absl::MutexLock lock(&temp_dirs_mu);
  std::error_code ignored;
  for (const std::string& dir : *temp_dirs) {
    std::filesystem::remove_all(dir, ignored);
  }
}

}  // namespace

std::string NewTempDir(absl::string_view name) {
  static std::atomic<int> counter{0};
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "dibao-", name, "-", ::getpid(), "-",
                   counter.fetch_add(1));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  absl::MutexLock lock(&temp_dirs_mu);
  if (temp_dirs == nullptr) {
    temp_dirs = new std::vector<std::string>();
    std::atexit(RemoveTempDirs);
  }
  temp_dirs->push_back(dir);
  return dir;
}

void WriteFile(const std::string& path, absl::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult Run(const std::vector<std::string>& argv,
              const std::vector<std::string>& env) {
  const std::string dir = NewTempDir("run");
  const std::string out_path = dir + "/out", err_path = dir + "/err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  RunResult result;
  pid_t pid;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data()) !=
      0) {
    ADD_FAILURE() << "cannot start " << argv[0];
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

Process::Process(const std::vector<std::string>& argv) {
  dir_ = NewTempDir("process");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                   (dir_ + "/out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                   (dir_ + "/err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) ==
      0) {
    pid_ = pid;
  }
  posix_spawn_file_actions_destroy(&actions);
}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    Wait();
  }
  std::filesystem::remove_all(dir_);
}

std::string Process::Stderr() const { return ReadFile(dir_ + "/err"); }

bool Process::WaitForStderr(absl::string_view text, int timeout_ms) const {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (absl::StrContains(Stderr(), text)) return true;
    ::usleep(20 * 1000);
  }
  return false;
}

void Process::Signal(int signal_number) const {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

int Process::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string BinaryPath(absl::string_view relative) {
  const char* dir = std::getenv("DIBAO_BIN_DIR");
  return absl::StrCat(dir != nullptr ? dir : DIBAO_DEFAULT_BIN_DIR, "/",
                      relative);
}

std::string TestPrincipalsPath() {
  return absl::StrCat(DIBAO_SOURCE_DIR, "/tests/testing/principals.textproto");
}

std::string TestPkiDir() { return BinaryPath("tests/pki"); }

std::vector<std::string> CtlConnection(const std::string& address,
                                       const std::string& principal) {
  const std::string pki = TestPkiDir();
  return {"--server=" + address, "--cert=" + pki + "/" + principal + ".crt",
          "--key=" + pki + "/" + principal + ".key", "--ca=" + pki + "/ca.crt"};
}

std::vector<std::string> CtlCommand(const std::string& address,
                                    const std::string& principal,
                                    std::vector<std::string> args) {
  std::vector<std::string> argv = {BinaryPath("cli/dibaoctl")};
  if (principal.empty()) {
    argv.push_back("--server=" + address);
  } else {
    for (std::string& flag : CtlConnection(address, principal)) {
      argv.push_back(std::move(flag));
    }
  }
  argv.insert(argv.end(), std::make_move_iterator(args.begin()),
              std::make_move_iterator(args.end()));
  return argv;
}

std::string LoadSampleWithCtl(const CtlAsFn& ctl, const std::string& dir) {
  const std::string sample = dir + "/sample";
  RunResult r = ctl("loader", {"sample", "generate", "--out=" + sample,
                               "--as-of=2026-11-01"});
  if (r.exit_code != 0) return "sample generate: " + r.err;
  r = ctl("loader",
          {"registry", "import", "--households=" + sample + "/households.csv",
           "--members=" + sample + "/members.csv"});
  if (r.exit_code != 0) return "registry import: " + r.err;
  // Every file of the drop layout: <agency>/<kind>/<as_of>/<batch>.csv
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(sample + "/feeds")) {
    if (!e.is_regular_file()) continue;
    const std::filesystem::path p = e.path();
    const std::string as_of = p.parent_path().filename();
    const std::string kind = p.parent_path().parent_path().filename();
    const std::string agency =
        p.parent_path().parent_path().parent_path().filename();
    std::string batch = p.stem();
    const bool snapshot = absl::EndsWith(batch, ".snapshot");
    if (snapshot) batch.resize(batch.size() - 9);
    std::vector<std::string> args = {"feed",
                                     "push",
                                     "--agency=" + agency,
                                     "--kind=" + kind,
                                     "--batch-id=" + batch,
                                     "--as-of=" + as_of,
                                     p.string()};
    if (snapshot) args.push_back("--snapshot");
    r = ctl("agency-" + agency, args);
    // 3: the sample's deliberately invalid lines were refused.
    if (r.exit_code != 0 && r.exit_code != 3) {
      return "feed push " + p.string() + ": " + r.err;
    }
  }
  return "";
}

std::vector<std::string> SecureServerCommand(std::vector<std::string> args) {
  const std::string pki = TestPkiDir();
  std::vector<std::string> argv = {
      BinaryPath("services/dibao-server"), "--tls_cert=" + pki + "/server.crt",
      "--tls_key=" + pki + "/server.key", "--tls_ca=" + pki + "/ca.crt",
      "--principals=" + TestPrincipalsPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::set<std::string> SampleIdsAndNames(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".csv") continue;
    std::istringstream in(ReadFile(e.path().string()));
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = absl::StrSplit(line, ',');
    while (std::getline(in, line)) {
      const std::vector<std::string> cells = absl::StrSplit(line, ',');
      for (size_t i = 0; i < header.size() && i < cells.size(); ++i) {
        if ((header[i] == "id_number" || header[i] == "name") &&
            cells[i].size() >= 6) {  // two Chinese characters or more
          out.insert(cells[i]);
        }
      }
    }
  }
  return out;
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

std::string BatchName(int n) {
  static const char* const kStems[] = {"甲", "乙", "丙", "丁", "戊",
                                       "己", "庚", "辛", "壬", "癸"};
  std::string name = "某";
  for (int i = 0; i < 5; ++i, n /= 10) name += kStems[n % 10];
  return name;
}

}  // namespace dibao::testing
