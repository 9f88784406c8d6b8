// Power cuts for tests. A process writing a store through PowerCutFs logs,
// for every file, each length it has synced (and each file it creates,
// renames or deletes) to a journal beside it. Killing that process with
// SIGKILL at a random moment and then cutting every file back to the last
// length synced before the kill (CutToSynced) leaves on the disk exactly
// what a machine losing power at that moment keeps: synced data, nothing
// after it. (Directory entries are kept, as journaling filesystems keep
// metadata: a file created and never synced is left empty.)
//
// A separate process, not a flag in this one: RocksDB (Debian builds it
// with its assertions on) aborts when writes it was told had failed are
// retried, so the writer must simply stop, as at a real power cut.
#ifndef DIBAO_TESTS_TESTING_POWER_CUT_FS_H_
#define DIBAO_TESTS_TESTING_POWER_CUT_FS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/file_system.h"

namespace dibao::testing {

class PowerCutFs : public rocksdb::FileSystemWrapper {
 public:
  // Journals to `journal` (appended to; created when missing).
  PowerCutFs(std::shared_ptr<rocksdb::FileSystem> base,
             const std::string& journal);
  ~PowerCutFs() override;
  const char* Name() const override { return "PowerCutFs"; }

  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // One journal line, written whole (O_APPEND) before the call returns.
  void Log(const std::string& line);

 private:
  int fd_ = -1;
};

// After the journaling process was killed: cuts every file the journal
// names back to its last synced length. Returns the bytes dropped.
absl::StatusOr<int64_t> CutToSynced(const std::string& journal);

}  // namespace dibao::testing

#endif  // DIBAO_TESTS_TESTING_POWER_CUT_FS_H_
