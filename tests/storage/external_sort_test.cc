#include "storage/external_sort.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

std::vector<std::pair<std::string, std::string>> Drain(
    ExternalSorter::Iterator& it) {
  std::vector<std::pair<std::string, std::string>> out;
  for (; it.Valid(); it.Next()) {
    out.emplace_back(std::string(it.key()), std::string(it.value()));
  }
  EXPECT_TRUE(it.status().ok()) << it.status();
  return out;
}

TEST(ExternalSortTest, SortsAcrossManyRunsWithStableTies) {
  ExternalSorter sorter({testing::NewTempDir("sort"), 4096});
  std::mt19937_64 rng(7);
  std::multimap<std::string, std::string> expected;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = absl::StrCat("k", rng() % 1000);
    const std::string value = absl::StrCat("v", i);
    ASSERT_TRUE(sorter.Add(key, value).ok());
    expected.emplace(key, value);  // multimap keeps insertion order of ties
  }
  auto it = sorter.Finish();
  ASSERT_TRUE(it.ok()) << it.status();
  EXPECT_GT(sorter.runs_spilled(), 10);
  auto got = Drain(**it);
  ASSERT_EQ(got.size(), expected.size());
  size_t i = 0;
  for (const auto& [k, v] : expected) {
    EXPECT_EQ(got[i].first, k);
    EXPECT_EQ(got[i].second, v);
    ++i;
  }
}

// A run holds a batch's records: on disk it is noise, whoever reads the
// scratch directory (a crash leaves it behind).
TEST(ExternalSortTest, RunFilesHoldNothingReadable) {
  const std::string dir = testing::NewTempDir("sort-encrypted");
  ExternalSorter sorter({dir, 4096});
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(
        sorter.Add(absl::StrCat("420102199003074513/", i), "张三明 2800.00")
            .ok());
  }
  std::string on_disk;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    on_disk += bytes.str();
  }
  EXPECT_GT(on_disk.size(), 4096u);
  EXPECT_EQ(on_disk.find("420102199003074513"), std::string::npos);
  EXPECT_EQ(on_disk.find("张三明"), std::string::npos);
  auto it = sorter.Finish();
  ASSERT_TRUE(it.ok()) << it.status();
  auto got = Drain(**it);
  ASSERT_EQ(got.size(), 2000u);
  EXPECT_EQ(got[0].first, "420102199003074513/0");
  EXPECT_EQ(got[0].second, "张三明 2800.00");
}

// More runs than are merged at once: earlier runs are merged first, and
// ties still come out in insertion order.
TEST(ExternalSortTest, ManyMoreRunsThanTheFanInMergeInPasses) {
  const std::string dir = testing::NewTempDir("sort-fan-in");
  ExternalSorter sorter({dir, 2048});
  std::mt19937_64 rng(11);
  std::multimap<std::string, std::string> expected;
  for (int i = 0; i < 40000; ++i) {
    const std::string key = absl::StrCat("k", rng() % 5000);
    const std::string value = absl::StrCat("v", i);
    ASSERT_TRUE(sorter.Add(key, value).ok());
    expected.emplace(key, value);
  }
  auto it = sorter.Finish();
  ASSERT_TRUE(it.ok()) << it.status();
  EXPECT_GT(sorter.runs_spilled(),
            3 * static_cast<int>(ExternalSorter::kMaxFanIn));
  auto got = Drain(**it);
  ASSERT_EQ(got.size(), expected.size());
  size_t i = 0;
  for (const auto& [k, v] : expected) {
    ASSERT_EQ(got[i].first, k);
    ASSERT_EQ(got[i].second, v);
    ++i;
  }
  // Merged-away runs are gone; what is left is at most the fan-in.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_LE(files, ExternalSorter::kMaxFanIn);
}

TEST(ExternalSortTest, EmptyInputAndBinaryKeys) {
  {
    ExternalSorter sorter({testing::NewTempDir("sort"), 1 << 20});
    auto it = sorter.Finish();
    ASSERT_TRUE(it.ok());
    EXPECT_FALSE((*it)->Valid());
  }
  ExternalSorter sorter({testing::NewTempDir("sort"), 1 << 20});
  ASSERT_TRUE(sorter.Add(std::string("\xff\x00", 2), "b").ok());
  ASSERT_TRUE(sorter.Add(std::string("\x00\xff", 2), "a").ok());
  ASSERT_TRUE(sorter.Add("", "empty").ok());
  auto it = sorter.Finish();
  ASSERT_TRUE(it.ok());
  auto got = Drain(**it);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].second, "empty");
  EXPECT_EQ(got[1].second, "a");
  EXPECT_EQ(got[2].second, "b");
  EXPECT_FALSE(sorter.Add("x", "y").ok());
}

}  // namespace
}  // namespace dibao
