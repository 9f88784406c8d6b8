// dibaoctl feed ... and person show: pushing agency files, reading receipts,
// rejections and everything known about one person.
#include <unistd.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/dates.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "formats/cells.h"
#include "formats/feed_format.h"
#include "formats/feed_kinds.h"

namespace dibao::cli {
namespace {

constexpr int kChunkRecords = 1000;
constexpr int64_t kProgressEvery = 100'000;

std::unique_ptr<v1::FeedService::Stub> NewStub(const CliOptions& options) {
  return v1::FeedService::NewStub(Connect(options));
}

std::string Masked(const v1::RecordRejection& r) {
  return r.id_number_masked();
}

void PrintReceipt(const v1::Receipt& r, std::ostream& out) {
  const v1::BatchHeader& h = r.header();
  const FeedKindSpec* spec = FindFeedKind(h.kind());
  out << "batch " << h.batch_id() << " (" << AgencyName(h.agency()) << " "
      << (spec ? spec->name : "?") << ", "
      << (h.mode() == v1::BATCH_MODE_SNAPSHOT ? "SNAPSHOT" : "DELTA")
      << ", as of " << FormatDate(h.as_of()) << ")"
      << (r.replayed() ? ": already committed, nothing changed" : ": committed")
      << "\n"
      << "  records " << h.record_count() << ": " << r.accepted()
      << " accepted, " << r.unchanged() << " unchanged, " << r.rejected()
      << " rejected, " << r.retired() << " retired"
      << (r.withdrawn() > 0 ? absl::StrCat(", ", r.withdrawn(), " withdrawn")
                            : "")
      << "\n"
      << "  marked for matching: " << r.persons_marked() << " persons, "
      << r.households_marked() << " beneficiary households\n"
      << "  batch #" << r.batch_seq() << ", digest " << r.digest() << "\n";
  if (!h.source_encoding().empty()) {
    out << "  " << (h.source().empty() ? "file" : h.source()) << " read as "
        << h.source_encoding() << "\n";
  }
  if (r.unreadable() > 0) {
    out << "  " << r.unreadable() << " of the rejected are lines the file "
        << "could not be read in\n";
  }
  if (r.retirements_held() > 0) {
    out << "  " << r.retirements_held() << " current facts not in the "
        << "snapshot were kept, not retired: ";
    if (r.rejected_without_person() > 0) {
      out << r.rejected_without_person() << " rejected record(s) name no "
          << "readable person, so the snapshot cannot tell whose facts it "
          << "lacks; push the corrected file as a new batch to end them\n";
    } else {
      out << "they belong to people whose records were rejected\n";
    }
  }
  if (r.rejections_size() == 0) return;
  Table t({"position", "line", "field", "id_number", "reason"});
  for (const auto& x : r.rejections()) {
    t.AddRow({absl::StrCat(x.position()), absl::StrCat(x.source_line()),
              x.field(), Masked(x), x.reason()});
  }
  out << "  rejected records";
  if (r.rejected() > r.rejections_size()) {
    out << " (first " << r.rejections_size() << "; dibaoctl feed rejects "
        << h.batch_id() << " lists all)";
  }
  out << ":\n";
  t.Print(OutputFormat::kTable, out);
}

}  // namespace

std::string FactValuesText(const v1::Fact& fact) {
  const FeedKindSpec* spec = FindFeedKind(fact.kind());
  if (spec == nullptr) return "";
  std::string row;
  AppendFeedCsv(*spec, fact.record(), &row);
  // Skip id_number and name (and the row's newline): the person is the
  // subject of the page.
  auto skip2 = [](const std::string& line) {
    size_t p = line.find(',');
    p = line.find(',', p + 1);
    return line.substr(p + 1, line.size() - p - 2);
  };
  return absl::StrCat(skip2(FeedCsvHeader(*spec)), " = ", skip2(row));
}

namespace {

// The longest reason an unreadable line carries (the server keeps 1,000
// bytes).
constexpr size_t kMaxUnreadableReason = 1000;

// Turns a file's lines into the upload's records in line order: a line read
// whole is its record; a line with refused cells becomes one UnreadableLine
// record holding all their reasons and, when it could be read, its ID.
class LineRecords {
 public:
  explicit LineRecords(std::function<void(v1::FeedRecord)> emit)
      : emit_(std::move(emit)) {}

  void Good(v1::FeedRecord record) {
    Flush();
    emit_(std::move(record));
  }
  void Bad(RowError e) {
    if (pending_ && e.line != pending_line_) Flush();
    if (!pending_) {
      pending_ = true;
      pending_line_ = e.line;
      record_.Clear();
      record_.set_source_line(e.line);
      // The server keeps at most 64 bytes of it.
      record_.set_id_number(e.key);
      record_.mutable_unreadable()->set_field(e.field);
    }
    std::string& reason = *record_.mutable_unreadable()->mutable_reason();
    std::string piece = e.field.empty() || reason.empty()
                            ? e.reason
                            : absl::StrCat(e.field, ": ", e.reason);
    if (!reason.empty()) piece = absl::StrCat("; ", piece);
    if (reason.size() + piece.size() <= kMaxUnreadableReason) reason += piece;
    if (!problems_.empty() && problems_.back().line == e.line) return;
    problems_.push_back(std::move(e));
  }
  void Flush() {
    if (!pending_) return;
    pending_ = false;
    emit_(std::move(record_));
    record_.Clear();
  }
  // The first refused cell of each unreadable line, for the person pushing.
  const std::vector<RowError>& problems() const { return problems_; }

 private:
  std::function<void(v1::FeedRecord)> emit_;
  bool pending_ = false;
  int64_t pending_line_ = 0;
  v1::FeedRecord record_;
  std::vector<RowError> problems_;
};

// The lines of the file this client could not read, when the server did
// not take the batch (on success the receipt lists them).
void PrintUnreadable(const std::string& path,
                     const std::vector<RowError>& problems, std::ostream& out) {
  if (problems.empty()) return;
  constexpr size_t kShown = 20;
  out << problems.size() << " line(s) of " << path
      << " could not be read; the first:\n";
  Table t({"line", "field", "reason"});
  for (size_t i = 0; i < problems.size() && i < kShown; ++i) {
    t.AddRow({absl::StrCat(problems[i].line), problems[i].field,
              problems[i].reason});
  }
  t.Print(OutputFormat::kTable, out);
}

}  // namespace

int FeedPush(const Env& env) {
  const CliOptions& o = env.options;
  const std::string as_of_text = o.as_of;
  if (env.args.size() != 1 || o.agency.empty() || o.kind.empty() ||
      o.batch_id.empty() || as_of_text.empty()) {
    env.err << "usage: dibaoctl feed push --agency AGENCY --kind KIND "
               "--batch-id ID --as-of YYYY-MM-DD [--snapshot] "
               "[--allow-mass-retirement] [--encoding ENC] FILE\n";
    return kExitUsage;
  }
  const std::string& path = env.args[0];
  auto spec = FindFeedKind(o.agency, o.kind);
  if (!spec.ok()) return Fail(env.err, spec.status());
  auto as_of = ParseDate(as_of_text);
  if (!as_of.ok()) return Fail(env.err, as_of.status());
  auto format = ChooseFileFormat(path, o.input_format);
  if (!format.ok()) return Fail(env.err, format.status());

  // The header announces the record count, so the file is read twice: once
  // to count its lines, once to stream them. A line that cannot be read is
  // sent too, as an unreadable line: the server counts and keeps it, and a
  // SNAPSHOT does not end the facts it might have held.
  int64_t count = 0;
  std::string encoding;
  {
    auto input = OpenInput(o, path);
    if (!input.ok()) return Fail(env.err, input.status());
    encoding = (*input)->describe();
    LineRecords lines([&](v1::FeedRecord) { ++count; });
    absl::Status s = ReadFeedRecords(
        (*input)->stream(), *format, **spec,
        [&](int64_t, v1::FeedRecord r) { lines.Good(std::move(r)); },
        [&](RowError e) { lines.Bad(std::move(e)); });
    lines.Flush();
    if (!s.ok()) {
      return Fail(
          env.err,
          absl::Status(s.code(), path + ": " + std::string(s.message())));
    }
  }

  v1::UploadRequest request;
  v1::BatchHeader* h = request.mutable_header();
  h->set_agency((*spec)->agency);
  h->set_kind((*spec)->kind);
  h->set_batch_id(o.batch_id);
  *h->mutable_as_of() = ToProto(*as_of);
  h->set_mode(o.snapshot ? v1::BATCH_MODE_SNAPSHOT : v1::BATCH_MODE_DELTA);
  h->set_allow_mass_retirement(o.allow_mass_retirement);
  h->set_record_count(count);
  h->set_source(path.substr(path.rfind('/') + 1));
  h->set_source_encoding(encoding);

  auto stub = NewStub(o);
  auto context = NewContext(o, /*streaming=*/true);
  v1::Receipt receipt;
  auto writer = stub->Upload(context.get(), &receipt);
  bool ok = writer->Write(request);
  request.Clear();
  const bool progress = count >= kProgressEvery && isatty(STDERR_FILENO);
  int64_t sent = 0;
  const absl::Time start = absl::Now();
  auto input = OpenInput(o, path);
  if (!input.ok()) return Fail(env.err, input.status());
  LineRecords lines([&](v1::FeedRecord record) {
    if (!ok) return;
    *request.mutable_records()->add_records() = std::move(record);
    if (request.records().records_size() == kChunkRecords) {
      ok = writer->Write(request);
      request.Clear();
    }
    if (++sent % kProgressEvery == 0 && progress) {
      env.err << absl::StrFormat(
          "\r  sent %d of %d records (%.0f records/s)", sent, count,
          sent / std::max(1e-3, absl::ToDoubleSeconds(absl::Now() - start)));
    }
  });
  absl::Status s = ReadFeedRecords(
      (*input)->stream(), *format, **spec,
      [&](int64_t, v1::FeedRecord r) { lines.Good(std::move(r)); },
      [&](RowError e) { lines.Bad(std::move(e)); });
  lines.Flush();
  if (ok && request.records().records_size() > 0) ok = writer->Write(request);
  if (progress) env.err << "\n";
  if (ok) writer->WritesDone();
  grpc::Status finished = writer->Finish();
  if (!s.ok()) return Fail(env.err, s);
  if (!finished.ok()) {
    PrintUnreadable(path, lines.problems(), env.err);
    return Fail(env.err, FromGrpc(finished));
  }

  PrintReceipt(receipt, env.out);
  return receipt.rejected() > 0 ? kExitPartial : kExitOk;
}

int FeedBatches(const Env& env) {
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListBatchesRequest request;
  if (!env.options.agency.empty()) {
    auto agency = ParseAgency(env.options.agency);
    if (!agency.ok()) return Fail(env.err, agency.status());
    request.set_agency(*agency);
  }
  request.set_limit(env.options.limit);
  auto stub = NewStub(env.options);
  auto context = NewContext(env.options);
  v1::ListBatchesResponse response;
  grpc::Status s = stub->ListBatches(context.get(), request, &response);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    for (const auto& r : response.receipts()) env.out << ToJsonLine(r) << "\n";
    return kExitOk;
  }
  Table t({"batch_seq", "batch_id", "agency", "kind", "mode", "as_of",
           "records", "accepted", "unchanged", "rejected", "retired",
           "withdrawn", "committed_at", "committed_by"});
  for (const auto& r : response.receipts()) {
    const auto& h = r.header();
    const FeedKindSpec* spec = FindFeedKind(h.kind());
    t.AddRow({absl::StrCat(r.batch_seq()), h.batch_id(), AgencyName(h.agency()),
              spec ? spec->name : "?",
              h.mode() == v1::BATCH_MODE_SNAPSHOT ? "SNAPSHOT" : "DELTA",
              FormatDate(h.as_of()), absl::StrCat(h.record_count()),
              absl::StrCat(r.accepted()), absl::StrCat(r.unchanged()),
              absl::StrCat(r.rejected()), absl::StrCat(r.retired()),
              absl::StrCat(r.withdrawn()),
              absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProto(r.committed_at()),
                               BureauTimeZone()),
              r.committed_by()});
  }
  t.Print(*format, env.out);
  return kExitOk;
}

int FeedRejects(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl feed rejects BATCH_ID [--format csv|table]\n";
    return kExitUsage;
  }
  // CSV by default: this is the file that goes back to the agency.
  auto format =
      ParseOutputFormat(env.options.format_given ? env.options.format : "csv");
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetRejectionsRequest request;
  request.set_batch_id(env.args[0]);
  auto stub = NewStub(env.options);
  auto context = NewContext(env.options, /*streaming=*/true);
  auto reader = stub->GetRejections(context.get(), request);
  Table t({"position", "line", "field", "id_number", "reason"});
  v1::RecordRejection r;
  while (reader->Read(&r)) {
    if (*format == OutputFormat::kJsonl) {
      env.out << ToJsonLine(r) << "\n";
      continue;
    }
    t.AddRow({absl::StrCat(r.position()), absl::StrCat(r.source_line()),
              r.field(), Masked(r), r.reason()});
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format != OutputFormat::kJsonl) t.Print(*format, env.out);
  return kExitOk;
}

int FeedFeedback(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl feed feedback [--agency AGENCY] "
               "[--since YYYY-MM-DD] [--format csv|table|jsonl]\n";
    return kExitUsage;
  }
  // CSV by default: like the rejections, a file for the agency.
  auto format = ParseOutputFormat(o.format_given ? o.format : "csv");
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetFeedbackRequest request;
  if (!o.agency.empty()) {
    auto agency = ParseAgency(o.agency);
    if (!agency.ok()) return Fail(env.err, agency.status());
    request.set_agency(*agency);
  }
  if (!o.since.empty()) {
    auto day = ParseDate(o.since);
    if (!day.ok()) return Fail(env.err, day.status());
    *request.mutable_since() = ToProto(*day);
  }
  auto stub = NewStub(o);
  auto context = NewContext(o, /*streaming=*/true);
  auto reader = stub->GetFeedback(context.get(), request);
  Table t({"decided_at", "kind", "id_number", "natural_key", "batch_id",
           "reason", "visit", "note", "flag_id", "withdrawn_by_batch"});
  v1::PartnerFeedback f;
  while (reader->Read(&f)) {
    if (*format == OutputFormat::kJsonl) {
      env.out << ToJsonLine(f) << "\n";
      continue;
    }
    const FeedKindSpec* spec = FindFeedKind(f.kind());
    t.AddRow({absl::FormatTime("%Y-%m-%d %H:%M", FromProto(f.decided_at()),
                               BureauTimeZone()),
              spec != nullptr ? spec->name : "?", f.id_number_masked(),
              f.natural_key(), f.batch_id(), f.reason(),
              f.visit() ? "yes" : "no", f.note(), f.flag_id(),
              f.withdrawn_by_batch()});
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format != OutputFormat::kJsonl) t.Print(*format, env.out);
  return kExitOk;
}

int PersonShow(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl person show ID_NUMBER\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetPersonFactsRequest request;
  request.set_id_number(env.args[0]);
  auto stub = NewStub(env.options);
  auto context = NewContext(env.options);
  v1::PersonFacts facts;
  grpc::Status s = stub->GetPersonFacts(context.get(), request, &facts);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    for (const auto& f : facts.facts()) env.out << ToJsonLine(f) << "\n";
    return kExitOk;
  }
  Table t({"agency", "kind", "valid_from", "valid_to", "batch", "ended_by",
           "facts"});
  for (const auto& f : facts.facts()) {
    const FeedKindSpec* spec = FindFeedKind(f.kind());
    t.AddRow({AgencyName(f.agency()), spec ? spec->name : "?",
              FormatDate(f.valid_from()),
              f.has_valid_to() ? FormatDate(f.valid_to()) : "current",
              f.batch_id(), f.ended_by_batch(), FactValuesText(f)});
  }
  if (*format == OutputFormat::kTable) {
    env.out << "person " << facts.id_number() << ": " << facts.facts_size()
            << " fact versions\n";
  }
  t.Print(*format, env.out);
  return kExitOk;
}

}  // namespace dibao::cli
