// dibaoctl: command-line client of dibao-server. See cli/cli.h.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "cli/cli.h"

namespace {
std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}
}  // namespace

ABSL_FLAG(std::string, server, EnvOr("DIBAO_SERVER", "127.0.0.1:50051"),
          "dibao-server address (env DIBAO_SERVER)");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(30),
          "deadline of each unary call");
ABSL_FLAG(absl::Duration, stream_deadline, absl::Minutes(30),
          "deadline of a streaming import or export");
ABSL_FLAG(std::string, caseworker, EnvOr("DIBAO_CASEWORKER", ""),
          "who is acting, recorded with every change (env DIBAO_CASEWORKER)");
ABSL_FLAG(std::string, format, "table", "output: table, csv or jsonl");
ABSL_FLAG(std::string, households, "", "households file (import/export)");
ABSL_FLAG(std::string, members, "", "members file (import/export)");
ABSL_FLAG(std::string, input_format, "",
          "csv or jsonl; default: from the file extension");
ABSL_FLAG(std::string, district, "", "filter: district code");
ABSL_FLAG(std::string, street, "", "filter: street (needs --district)");
ABSL_FLAG(std::string, community, "", "filter: community (needs --street)");
ABSL_FLAG(std::string, status, "", "filter: ACTIVE, SUSPENDED or EXITED");
ABSL_FLAG(int, page_size, 0, "households per page fetched (default 100)");
ABSL_FLAG(std::string, as_of, "",
          "registry get: the household as it was at this RFC 3339 time");
ABSL_FLAG(uint64_t, seed, 1, "sample generate: random seed");
ABSL_FLAG(std::string, out, "", "sample generate: output directory");
ABSL_FLAG(std::string, sample_as_of, "",
          "sample generate: day ages are computed on (default: the first of "
          "this month)");
ABSL_FLAG(std::string, sample_district, "420102",
          "sample generate: 6-digit district code");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(dibao::cli::CliUsage());
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());

  dibao::cli::CliOptions o;
  o.server = absl::GetFlag(FLAGS_server);
  o.deadline = absl::GetFlag(FLAGS_deadline);
  o.stream_deadline = absl::GetFlag(FLAGS_stream_deadline);
  o.caseworker = absl::GetFlag(FLAGS_caseworker);
  o.format = absl::GetFlag(FLAGS_format);
  o.households = absl::GetFlag(FLAGS_households);
  o.members = absl::GetFlag(FLAGS_members);
  o.input_format = absl::GetFlag(FLAGS_input_format);
  o.district = absl::GetFlag(FLAGS_district);
  o.street = absl::GetFlag(FLAGS_street);
  o.community = absl::GetFlag(FLAGS_community);
  o.status = absl::GetFlag(FLAGS_status);
  o.page_size = absl::GetFlag(FLAGS_page_size);
  o.as_of = absl::GetFlag(FLAGS_as_of);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.out_dir = absl::GetFlag(FLAGS_out);
  o.sample_as_of = absl::GetFlag(FLAGS_sample_as_of);
  o.sample_district = absl::GetFlag(FLAGS_sample_district);
  return dibao::cli::RunCli(args, o, std::cout, std::cerr);
}
