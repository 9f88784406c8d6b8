// dibaoctl: command-line client of dibao-server. See cli/cli.h.
#include <algorithm>
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
ABSL_FLAG(std::string, agency, "",
          "feed: labour, land, union, public_security or justice");
ABSL_FLAG(std::string, kind, "", "feed push: record kind, e.g. employment");
ABSL_FLAG(std::string, batch_id, "", "feed push: the batch's unique ID");
ABSL_FLAG(std::string, as_of_date, "",
          "feed push: the day the data describes (--as-of)");
ABSL_FLAG(bool, allow_mass_retirement, false,
          "feed push: let a SNAPSHOT retire more than half of its kind's "
          "current facts");
ABSL_FLAG(bool, snapshot, false,
          "feed push: the file is a full SNAPSHOT (else DELTA)");
ABSL_FLAG(int, limit, 0, "feed batches: how many (default 50)");
ABSL_FLAG(bool, full, false, "cycle run: assess every household");
ABSL_FLAG(std::string, rule, "", "flags list: only this rule");
ABSL_FLAG(std::string, state, "",
          "flags list: only this state (open, auto_resolved, confirmed, "
          "dismissed, needs_visit)");
ABSL_FLAG(uint64_t, seed, 1, "sample generate: random seed");
ABSL_FLAG(std::string, out, "", "sample generate: output directory");
ABSL_FLAG(std::string, sample_as_of, "",
          "sample generate: day ages are computed on (default: the first of "
          "this month)");
ABSL_FLAG(std::string, sample_district, "420102",
          "sample generate: 6-digit district code");
ABSL_FLAG(double, fraction, 0, "sample draw: share of each stratum, (0, 1]");
ABSL_FLAG(std::string, stratify, "none",
          "sample draw: none, street or community");
ABSL_FLAG(std::string, note, "",
          "review decide/visit/comment, recommendations approve/reject: what "
          "it rests on (required); sample draw: kept with the sample");
ABSL_FLAG(std::string, wage, "",
          "report cliff: the job's monthly wage in yuan, e.g. 300 or 300.50");
ABSL_FLAG(std::string, member, "",
          "report cliff: the member taking the job (resident ID)");
ABSL_FLAG(bool, people, false, "report forecast: list the people too");
ABSL_FLAG(std::string, decision, "",
          "review decide: confirm, dismiss or needs-visit");
ABSL_FLAG(std::string, result, "", "review visit: confirm or dismiss");
ABSL_FLAG(std::string, reason, "",
          "review decide/visit: dismiss reason code (PARTNER_DATA_WRONG, "
          "ALREADY_DECLARED, WRONG_PERSON, POLICY_EXCEPTION, OTHER)");
ABSL_FLAG(std::string, to, "", "review assign: the caseworker given the flag");
ABSL_FLAG(int64_t, version, 0,
          "review: the flag version you read (refused if it changed since)");
ABSL_FLAG(std::string, severity, "",
          "review list: at least this severity (INFO, LOW, MEDIUM, HIGH)");
ABSL_FLAG(int, min_age_days, 0,
          "review list: flags first seen at least this many days ago");
ABSL_FLAG(std::string, assignee, "",
          "review list: flags of this caseworker; - for unclaimed ones");
ABSL_FLAG(int64_t, after, 0, "audit log: entries after this sequence number");
ABSL_FLAG(std::string, sort, "",
          "review list: priority (default), overpayment, age, severity or "
          "flag-id");
ABSL_FLAG(std::string, users, "", "user add|list: the console's user file");
ABSL_FLAG(std::string, id, "", "user add: the caseworker ID");
ABSL_FLAG(std::string, name, "", "user add: the name the console shows");
ABSL_FLAG(bool, disabled, false, "user add: the user may not sign in");

// Flag names may be written with hyphens (--batch-id) as well as
// underscores; abseil only knows the latter. "--as-of" is feed push's day,
// kept apart from registry get's instant (--as_of).
std::vector<std::string> NormaliseFlags(int argc, char** argv) {
  std::vector<std::string> out;
  bool flags_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") flags_done = true;
    if (i > 0 && !flags_done && arg.rfind("--", 0) == 0) {
      const size_t end = std::min(arg.find('='), arg.size());
      std::string name = arg.substr(2, end - 2);
      if (name == "as-of") name = "as_of_date";
      if (name == "household") name = "households";
      for (char& c : name) c = c == '-' ? '_' : c;
      arg = "--" + name + arg.substr(end);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

bool FlagGiven(const std::vector<std::string>& args, const std::string& name) {
  for (const auto& a : args) {
    if (a == "--" + name || a.rfind("--" + name + "=", 0) == 0) return true;
  }
  return false;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(dibao::cli::CliUsage());
  std::vector<std::string> normalised = NormaliseFlags(argc, argv);
  std::vector<char*> normalised_argv;
  for (auto& a : normalised) normalised_argv.push_back(a.data());
  std::vector<char*> positional = absl::ParseCommandLine(
      static_cast<int>(normalised_argv.size()), normalised_argv.data());
  std::vector<std::string> args(positional.begin() + 1, positional.end());

  dibao::cli::CliOptions o;
  o.server = absl::GetFlag(FLAGS_server);
  o.deadline = absl::GetFlag(FLAGS_deadline);
  o.stream_deadline = absl::GetFlag(FLAGS_stream_deadline);
  o.caseworker = absl::GetFlag(FLAGS_caseworker);
  o.format = absl::GetFlag(FLAGS_format);
  o.format_given = FlagGiven(normalised, "format");
  o.agency = absl::GetFlag(FLAGS_agency);
  o.kind = absl::GetFlag(FLAGS_kind);
  o.batch_id = absl::GetFlag(FLAGS_batch_id);
  o.as_of_date = absl::GetFlag(FLAGS_as_of_date);
  o.snapshot = absl::GetFlag(FLAGS_snapshot);
  o.allow_mass_retirement = absl::GetFlag(FLAGS_allow_mass_retirement);
  o.limit = absl::GetFlag(FLAGS_limit);
  o.households = absl::GetFlag(FLAGS_households);
  o.members = absl::GetFlag(FLAGS_members);
  o.input_format = absl::GetFlag(FLAGS_input_format);
  o.district = absl::GetFlag(FLAGS_district);
  o.street = absl::GetFlag(FLAGS_street);
  o.community = absl::GetFlag(FLAGS_community);
  o.status = absl::GetFlag(FLAGS_status);
  o.page_size = absl::GetFlag(FLAGS_page_size);
  o.as_of = absl::GetFlag(FLAGS_as_of);
  o.full = absl::GetFlag(FLAGS_full);
  o.rule = absl::GetFlag(FLAGS_rule);
  o.state = absl::GetFlag(FLAGS_state);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.out_dir = absl::GetFlag(FLAGS_out);
  o.sample_as_of = absl::GetFlag(FLAGS_sample_as_of);
  o.sample_district = absl::GetFlag(FLAGS_sample_district);
  o.seed_given = FlagGiven(normalised, "seed");
  o.fraction = absl::GetFlag(FLAGS_fraction);
  o.stratify = absl::GetFlag(FLAGS_stratify);
  o.note = absl::GetFlag(FLAGS_note);
  o.wage = absl::GetFlag(FLAGS_wage);
  o.member = absl::GetFlag(FLAGS_member);
  o.people = absl::GetFlag(FLAGS_people);
  o.decision = absl::GetFlag(FLAGS_decision);
  o.result = absl::GetFlag(FLAGS_result);
  o.reason = absl::GetFlag(FLAGS_reason);
  o.to = absl::GetFlag(FLAGS_to);
  o.version = absl::GetFlag(FLAGS_version);
  o.severity = absl::GetFlag(FLAGS_severity);
  o.min_age_days = absl::GetFlag(FLAGS_min_age_days);
  o.assignee = absl::GetFlag(FLAGS_assignee);
  o.after = absl::GetFlag(FLAGS_after);
  o.sort = absl::GetFlag(FLAGS_sort);
  o.users_file = absl::GetFlag(FLAGS_users);
  o.user_id = absl::GetFlag(FLAGS_id);
  o.user_name = absl::GetFlag(FLAGS_name);
  o.user_disabled = absl::GetFlag(FLAGS_disabled);
  return dibao::cli::RunCli(args, o, std::cout, std::cerr);
}
