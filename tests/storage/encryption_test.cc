// Encryption at rest (storage/encryption): an encrypted store's files hold
// nothing readable, ingested files included; it opens with its key only,
// and each wrong way of opening it says what is wrong; key files are
// checked before use.
#include "storage/encryption.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/commit_sink.h"
#include "storage/store.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

constexpr char kId[] = "420102199003074513";
constexpr char kName[] = "张三明";

std::string Key(char fill) { return std::string(32, fill); }

// Every byte of every file under `dir`, concatenated.
std::string AllBytes(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    all += s.str();
  }
  return all;
}

StoreOptions WithKey(const std::string& key) {
  StoreOptions o;
  o.sync_writes = false;
  o.encryption_key = key;
  return o;
}

// Writes kId and kName through a batch and through ingested SST files.
void Fill(Store* store, const std::string& scratch) {
  rocksdb::WriteBatch batch;
  batch.Put(store->handle(Cf::kMemberIndex), kId, kName);
  ASSERT_TRUE(store->Write(batch).ok());
  CommitSink sink(store, scratch, {Cf::kFacts});
  for (int i = 0; i < 20'000; ++i) {
    sink.Put(Cf::kFacts, absl::StrFormat("%s/%06d", kId, i), kName);
  }
  ASSERT_TRUE(sink.Commit().ok());
}

TEST(EncryptionTest, NothingReadableOnDiskAndEverythingReadableWithTheKey) {
  const std::string dir = testing::NewTempDir("encrypted");
  {
    auto store = Store::Open(dir + "/data", WithKey(Key('k')));
    ASSERT_TRUE(store.ok()) << store.status();
    Fill(store->get(), dir + "/sst");
    // Flushed to table files as well as the log.
    ASSERT_TRUE((*store)->CompactAll().ok());
  }
  const std::string bytes = AllBytes(dir + "/data");
  EXPECT_GT(bytes.size(), 10'000u);
  EXPECT_EQ(bytes.find(kId), std::string::npos);
  EXPECT_EQ(bytes.find(kName), std::string::npos);
  EXPECT_EQ(bytes.find("member_index"), std::string::npos);  // the manifest

  auto again = Store::Open(dir + "/data", WithKey(Key('k')));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*(*again)->Get(Cf::kMemberIndex, kId), kName);
  EXPECT_EQ(*(*again)->Get(Cf::kFacts, absl::StrCat(kId, "/019999")), kName);
}

TEST(EncryptionTest, AStoreOpensWithItsOwnKeyOnly) {
  const std::string dir = testing::NewTempDir("encrypted-keys");
  {
    auto store = Store::Open(dir + "/data", WithKey(Key('k')));
    ASSERT_TRUE(store.ok()) << store.status();
  }
  auto none = Store::Open(dir + "/data", WithKey(""));
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("is encrypted (key "));
  EXPECT_THAT(none.status().message(), HasSubstr("--encryption_key_file"));
  auto other = Store::Open(dir + "/data", WithKey(Key('o')));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(),
              HasSubstr(absl::StrCat("the key file holds key ",
                                     EncryptionKeyId(Key('o')))));

  // A plain store is not turned into an encrypted one by a key.
  {
    auto plain = Store::Open(dir + "/plain", WithKey(""));
    ASSERT_TRUE(plain.ok());
  }
  auto keyed = Store::Open(dir + "/plain", WithKey(Key('k')));
  EXPECT_EQ(keyed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(keyed.status().message(), HasSubstr("without encryption"));
}

TEST(EncryptionTest, KeyFilesAreCheckedBeforeUse) {
  const std::string dir = testing::NewTempDir("key-files");
  const std::string good = dir + "/data.key";
  testing::WriteFile(good, std::string(64, 'a') + "\n");
  ::chmod(good.c_str(), 0600);
  auto key = ReadEncryptionKey(good, dir + "/data");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, std::string(32, '\xaa'));
  EXPECT_EQ(EncryptionKeyId(*key).size(), 16u);

  ::chmod(good.c_str(), 0644);
  auto open = ReadEncryptionKey(good, dir + "/data");
  EXPECT_EQ(open.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(open.status().message(), HasSubstr("mode 0644"));

  std::filesystem::create_directories(dir + "/data");
  const std::string inside = dir + "/data/data.key";
  testing::WriteFile(inside, std::string(64, 'a'));
  ::chmod(inside.c_str(), 0600);
  EXPECT_THAT(ReadEncryptionKey(inside, dir + "/data").status().message(),
              HasSubstr("inside the data directory"));

  const std::string bad = dir + "/bad.key";
  testing::WriteFile(bad, "not a key");
  ::chmod(bad.c_str(), 0600);
  EXPECT_EQ(ReadEncryptionKey(bad, dir + "/data").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ReadEncryptionKey(dir + "/missing.key", dir + "/data").status().code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dibao
