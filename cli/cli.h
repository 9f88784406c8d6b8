// dibaoctl: the command-line client of dibao-server.
//
// RunCli parses the command line with CLI11: a noun and a verb ("registry
// import", "review decide") or one word ("health", "check"), each with its
// own flags and --help, then the connection flags every command shares. The
// process exit status: 0 success, 1 failure, 2 usage error, 3 partly done
// (an import that refused some lines).
#ifndef DIBAO_CLI_CLI_H_
#define DIBAO_CLI_CLI_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace dibao::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPartial = 3;

// What the command line said, for every command: each command's flags are
// declared in command_line.cc and written here; a command reads only its
// own.
struct CliOptions {
  // Connection (every command that calls the server).
  std::string server = "127.0.0.1:50051";
  absl::Duration deadline = absl::Seconds(30);
  absl::Duration stream_deadline = absl::Minutes(30);
  // TLS: the caller's certificate and key, the CA the server's chains to
  // (PEM files); not used for a unix: server.
  std::string cert;
  std::string key;
  std::string ca;
  std::string tls_server_name;
  // Why the data is read: on the audit chain with every read; required by
  // bulk exports.
  std::string purpose;
  // Output of listing commands: table, csv or jsonl.
  std::string format = "table";
  bool format_given = false;  // --format was on the command line
  // The day a command works on (--as-of YYYY-MM-DD); empty: its default.
  std::string as_of;
  // registry import / export, check: the households and members files.
  std::string households;
  std::string members;
  std::string input_format;  // csv or jsonl; default from the extension
  std::string encoding;      // the files' text encoding; empty: detect
  // Area filters.
  std::string district;
  std::string street;
  std::string community;
  std::string status;
  int page_size = 0;  // 0: server default; list still fetches every page
  std::string at;     // registry get: RFC 3339 instant
  // One household (by its ID): flags list, report cliff, audit log,
  // recommendations list.
  std::string household;
  // feed push / batches.
  std::string agency;
  std::string kind;
  std::string batch_id;
  bool snapshot = false;
  bool allow_mass_retirement = false;
  int limit = 0;
  // cycle run, flags list.
  bool full = false;
  std::string rule;
  std::string state;
  // sample generate.
  uint64_t seed = 1;
  bool seed_given = false;  // --seed was on the command line
  std::string out_dir;
  std::string sample_district = "420102";
  // report ..., spot-check draw.
  double fraction = 0;   // spot-check draw: share drawn, (0, 1]
  std::string stratify;  // spot-check draw: none, street or community
  std::string note;      // spot-check draw: kept with the sample
  std::string wage;      // report cliff: monthly wage in yuan
  std::string member;    // report cliff: the member taking the job
  bool people = false;   // report forecast: list the people too
  std::string stage;     // report posting: evaluation, review or approval
  std::string since;     // report posting: results from this day
  // review ..., audit log.
  std::string decision;  // review decide: confirm, dismiss or needs-visit
  std::string result;    // review visit: confirm or dismiss
  std::string reason;    // dismiss reason code, e.g. PARTNER_DATA_WRONG
  std::string to;        // review assign: the caseworker given the flag
  int64_t version = 0;   // the flag version seen; 0: not checked
  std::string severity;  // review list: at least this severity
  int min_age_days = 0;  // review list: first seen at least this long ago
  std::string assignee;  // review list: whose flags; "-" for unclaimed
  int64_t after = 0;     // audit log: entries after this seq
  std::string sort;      // review list: the queue's order
  bool reject = false;   // recommendations evaluate/review: refuse it
  // user add / list: the console's user file and the user.
  std::string users_file;
  std::string user_id;
  std::string user_name;
  bool user_disabled = false;
};

// Parses the command line (each command's flags and --help), runs the
// command and returns the process exit status.
int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err);

}  // namespace dibao::cli

#endif  // DIBAO_CLI_CLI_H_
