#include "cli/cli.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include "absl/strings/match.h"
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

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path,
                                    absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", flag, " ", path));
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The channel's credentials: none on the server's local socket, where the
// socket file's permissions are the proof; a client certificate otherwise.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(
    const CliOptions& o) {
  if (absl::StartsWith(o.server, "unix:")) {
    return grpc::InsecureChannelCredentials();
  }
  if (o.cert.empty() || o.key.empty() || o.ca.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the server ", o.server,
        " needs your client certificate: give --cert, --key and --ca (or "
        "DIBAO_CERT, DIBAO_KEY, DIBAO_CA); on the server's own machine, "
        "--server=unix:PATH uses its local socket"));
  }
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadPem(o.ca, "--ca");
  if (!ca.ok()) return ca.status();
  auto key = ReadPem(o.key, "--key");
  if (!key.ok()) return key.status();
  auto cert = ReadPem(o.cert, "--cert");
  if (!cert.ok()) return cert.status();
  ssl.pem_root_certs = *std::move(ca);
  ssl.pem_private_key = *std::move(key);
  ssl.pem_cert_chain = *std::move(cert);
  return grpc::SslCredentials(ssl);
}

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const CliOptions& options) {
  auto credentials = Credentials(options);
  if (!credentials.ok()) {
    // Every command that calls the server starts here: stop before a call
    // that could only fail with a less useful message.
    std::cerr << "error: " << credentials.status().message() << "\n";
    std::exit(kExitUsage);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  return grpc::CreateCustomChannel(options.server, *credentials, args);
}

std::unique_ptr<grpc::ClientContext> NewContext(const CliOptions& options,
                                                bool streaming) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(streaming
                                                       ? options.stream_deadline
                                                       : options.deadline));
  if (!options.purpose.empty()) {
    context->AddMetadata(kPurposeMetadataKey, options.purpose);
  }
  return context;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

absl::StatusOr<std::unique_ptr<TextInput>> OpenInput(const CliOptions& options,
                                                     const std::string& path) {
  return TextInput::Open(path, options.encoding);
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
  if (o.as_of.empty()) {
    // The first day of this month: every run in a month writes the same
    // files (re-imports change nothing), and the generator's 40-day margins
    // keep the age tables exact for the whole month.
    SystemClock clock;
    const absl::CivilDay today = clock.Today();
    options.as_of = absl::CivilDay(today.year(), today.month(), 1);
  } else {
    auto day = ParseDate(o.as_of);
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

}  // namespace dibao::cli
