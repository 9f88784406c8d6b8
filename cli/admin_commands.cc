// dibaoctl reload, backup and backups: reading the server's files again,
// and its online backups.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/dates.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "dibao/v1/admin.grpc.pb.h"

namespace dibao::cli {
namespace {

std::unique_ptr<v1::AdminService::Stub> Stub(const CliOptions& o) {
  return v1::AdminService::NewStub(Connect(o));
}

std::string When(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProto(t), BureauTimeZone());
}

std::string Bytes(int64_t n) {
  if (n >= (int64_t{1} << 30)) {
    return absl::StrFormat("%.2f GiB", static_cast<double>(n) / (1 << 30));
  }
  if (n >= (1 << 20)) {
    return absl::StrFormat("%.1f MiB", static_cast<double>(n) / (1 << 20));
  }
  return absl::StrCat(n, " bytes");
}

}  // namespace

int Reload(const Env& env) {
  v1::ReloadResponse r;
  grpc::Status s =
      Stub(env.options)
          ->Reload(NewContext(env.options).get(), v1::ReloadRequest(), &r);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  bool refused = false;
  for (const v1::ReloadedPart& p : r.parts()) {
    std::string outcome = v1::ReloadedPart::Outcome_Name(p.outcome());
    for (char& c : outcome) c = static_cast<char>(std::tolower(c));
    for (char& c : outcome) c = c == '_' ? ' ' : c;
    env.out << p.part() << ": " << outcome;
    if (!p.file().empty()) env.out << " (" << p.file() << ")";
    env.out << "\n  " << p.detail() << "\n";
    refused |= p.outcome() == v1::ReloadedPart::REFUSED;
  }
  // A refusal leaves the server running on the old file: the operator's
  // script must see that something it meant to change did not.
  return refused ? kExitPartial : kExitOk;
}

int BackupCreate(const Env& env) {
  v1::CreateBackupResponse r;
  auto context = NewContext(env.options, /*streaming=*/true);
  grpc::Status s =
      Stub(env.options)
          ->CreateBackup(context.get(), v1::CreateBackupRequest(), &r);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  const v1::Backup& b = r.backup();
  env.out << "backup " << b.backup_id() << " in " << r.backup_dir() << ": "
          << b.files() << " files, " << Bytes(b.size_bytes()) << " ("
          << Bytes(r.new_bytes()) << " new), "
          << absl::StrFormat("%.1f s", b.seconds()) << "\n"
          << "audit chain held to entry " << b.audit_seq_at_least()
          << " at least\n";
  if (r.purged_ids_size() > 0) {
    env.out << "purged (keeping " << r.keep() << "):";
    for (uint32_t id : r.purged_ids()) env.out << " " << id;
    env.out << "\n";
  }
  return kExitOk;
}

int BackupList(const Env& env) {
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListBackupsResponse r;
  grpc::Status s = Stub(env.options)
                       ->ListBackups(NewContext(env.options).get(),
                                     v1::ListBackupsRequest(), &r);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  Table t({"id", "taken", "by", "files", "bytes", "audit_seq_at_least"});
  for (const v1::Backup& b : r.backups()) {
    t.AddRow({absl::StrCat(b.backup_id()), When(b.at()), b.taken_by(),
              absl::StrCat(b.files()), absl::StrCat(b.size_bytes()),
              absl::StrCat(b.audit_seq_at_least())});
  }
  t.Print(*format, env.out);
  if (*format == OutputFormat::kTable) {
    env.out << r.backups_size() << " backups in " << r.backup_dir()
            << " (keeping " << r.keep() << ")\n";
  }
  return kExitOk;
}

}  // namespace dibao::cli
