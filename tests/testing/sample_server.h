// A real dibao-server, in this process, on a free loopback port with TLS
// and the test principals (tests/testing/test_access.h), with the sample
// policy and the sample district and its agencies' files loaded through
// dibaoctl as the bureau loads them: the fixture the CLI and console tests
// share.
#ifndef DIBAO_TESTS_TESTING_SAMPLE_SERVER_H_
#define DIBAO_TESTS_TESTING_SAMPLE_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao::testing {

// The password of every console user a SampleServer makes.
inline constexpr char kConsolePassword[] = "morning-queue-42";

struct SampleServerOptions {
  // Names the temp directory.
  std::string name = "sample-server";
  // Whose certificate Ctl() proves (tests/testing/principals.textproto): a
  // district approver, who may read and decide most things.
  std::string principal = "head-1";
  // Run the first nightly cycle (as of the sample's day) after loading.
  bool run_cycle = false;
  // Start the web console on a free port with build/web and these users
  // (IDs), each with kConsolePassword (empty: no console).
  std::vector<std::string> console_users;
  // Load the sample; false: an empty store.
  bool load_sample = true;
  // Encrypt the data directory at rest, with a random key in
  // <dir>/keys/data.key; and commit batches of more records than this
  // through ingested SST files (0: the server's default).
  bool encrypted = false;
  int64_t sst_threshold_records = 0;
  // The console's sign-ins per address (burst and per minute): generous,
  // as every test signs in from 127.0.0.1; 0 keeps the production limits.
  int console_sign_ins_per_minute = 1000;
};

class SampleServer {
 public:
  // Starts the server and loads what the options say; the error says which
  // step failed and why.
  static absl::StatusOr<std::unique_ptr<SampleServer>> Start(
      SampleServerOptions options);

  // Runs dibaoctl against this server as the options' principal, or as
  // `principal`.
  RunResult Ctl(std::vector<std::string> args) const;
  RunResult CtlAs(const std::string& principal,
                  std::vector<std::string> args) const;

  Server& server() { return *server_; }
  // Stops the server (the data directory stays).
  void Stop() { server_.reset(); }
  const std::string& dir() const { return dir_; }

 private:
  SampleServer() = default;

  SampleServerOptions options_;
  SystemClock clock_;
  std::string dir_;
  std::unique_ptr<Server> server_;
};

}  // namespace dibao::testing

#endif  // DIBAO_TESTS_TESTING_SAMPLE_SERVER_H_
