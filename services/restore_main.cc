// dibao-restore: puts a backup of the store (`dibaoctl backup`) back into
// an empty data directory, then opens it and checks what it holds: the
// audit chain verifies, and the state digest is printed.
//
// Run on the server's host as the server's user, with no server on the
// target directory; then start dibao-server with --data_dir on it.
#include <sys/stat.h>

#include <cstdint>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/version.h"
#include "storage/audit_log.h"
#include "storage/backups.h"
#include "storage/encryption.h"
#include "storage/store.h"

ABSL_FLAG(std::string, from, "", "the backup directory (backup.dir)");
ABSL_FLAG(uint32_t, backup_id, 0, "the backup to restore (default: newest)");
ABSL_FLAG(std::string, data_dir, "",
          "where to restore: a new or empty directory");
ABSL_FLAG(std::string, encryption_key_file, "",
          "the store's key file, when it was encrypted at rest");
ABSL_FLAG(bool, list, false, "list the backups in --from, restore nothing");

namespace {

int Fail(const absl::Status& s) {
  std::cerr << "dibao-restore: " << absl::StatusCodeToString(s.code()) << ": "
            << s.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(077);  // a restored store is personal data, its user's alone
  absl::SetProgramUsageMessage(
      "dibao-restore --from=BACKUP_DIR [--backup_id=N] --data_dir=NEW_DIR "
      "[--encryption_key_file=FILE]");
  absl::ParseCommandLine(argc, argv);
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (from.empty() || (data_dir.empty() && !absl::GetFlag(FLAGS_list))) {
    std::cerr << "usage: " << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  std::string key;
  if (const std::string file = absl::GetFlag(FLAGS_encryption_key_file);
      !file.empty()) {
    auto read = dibao::ReadEncryptionKey(file, data_dir);
    if (!read.ok()) return Fail(read.status());
    key = *std::move(read);
  }
  if (absl::GetFlag(FLAGS_list)) {
    auto listed = dibao::ListBackups(from, key);
    if (!listed.ok()) return Fail(listed.status());
    for (const dibao::v1::Backup& b : *listed) {
      std::cout << "backup " << b.backup_id() << "  "
                << absl::FormatTime("%Y-%m-%d %H:%M:%S",
                                    dibao::FromProto(b.at()),
                                    dibao::BureauTimeZone())
                << "  by " << b.taken_by() << "  " << b.files() << " files, "
                << b.size_bytes() << " bytes, audit chain to entry "
                << b.audit_seq_at_least() << " at least\n";
    }
    return 0;
  }
  const absl::Time started = absl::Now();
  auto restored =
      dibao::RestoreBackup(from, absl::GetFlag(FLAGS_backup_id), data_dir, key);
  if (!restored.ok()) return Fail(restored.status());
  std::cout << "restored backup " << restored->backup_id() << " (taken "
            << absl::FormatTime("%Y-%m-%d %H:%M:%S",
                                dibao::FromProto(restored->at()),
                                dibao::BureauTimeZone())
            << " by " << restored->taken_by() << ") into " << data_dir << " in "
            << absl::FormatDuration(absl::Now() - started) << "\n";

  // Open it as the server would and check what it holds.
  dibao::StoreOptions options;
  options.create_if_missing = false;
  options.encryption_key = key;
  auto store = dibao::Store::Open(data_dir, options);
  if (!store.ok()) return Fail(store.status());
  dibao::SystemClock clock;
  auto audit = dibao::AuditLog::Open(store->get(), &clock);
  if (!audit.ok()) return Fail(audit.status());
  auto verified = (*audit)->Verify();
  if (!verified.ok()) return Fail(verified.status());
  if (!verified->ok()) {
    std::cerr << "dibao-restore: the restored audit chain does not verify: "
              << verified->problem() << " (entry "
              << verified->first_broken_seq() << ")\n";
    return 1;
  }
  if (verified->entries() < restored->audit_seq_at_least()) {
    std::cerr << "dibao-restore: the restored audit chain ends at entry "
              << verified->entries() << ", before entry "
              << restored->audit_seq_at_least() << " the backup was taken at\n";
    return 1;
  }
  std::cout << "audit chain verifies: " << verified->entries()
            << " entries, head " << verified->head_hash() << "\n";
  auto digest = dibao::StateDigest(**store);
  if (!digest.ok()) return Fail(digest.status());
  std::cout << "state digest " << *digest << "\n";
  absl::Status closed = (*store)->Close();
  if (!closed.ok()) return Fail(closed);
  std::cout << "start the server with --data_dir=" << data_dir << "\n";
  return 0;
}
