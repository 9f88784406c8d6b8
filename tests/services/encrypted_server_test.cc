// The server on a data directory encrypted at rest, as the issue measured
// it: after the sample is loaded (batches through ingested files too) and a
// cycle has run, not one of the sample's ID numbers is in the directory's
// files; on a plain directory every one is. The directory opens with its
// key only.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "tests/testing/sample_server.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

// The sample's resident IDs (members.csv's id_number column).
std::set<std::string> SampleIds(const std::string& dir) {
  std::set<std::string> ids;
  const std::string csv = testing::ReadFile(dir + "/sample/members.csv");
  bool header = true;
  int column = -1;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (header) {
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "id_number") column = static_cast<int>(i);
      }
      header = false;
      continue;
    }
    if (column >= 0 && column < static_cast<int>(cells.size())) {
      ids.insert(cells[column]);
    }
  }
  return ids;
}

// How many of `ids` appear anywhere in the files under `dir`.
size_t Found(const std::string& dir, const std::set<std::string>& ids) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    all += bytes.str();
  }
  size_t found = 0;
  for (const std::string& id : ids) found += all.find(id) != std::string::npos;
  return found;
}

std::unique_ptr<testing::SampleServer> Loaded(bool encrypted) {
  testing::SampleServerOptions o;
  o.name = encrypted ? "encrypted-server" : "plain-server";
  o.encrypted = encrypted;
  o.run_cycle = true;
  // Larger batches commit through ingested SST files.
  o.sst_threshold_records = 50;
  auto s = testing::SampleServer::Start(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

TEST(EncryptedServerTest, NoIdOfTheSampleIsInTheDataDirectory) {
  auto s = Loaded(/*encrypted=*/true);
  ASSERT_NE(s, nullptr);
  // It works as a plain one does: the cycle found the planted conflicts.
  auto flags = s->Ctl({"flags", "list", "--format=csv"});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_GT(std::count(flags.out.begin(), flags.out.end(), '\n'), 20);
  const std::string dir = s->dir();
  const std::set<std::string> ids = SampleIds(dir);
  ASSERT_GT(ids.size(), 1000u);
  s->Stop();
  EXPECT_EQ(Found(dir + "/data", ids), 0u);

  // Without its key the directory does not open, and says why.
  StoreOptions plain;
  auto reopened = Store::Open(dir + "/data", plain);
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(reopened.status().message(), HasSubstr("is encrypted"));
}

// The scan above finds what is there: on a plain directory it finds the
// IDs (all of them in the log and uncompressed blocks; a compressed block
// may hide a few).
TEST(EncryptedServerTest, APlainDirectoryHoldsTheIdsInClearText) {
  auto s = Loaded(/*encrypted=*/false);
  ASSERT_NE(s, nullptr);
  const std::string dir = s->dir();
  const std::set<std::string> ids = SampleIds(dir);
  s->Stop();
  EXPECT_GT(Found(dir + "/data", ids), ids.size() * 9 / 10);
}

}  // namespace
}  // namespace dibao
