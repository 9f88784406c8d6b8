// A real store holding the sample district and its partner feeds, loaded
// through the registry and the feed store as the server would, for tests of
// the matching engine.
#ifndef DIBAO_TESTS_TESTING_SAMPLE_STORE_H_
#define DIBAO_TESTS_TESTING_SAMPLE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "base/clock.h"
#include "dibao/v1/feeds.pb.h"
#include "dibao/v1/policy.pb.h"
#include "feeds/feed_store.h"
#include "matcher/flag_store.h"
#include "registry/registry.h"
#include "sample/sample_feeds.h"
#include "storage/store.h"

namespace dibao::testing {

// The sample's as-of day (the 1st of the month of the sample files).
inline const absl::CivilDay kSampleDay(2026, 11, 1);

// The policy in deploy/policy.textproto.
v1::Policy SamplePolicy();

// A store in a fresh temp directory with the registry, feed store and flag
// store over it.
class TestStore {
 public:
  explicit TestStore(absl::string_view name);

  Store* store() { return store_.get(); }
  Registry* registry() { return registry_.get(); }
  FeedStore* feeds() { return feeds_.get(); }
  FlagStore* flags() { return flags_.get(); }
  FakeClock* clock() { return &clock_; }
  const std::string& dir() const { return dir_; }

  // Closes and reopens the store (as after a restart or a crash).
  void Reopen();

  // Upserts households; pushes records as one batch.
  absl::Status Upsert(const std::vector<v1::Household>& households);
  absl::StatusOr<v1::Receipt> Push(const v1::BatchHeader& header,
                                   const std::vector<v1::FeedRecord>& records);
  // Reads a sample file as `dibaoctl feed push` would and pushes it.
  absl::StatusOr<v1::Receipt> PushFile(const SampleFeedFile& file);

  // The sample district and its 13 feed files, loaded.
  absl::Status LoadSample(std::vector<v1::Household>* households = nullptr,
                          SampleFeeds* feeds = nullptr);

 private:
  void Open();

  std::string dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 1, 2, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<FeedStore> feeds_;
  std::unique_ptr<FlagStore> flags_;
};

}  // namespace dibao::testing

#endif  // DIBAO_TESTS_TESTING_SAMPLE_STORE_H_
