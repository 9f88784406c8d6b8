// dibaoctl registry ...: import, export, get, find, list, history.
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/money.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "formats/registry_format.h"

namespace dibao::cli {
namespace {

using v1::Household;
using v1::Member;
using v1::RegistryService;

std::unique_ptr<RegistryService::Stub> NewStub(const CliOptions& options) {
  return RegistryService::NewStub(Connect(options));
}

absl::StatusOr<v1::ListHouseholdsRequest> FilterRequest(const CliOptions& o) {
  v1::ListHouseholdsRequest r;
  r.set_district_code(o.district);
  r.set_street(o.street);
  r.set_community(o.community);
  if (!o.status.empty()) {
    auto status = ParseHouseholdStatus(o.status);
    if (!status.ok()) return status.status();
    r.set_status(*status);
  }
  r.set_page_size(o.page_size);
  return r;
}

std::string Categories(const Household& h) {
  std::vector<std::string> names;
  for (int c : h.categories()) {
    names.push_back(ShortName(static_cast<v1::Category>(c)));
  }
  return absl::StrJoin(names, ";");
}

std::string FileName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Prints one household for a person to read.
void PrintHousehold(const Household& h, std::ostream& out) {
  out << "household " << h.household_id() << "  " << ShortName(h.status())
      << "  version " << h.version() << "\n"
      << "  area:        " << h.district_code() << " " << h.street() << " "
      << h.community() << "\n"
      << "  registered:  " << h.registered_address() << "\n"
      << "  residence:   "
      << (h.residence_address().empty() ? "(same)" : h.residence_address())
      << "\n"
      << "  benefit:     " << FormatYuan(h.monthly_benefit_fen())
      << " yuan/month since " << FormatDate(h.benefit_start_date()) << "\n"
      << "  categories:  " << Categories(h) << "\n"
      << "  updated:     "
      << absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", FromProto(h.updated_at()),
                          BureauTimeZone())
      << " by " << h.updated_by() << "\n\n";
  Table t({"id_number", "name", "sex", "birth_date", "relation", "status",
           "income_yuan", "disabled", "able_to_work"});
  for (const Member& m : h.members()) {
    t.AddRow({m.id_number(), m.name(), ShortName(m.sex()),
              FormatDate(m.birth_date()), m.relation(),
              ShortName(m.reported_status()),
              FormatYuan(m.reported_monthly_income_fen()),
              m.disabled() ? "yes" : "no", m.able_to_work() ? "yes" : "no"});
  }
  t.Print(OutputFormat::kTable, out);
}

int ShowHousehold(const Env& env, const Household& h) {
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  switch (*format) {
    case OutputFormat::kTable:
      PrintHousehold(h, env.out);
      break;
    case OutputFormat::kJsonl:
      env.out << ToJsonLine(h) << "\n";
      break;
    case OutputFormat::kCsv: {
      std::string text = HouseholdCsvHeader();
      AppendHouseholdCsv(h, &text);
      text.push_back('\n');
      text += MemberCsvHeader();
      for (const Member& m : h.members()) AppendMemberCsv(m, &text);
      env.out << text;
      break;
    }
  }
  return kExitOk;
}

// Import state: members grouped by household (the members file is read
// first and held in memory: a registry is thousands of rows, not millions),
// then households streamed to the server one by one.
struct PendingMember {
  int64_t line;
  Member member;
};

}  // namespace

int RegistryImport(const Env& env) {
  const CliOptions& o = env.options;
  if (o.households.empty()) {
    env.err << "usage: dibaoctl registry import --households FILE "
               "[--members FILE]\n";
    return kExitUsage;
  }
  const std::string hsource = FileName(o.households);
  const std::string msource = o.members.empty() ? "" : FileName(o.members);
  std::vector<v1::Rejection> rejections;
  auto reject = [&](const std::string& source, const RowError& e) {
    v1::Rejection r;
    r.set_source(source);
    r.set_line(e.line);
    r.set_field(e.field);
    r.set_reason(e.reason);
    r.set_key(e.key);
    rejections.push_back(std::move(r));
  };

  std::vector<std::string> read_as;  // each file's encoding, for the summary
  std::map<std::string, std::vector<PendingMember>> members;
  std::map<std::string, std::vector<int64_t>> bad_member_lines;
  if (!o.members.empty()) {
    auto format = ChooseFileFormat(o.members, o.input_format);
    if (!format.ok()) return Fail(env.err, format.status());
    auto in = OpenInput(o, o.members);
    if (!in.ok()) return Fail(env.err, in.status());
    read_as.push_back(absl::StrCat(o.members, ": ", (*in)->describe()));
    absl::Status s = ReadMembers((*in)->stream(), *format,
                                 [&](int64_t line, Member m) {
                                   const std::string id = m.household_id();
                                   members[id].push_back({line, std::move(m)});
                                 },
                                 [&](RowError e) {
                                   if (!e.key.empty())
                                     bad_member_lines[e.key].push_back(e.line);
                                   reject(msource, e);
                                 });
    if (!s.ok()) {
      return Fail(env.err, absl::Status(s.code(), absl::StrCat(o.members, ": ",
                                                               s.message())));
    }
  }

  auto format = ChooseFileFormat(o.households, o.input_format);
  if (!format.ok()) return Fail(env.err, format.status());
  auto in = OpenInput(o, o.households);
  if (!in.ok()) return Fail(env.err, in.status());
  read_as.push_back(absl::StrCat(o.households, ": ", (*in)->describe()));

  auto stub = NewStub(o);
  auto context = NewContext(o, /*streaming=*/true);
  v1::ImportRegistryResponse response;
  auto writer = stub->ImportRegistry(context.get(), &response);
  v1::ImportRegistryRequest request;
  request.mutable_header()->set_households_source(hsource);
  request.mutable_header()->set_members_source(msource);
  bool stream_ok = writer->Write(request);

  std::map<std::string, int64_t> seen;  // household_id -> line
  int64_t households_read = 0;
  absl::Status s = ReadHouseholds(
      (*in)->stream(), *format,
      [&](int64_t line, Household h) {
        ++households_read;
        const std::string id = h.household_id();
        if (auto [it, fresh] = seen.emplace(id, line); !fresh) {
          reject(hsource, {line, "household_id",
                           absl::StrCat("household ", id,
                                        " appears again (first on line ",
                                        it->second, ")"),
                           id});
          return;
        }
        if (auto bad = bad_member_lines.find(id);
            bad != bad_member_lines.end()) {
          reject(hsource,
                 {line, "",
                  absl::StrCat("household not imported because ", msource,
                               " line(s) ", absl::StrJoin(bad->second, ", "),
                               " of its members were refused"),
                  id});
          members.erase(id);
          return;
        }
        v1::ImportItem* item = request.mutable_item();
        item->Clear();
        item->set_household_line(line);
        for (int i = 0; i < h.members_size(); ++i) item->add_member_lines(line);
        if (auto found = members.find(id); found != members.end()) {
          for (PendingMember& p : found->second) {
            *h.add_members() = std::move(p.member);
            item->add_member_lines(p.line);
          }
          members.erase(found);
        }
        *item->mutable_household() = std::move(h);
        if (stream_ok) stream_ok = writer->Write(request);
      },
      [&](RowError e) {
        if (!e.key.empty()) seen.emplace(e.key, e.line);
        reject(hsource, e);
      });
  // Members whose household is not in the households file.
  for (const auto& [id, pending] : members) {
    const bool household_refused = seen.count(id) > 0;
    for (const PendingMember& p : pending) {
      reject(msource,
             {p.line, "household_id",
              household_refused
                  ? absl::StrCat("not imported: the line of household ", id,
                                 " in ", hsource, " was refused")
                  : absl::StrCat("household ", id, " is not in ", hsource),
              id});
    }
  }
  if (stream_ok) writer->WritesDone();
  grpc::Status finished = writer->Finish();
  if (!s.ok()) {
    return Fail(env.err, absl::Status(s.code(), absl::StrCat(o.households, ": ",
                                                             s.message())));
  }
  if (!finished.ok()) return Fail(env.err, FromGrpc(finished));

  for (const auto& r : response.rejections()) rejections.push_back(r);
  std::sort(rejections.begin(), rejections.end(),
            [](const v1::Rejection& a, const v1::Rejection& b) {
              return std::make_tuple(a.source(), a.line(), a.field()) <
                     std::make_tuple(b.source(), b.line(), b.field());
            });
  env.out << hsource << ": " << households_read << " households read; "
          << response.created() << " created, " << response.updated()
          << " updated, " << response.unchanged() << " unchanged, "
          << response.rejected_households() << " refused by the server; "
          << response.members_stored() << " members stored\n";
  for (const std::string& file : read_as) env.out << "read " << file << "\n";
  if (rejections.empty()) return kExitOk;

  env.out << rejections.size() + response.rejections_omitted()
          << " line(s) refused:\n";
  auto out_format = ParseOutputFormat(o.format);
  Table t({"file", "line", "field", "household_id", "reason"});
  for (const auto& r : rejections) {
    t.AddRow(
        {r.source(), absl::StrCat(r.line()), r.field(), r.key(), r.reason()});
  }
  t.Print(out_format.ok() && *out_format == OutputFormat::kCsv
              ? OutputFormat::kCsv
              : OutputFormat::kTable,
          env.out);
  if (response.rejections_omitted() > 0) {
    env.out << "(" << response.rejections_omitted()
            << " more refused by the server, not listed)\n";
  }
  return kExitPartial;
}

int RegistryExport(const Env& env) {
  const CliOptions& o = env.options;
  if (o.households.empty() || o.members.empty()) {
    env.err << "usage: dibaoctl registry export --households FILE --members "
               "FILE\n";
    return kExitUsage;
  }
  auto request = FilterRequest(o);
  if (!request.ok()) return Fail(env.err, request.status());
  std::ofstream hf(o.households, std::ios::binary | std::ios::trunc);
  std::ofstream mf(o.members, std::ios::binary | std::ios::trunc);
  if (!hf || !mf) {
    return Fail(env.err,
                absl::UnavailableError("cannot open the output files"));
  }
  hf << HouseholdCsvHeader();
  mf << MemberCsvHeader();
  auto stub = NewStub(o);
  auto context = NewContext(o, /*streaming=*/true);
  auto reader = stub->ExportRegistry(context.get(), *request);
  Household h;
  int64_t households = 0, persons = 0;
  std::string buf;
  while (reader->Read(&h)) {
    buf.clear();
    AppendHouseholdCsv(h, &buf);
    hf << buf;
    buf.clear();
    for (const Member& m : h.members()) AppendMemberCsv(m, &buf);
    mf << buf;
    ++households;
    persons += h.members_size();
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  hf.close();
  mf.close();
  if (!hf || !mf) {
    return Fail(env.err, absl::UnavailableError("writing the export failed"));
  }
  env.out << "exported " << households << " households and " << persons
          << " members to " << o.households << " and " << o.members << "\n";
  return kExitOk;
}

int RegistryGet(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl registry get HOUSEHOLD_ID [--at RFC3339]\n";
    return kExitUsage;
  }
  v1::GetHouseholdRequest request;
  request.set_household_id(env.args[0]);
  if (!env.options.at.empty()) {
    absl::Time t;
    std::string why;
    if (!absl::ParseTime(absl::RFC3339_full, env.options.at, &t, &why)) {
      return Fail(env.err, absl::InvalidArgumentError(absl::StrCat(
                               "--at '", env.options.at,
                               "' is not an RFC 3339 time: ", why)));
    }
    *request.mutable_as_of() = ToProto(t);
  }
  auto stub = NewStub(env.options);
  auto context = NewContext(env.options);
  Household h;
  grpc::Status s = stub->GetHousehold(context.get(), request, &h);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  return ShowHousehold(env, h);
}

int RegistryFind(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl registry find ID_NUMBER\n";
    return kExitUsage;
  }
  v1::FindHouseholdByMemberRequest request;
  request.set_id_number(env.args[0]);
  auto stub = NewStub(env.options);
  auto context = NewContext(env.options);
  Household h;
  grpc::Status s = stub->FindHouseholdByMember(context.get(), request, &h);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  return ShowHousehold(env, h);
}

int RegistryList(const Env& env) {
  auto request = FilterRequest(env.options);
  if (!request.ok()) return Fail(env.err, request.status());
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  auto stub = NewStub(env.options);

  Table table({"household_id", "street", "community", "status", "members",
               "benefit_yuan", "categories"});
  std::string csv = HouseholdCsvHeader();
  int64_t count = 0;
  int64_t outlay = 0;
  if (*format == OutputFormat::kCsv) env.out << csv;
  // Fetch every page; the token carries where the last one stopped.
  for (;;) {
    auto context = NewContext(env.options);
    v1::ListHouseholdsResponse page;
    grpc::Status s = stub->ListHouseholds(context.get(), *request, &page);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    for (const Household& h : page.households()) {
      ++count;
      outlay += h.monthly_benefit_fen();
      switch (*format) {
        case OutputFormat::kTable:
          table.AddRow({h.household_id(), h.street(), h.community(),
                        ShortName(h.status()), absl::StrCat(h.members_size()),
                        FormatYuan(h.monthly_benefit_fen()), Categories(h)});
          break;
        case OutputFormat::kCsv:
          csv.clear();
          AppendHouseholdCsv(h, &csv);
          env.out << csv;
          break;
        case OutputFormat::kJsonl:
          env.out << ToJsonLine(h) << "\n";
          break;
      }
    }
    if (page.next_page_token().empty()) break;
    request->set_page_token(page.next_page_token());
  }
  if (*format == OutputFormat::kTable) {
    table.Print(OutputFormat::kTable, env.out);
    env.out << count << " households, monthly benefit " << FormatYuan(outlay)
            << " yuan\n";
  }
  return kExitOk;
}

int RegistryHistory(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl registry history HOUSEHOLD_ID\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetHouseholdHistoryRequest request;
  request.set_household_id(env.args[0]);
  auto stub = NewStub(env.options);
  auto context = NewContext(env.options);
  v1::GetHouseholdHistoryResponse response;
  grpc::Status s = stub->GetHouseholdHistory(context.get(), request, &response);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    for (const auto& c : response.changes()) env.out << ToJsonLine(c) << "\n";
    return kExitOk;
  }
  Table t({"version", "change_seq", "at", "actor", "source", "changed"});
  for (const auto& c : response.changes()) {
    t.AddRow({absl::StrCat(c.version()), absl::StrCat(c.change_seq()),
              absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", FromProto(c.at()),
                               BureauTimeZone()),
              c.actor(), c.source(), absl::StrJoin(c.changed_fields(), " ")});
  }
  t.Print(*format, env.out);
  return kExitOk;
}

}  // namespace dibao::cli
