// dibaoctl: the command-line client of dibao-server.
//
// main.cc owns the flags and copies them into CliOptions; RunCli dispatches
// the positional command ("registry import", "id check", ...) and returns the
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

struct CliOptions {
  // Connection.
  std::string server = "127.0.0.1:50051";
  absl::Duration deadline = absl::Seconds(30);
  absl::Duration stream_deadline = absl::Minutes(30);
  std::string caseworker;  // sent as x-dibao-actor
  // Output of listing commands: table, csv or jsonl.
  std::string format = "table";
  bool format_given = false;  // --format was on the command line
  // registry import / export.
  std::string households;
  std::string members;
  std::string input_format;  // csv or jsonl; default from the extension
  // registry list / export filters.
  std::string district;
  std::string street;
  std::string community;
  std::string status;
  int page_size = 0;  // 0: server default; list still fetches every page
  std::string as_of;  // registry get: RFC 3339 instant
  // feed push / batches.
  std::string agency;
  std::string kind;
  std::string batch_id;
  std::string as_of_date;  // feed push --as-of YYYY-MM-DD
  bool snapshot = false;
  bool allow_mass_retirement = false;
  int limit = 0;
  // cycle run, flags list.
  bool full = false;
  std::string rule;
  std::string state;
  // sample generate.
  uint64_t seed = 1;
  std::string out_dir;
  std::string sample_as_of;  // YYYY-MM-DD; default today
  std::string sample_district = "420102";
  bool seed_given = false;  // --seed was on the command line
  // report ..., sample draw.
  double fraction = 0;   // sample draw: share drawn, (0, 1]
  std::string stratify;  // sample draw: none, street or community
  std::string note;      // sample draw: kept with the sample
  std::string wage;      // report cliff: monthly wage in yuan
  std::string member;    // report cliff: the member taking the job
  bool people = false;   // report forecast: list the people too
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
  // user add / list: the console's user file and the user.
  std::string users_file;
  std::string user_id;
  std::string user_name;
  bool user_disabled = false;
};

int RunCli(const std::vector<std::string>& args, const CliOptions& options,
           std::ostream& out, std::ostream& err);

// Usage text listing every command.
const char* CliUsage();

}  // namespace dibao::cli

#endif  // DIBAO_CLI_CLI_H_
