#include "cli/cli.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "formats/metadata.h"
#include "formats/registry_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "sample/sample_district.h"
#include "sample/sample_feeds.h"

namespace dibao::cli {

const char* CliUsage() {
  return R"(dibaoctl COMMAND [flags]

Commands:
  id check ID...                        normalise and validate resident IDs
  health                                is the server serving?
  registry import --households F --members F
                                        import households and members (CSV or JSON Lines)
  registry export --households F --members F
                                        write the registry as re-importable CSV
  registry get HOUSEHOLD_ID [--as_of RFC3339]
  registry find ID_NUMBER               the household a person belongs to
  registry list [--district D --street S --community C --status ST]
  registry history HOUSEHOLD_ID         every stored version: who, when, what
  feed push --agency A --kind K --batch-id ID --as-of YYYY-MM-DD [--snapshot] FILE
                                        push an agency file (CSV or JSON Lines); prints the receipt
                                        (--allow-mass-retirement: let a SNAPSHOT end most of its kind)
  feed batches [--agency A] [--limit N] receipts, newest first
  feed rejects BATCH_ID                 every rejected record (CSV for the agency)
  person show ID_NUMBER                 every fact about one person, with batch and validity
  cycle run --as-of YYYY-MM-DD [--full] run the matching cycle; prints flags per rule
  cycle list [--limit N]                cycle reports, newest first
  flags list [--rule R] [--state S] [--household ID]
                                        flags with their summary (csv: for spreadsheets)
  flags show FLAG_ID                    one flag: partner facts, reported values, money at stake
  assessment show HOUSEHOLD_ID          the household's latest reassessment, line by line
  check --household F --members F [--as-of YYYY-MM-DD]
                                        intake check of applicants (registry CSV format):
                                        findings, eligibility, top-up; stores nothing
  sample generate --seed N --out DIR [--sample_as_of YYYY-MM-DD]
                                        write a sample district (households.csv, members.csv),
                                        its agencies' nightly files (feeds/) and planted.csv
  report stats [--district D [--street S [--community C]]] [--as-of YYYY-MM-DD]
                                        ACTIVE households, persons, outlay; Table 1 (reported
                                        identity) and Table 2 (age band x sex); disabled
  report posting [--district D [--street S [--community C]]]
                                        public posting lists (公示) per community, names and IDs masked
  report forecast [--district D] [--as-of YYYY-MM-DD] [--people]
                                        per street: non-beneficiaries whose unemployment benefit
                                        ends within 1/3/6 months, released, recently converted
  report cliff --household H --wage YUAN [--member ID] [--as-of YYYY-MM-DD]
                                        income with and without a job, current policy and
                                        gradual exit (default member: first working-age one
                                        without a job)
  sample draw --fraction F --seed S [--stratify none|street|community] [--note TEXT]
                                        draw and store a reproducible spot-check sample
  sample list [--limit N]               drawn samples, newest first
  sample show N                         one sample: parameters, strata, households
  review list [--district D --street S --community C --rule R --state S[,S]
              --severity MIN --min-age-days N --assignee ID|-] [--limit N]
              [--sort priority|overpayment|age|severity|flag-id]
                                        the review queue, highest priority first, with counts
  review show FLAG_ID                   the case: evidence, household, reassessment, history
  review claim FLAG_ID                  take the flag (needs --caseworker)
  review assign FLAG_ID --to ID         give the flag to a caseworker
  review comment FLAG_ID --note TEXT    add a comment to the case
  review decide FLAG_ID --decision confirm|dismiss|needs-visit [--reason CODE] --note TEXT
                                        decide the flag; dismiss needs a reason code:
                                        PARTNER_DATA_WRONG ALREADY_DECLARED WRONG_PERSON
                                        POLICY_EXCEPTION OTHER
  review visit FLAG_ID --result confirm|dismiss [--reason CODE] --note TEXT
                                        the home visit's result for a NEEDS_VISIT flag
                                        (changes refuse a flag changed since --version N)
  audit verify                          recompute the audit chain; names the first broken entry
  audit log [--household H] [--after N --limit N]
                                        a household's whole history, or the chain in order
  recommendations generate [--as-of YYYY-MM-DD]
                                        exit/adjustment recommendations from confirmed flags
                                        (and applies approved gradual exits that are due)
  recommendations list [--state proposed|approved|rejected|superseded]
                       [--district D] [--household H] [--format csv]
                                        for the bureau's approval (member IDs masked)
  recommendations show R                evidence, arithmetic, notice, decision
  recommendations approve R --note TEXT apply it to the registry (history and audit)
  recommendations reject R --note TEXT
  user add --users FILE --id ID [--name NAME] [--disabled]
                                        add a console user or set their password (read from
                                        standard input; stored as a salted Argon2id hash)
  user list --users FILE                the console's users

Global flags: --server HOST:PORT (env DIBAO_SERVER), --caseworker ID (env
DIBAO_CASEWORKER), --deadline, --format table|csv|jsonl.
Flags may be written with '-' or '_' (--batch-id = --batch_id).
Exit status: 0 done, 1 failed, 2 usage error, 3 partly done (lines refused).
)";
}

std::shared_ptr<grpc::Channel> Connect(const CliOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(options.server,
                                   grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> NewContext(const CliOptions& options,
                                                bool streaming) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(streaming
                                                       ? options.stream_deadline
                                                       : options.deadline));
  if (!options.caseworker.empty()) {
    context->AddMetadata(kActorMetadataKey, options.caseworker);
  }
  return context;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

int Fail(std::ostream& err, const absl::Status& status) {
  err << "error: " << absl::StatusCodeToString(status.code()) << ": "
      << status.message() << "\n";
  return kExitFailed;
}

int IdCheck(const Env& env) {
  if (env.args.empty()) {
    env.err << "usage: dibaoctl id check ID...\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  SystemClock clock;
  const absl::CivilDay today = clock.Today();
  Table table({"input", "id_number", "birth_date", "sex", "province", "error"});
  int invalid = 0;
  for (const std::string& input : env.args) {
    auto id = ParseResidentId(input, today);
    if (!id.ok()) {
      ++invalid;
      table.AddRow({input, "", "", "", "", std::string(id.status().message())});
      continue;
    }
    table.AddRow(
        {input, std::string(id->number()), FormatDate(id->birth_date()),
         id->sex() == Sex::kMale ? "M" : "F",
         absl::StrCat(id->province_code(), " ", id->province_name()), ""});
  }
  table.Print(
      *format == OutputFormat::kCsv ? OutputFormat::kCsv : OutputFormat::kTable,
      env.out);
  return invalid == 0 ? kExitOk : kExitFailed;
}

int Health(const Env& env) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(env.options));
  auto context = NewContext(env.options);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status s = stub->Check(context.get(), request, &response);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  env.out << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                 response.status())
          << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kExitOk
             : kExitFailed;
}

int SampleGenerate(const Env& env) {
  const CliOptions& o = env.options;
  if (o.out_dir.empty()) {
    env.err << "usage: dibaoctl sample generate --seed N --out DIR\n";
    return kExitUsage;
  }
  SampleDistrictOptions options;
  options.seed = o.seed;
  options.district_code = o.sample_district;
  if (o.sample_as_of.empty()) {
    // The first day of this month: every run in a month writes the same
    // files (re-imports change nothing), and the generator's 40-day margins
    // keep the age tables exact for the whole month.
    SystemClock clock;
    const absl::CivilDay today = clock.Today();
    options.as_of = absl::CivilDay(today.year(), today.month(), 1);
  } else {
    auto day = ParseDate(o.sample_as_of);
    if (!day.ok()) return Fail(env.err, day.status());
    options.as_of = *day;
  }
  auto households = GenerateSampleDistrict(options);
  if (!households.ok()) return Fail(env.err, households.status());

  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  const std::string households_path = o.out_dir + "/households.csv";
  const std::string members_path = o.out_dir + "/members.csv";
  std::ofstream hf(households_path, std::ios::binary | std::ios::trunc);
  std::ofstream mf(members_path, std::ios::binary | std::ios::trunc);
  if (!hf || !mf) {
    return Fail(env.err, absl::UnavailableError(
                             absl::StrCat("cannot write into ", o.out_dir)));
  }
  std::string hbuf = HouseholdCsvHeader();
  std::string mbuf = MemberCsvHeader();
  int64_t persons = 0;
  int64_t outlay = 0;
  std::map<std::string, int> by_status;
  for (const auto& h : *households) {
    AppendHouseholdCsv(h, &hbuf);
    outlay += h.monthly_benefit_fen();
    for (const auto& m : h.members()) {
      AppendMemberCsv(m, &mbuf);
      ++persons;
      ++by_status[ShortName(m.reported_status())];
    }
  }
  hf << hbuf;
  mf << mbuf;
  hf.close();
  mf.close();
  if (!hf || !mf) {
    return Fail(env.err, absl::UnavailableError(
                             absl::StrCat("cannot write into ", o.out_dir)));
  }
  // The agencies' nightly files about the same people, in the drop
  // directory's layout, and the list of what was planted in them.
  SampleFeedsOptions feed_options;
  feed_options.seed = options.seed;
  feed_options.as_of = options.as_of;
  auto feeds = GenerateSampleFeeds(*households, feed_options);
  if (!feeds.ok()) return Fail(env.err, feeds.status());
  const std::string feeds_dir = o.out_dir + "/feeds";
  std::filesystem::remove_all(feeds_dir, ec);
  int64_t feed_rows = 0, invalid_rows = 0;
  for (const SampleFeedFile& f : feeds->files) {
    const std::string path = feeds_dir + "/" + f.path;
    std::filesystem::create_directories(
        std::filesystem::path(path).parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << f.csv;
    out.close();
    if (!out) {
      return Fail(env.err,
                  absl::UnavailableError(absl::StrCat("cannot write ", path)));
    }
    feed_rows += f.rows;
    invalid_rows += f.invalid_rows;
  }
  const std::string planted_path = o.out_dir + "/planted.csv";
  {
    std::ofstream out(planted_path, std::ios::binary | std::ios::trunc);
    out << PlantedCsv(feeds->planted);
    out.close();
    if (!out) {
      return Fail(env.err, absl::UnavailableError(
                               absl::StrCat("cannot write ", planted_path)));
    }
  }

  std::vector<std::string> statuses;
  for (const auto& [name, count] : by_status) {
    statuses.push_back(absl::StrCat(name, " ", count));
  }
  env.out << "sample district " << options.district_code << " (seed "
          << options.seed << ", as of " << FormatDate(options.as_of)
          << "): " << households->size() << " households, " << persons
          << " persons, monthly outlay " << FormatYuan(outlay) << " yuan\n"
          << "  by reported status: " << absl::StrJoin(statuses, ", ") << "\n"
          << "  wrote " << households_path << " and " << members_path << "\n"
          << "  wrote " << feeds->files.size() << " agency files under "
          << feeds_dir << " (" << feed_rows << " rows, " << invalid_rows
          << " of them deliberately invalid) and the " << feeds->planted.size()
          << " planted cases to " << planted_path << "\n";
  return kExitOk;
}

int RunCli(const std::vector<std::string>& args, const CliOptions& options,
           std::ostream& out, std::ostream& err) {
  using Command = int (*)(const Env&);
  static const std::map<std::pair<std::string, std::string>, Command>
      kCommands = {
          {{"id", "check"}, IdCheck},
          {{"health", ""}, Health},
          {{"sample", "generate"}, SampleGenerate},
          {{"registry", "import"}, RegistryImport},
          {{"registry", "export"}, RegistryExport},
          {{"registry", "get"}, RegistryGet},
          {{"registry", "find"}, RegistryFind},
          {{"registry", "list"}, RegistryList},
          {{"registry", "history"}, RegistryHistory},
          {{"feed", "push"}, FeedPush},
          {{"feed", "batches"}, FeedBatches},
          {{"feed", "rejects"}, FeedRejects},
          {{"person", "show"}, PersonShow},
          {{"cycle", "run"}, CycleRun},
          {{"cycle", "list"}, CycleList},
          {{"flags", "list"}, FlagsList},
          {{"flags", "show"}, FlagsShow},
          {{"assessment", "show"}, AssessmentShow},
          {{"check", ""}, Check},
          {{"report", "stats"}, ReportStats},
          {{"report", "posting"}, ReportPosting},
          {{"report", "forecast"}, ReportForecast},
          {{"report", "cliff"}, ReportCliff},
          {{"sample", "draw"}, SampleDraw},
          {{"sample", "list"}, SampleList},
          {{"sample", "show"}, SampleShow},
          {{"review", "list"}, ReviewList},
          {{"review", "show"}, ReviewShow},
          {{"review", "claim"}, ReviewClaim},
          {{"review", "assign"}, ReviewAssign},
          {{"review", "comment"}, ReviewComment},
          {{"review", "decide"}, ReviewDecide},
          {{"review", "visit"}, ReviewVisit},
          {{"audit", "verify"}, AuditVerify},
          {{"audit", "log"}, AuditHistory},
          {{"recommendations", "generate"}, RecommendationsGenerate},
          {{"recommendations", "list"}, RecommendationsList},
          {{"recommendations", "show"}, RecommendationsShow},
          {{"recommendations", "approve"}, RecommendationsApprove},
          {{"recommendations", "reject"}, RecommendationsReject},
          {{"user", "add"}, UserAdd},
          {{"user", "list"}, UserList},
      };
  if (args.empty()) {
    err << CliUsage();
    return kExitUsage;
  }
  auto it = kCommands.find({args[0], ""});
  size_t used = 1;
  if (it == kCommands.end() && args.size() >= 2) {
    it = kCommands.find({args[0], args[1]});
    used = 2;
  }
  if (it == kCommands.end()) {
    err << "unknown command '"
        << absl::StrJoin(args.begin(),
                         args.begin() + std::min<size_t>(2, args.size()), " ")
        << "'\n\n"
        << CliUsage();
    return kExitUsage;
  }
  const std::vector<std::string> rest(args.begin() + used, args.end());
  return it->second(Env{options, rest, out, err});
}

}  // namespace dibao::cli
