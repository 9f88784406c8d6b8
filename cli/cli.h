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
};

int RunCli(const std::vector<std::string>& args, const CliOptions& options,
           std::ostream& out, std::ostream& err);

// Usage text listing every command.
const char* CliUsage();

}  // namespace dibao::cli

#endif  // DIBAO_CLI_CLI_H_
