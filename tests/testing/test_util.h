// Helpers shared by the tests: fresh temp directories and running binaries.
#ifndef DIBAO_TESTS_TESTING_TEST_UTIL_H_
#define DIBAO_TESTS_TESTING_TEST_UTIL_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace dibao::testing {

// A new empty directory under testing::TempDir(), unique per call and per
// process, so tests can run in parallel under ctest -j. Removed when the
// test binary exits.
std::string NewTempDir(absl::string_view name);

// Writes `content` to `path`, replacing it.
void WriteFile(const std::string& path, absl::string_view content);
std::string ReadFile(const std::string& path);

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] a path) with extra environment entries "K=V",
// capturing stdout and stderr. Blocks until it exits.
RunResult Run(const std::vector<std::string>& argv,
              const std::vector<std::string>& env = {});

// A program started in the background with stdout and stderr to files.
class Process {
 public:
  // Starts `argv`; check ok() before use.
  explicit Process(const std::vector<std::string>& argv);
  ~Process();  // SIGKILLs it if still running
  bool ok() const { return pid_ > 0; }
  int pid() const { return pid_; }
  std::string Stderr() const;
  // Polls stderr until it contains `text`; false after `timeout_ms`.
  bool WaitForStderr(absl::string_view text, int timeout_ms = 10000) const;
  void Signal(int signal_number) const;
  // Waits for exit; the exit code, or -1 when killed by a signal.
  int Wait();

 private:
  int pid_ = -1;
  std::string dir_;
};

// Path of a binary built by this project, e.g. BinaryPath("cli/dibaoctl").
std::string BinaryPath(absl::string_view relative);

// The principals every test server knows (tests/testing/principals.textproto)
// and the directory of their certificates, minted at build time:
// <bin>/tests/pki/ID.crt, ID.key, ca.crt, server.crt, server.key.
std::string TestPrincipalsPath();
std::string TestPkiDir();

// dibaoctl's connection flags proving `principal` to the server at
// `address` (host:port) with its test certificate.
std::vector<std::string> CtlConnection(const std::string& address,
                                       const std::string& principal);

// The command line of dibaoctl `args` against `address` as `principal`
// (with no certificate when empty).
std::vector<std::string> CtlCommand(const std::string& address,
                                    const std::string& principal,
                                    std::vector<std::string> args);

// The command line of dibao-server with the test certificates and
// principals (a TLS listener may then be given in `args`), and `args`.
std::vector<std::string> SecureServerCommand(std::vector<std::string> args);

// Every resident ID and name in the CSV files under `dir` (their id_number
// and name columns; names of two characters or more): what no log line or
// metric may hold.
std::set<std::string> SampleIdsAndNames(const std::string& dir);

// Runs dibaoctl as a principal: `ctl(principal, args)`.
using CtlAsFn =
    std::function<RunResult(const std::string&, std::vector<std::string>)>;

// Loads the sample district (as of 2026-11-01) and every one of its
// agencies' files into a server, each step as the principal whose job it
// is, through `ctl`: sample generate into `dir`, registry import as
// "loader" (a district approver), feed push per file as its agency
// ("agency-labour", ...). Empty on success, else what failed.
std::string LoadSampleWithCtl(const CtlAsFn& ctl, const std::string& dir);

// The integer in environment variable `name`, or `fallback` when unset or
// empty (the sizes of the long-running tests).
int EnvInt(const char* name, int fallback);

// A person's name for the n-th batch of a test: "某" and n's last five
// digits as the ten stems (甲 … 癸), so that consecutive batches change
// every record they carry.
std::string BatchName(int n);

}  // namespace dibao::testing

#endif  // DIBAO_TESTS_TESTING_TEST_UTIL_H_
