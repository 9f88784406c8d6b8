#include "casework/review.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/free_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 1);

v1::Household Household() {
  v1::Household h;
  h.set_household_id("H1");
  h.set_district_code("420102");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.add_members()->set_id_number("420102199003074513");
  return h;
}

v1::Finding Finding(const std::string& rule) {
  v1::Finding f;
  f.set_rule(rule);
  f.set_id_number("420102199003074513");
  f.set_fingerprint(absl::StrCat(rule, "-fp"));
  f.set_summary(rule);
  return f;
}

class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions so;
    so.sync_writes = false;
    store_ = *Store::Open(testing::NewTempDir("review") + "/data", so);
    flags_ = std::make_unique<FlagStore>(store_.get());
    audit_ = *AuditLog::Open(store_.get(), &clock_);
    review_ = std::make_unique<Review>(flags_.get(), audit_.get(), &clock_);
    // Two OPEN flags, F0000001 and F0000002, as a cycle makes them.
    seq_ = 0;
    Nightly({Finding("UNDECLARED_EMPLOYMENT"), Finding("VEHICLE_OWNED")});
  }

  // A cycle's step for household H1 finding `findings` on kDay.
  void Nightly(const std::vector<v1::Finding>& findings) {
    std::vector<StoredFlag> existing;
    FlagStore::Cursor cursor(*flags_, nullptr);
    ASSERT_TRUE(cursor.Read("H1", &existing).ok());
    rocksdb::WriteBatch batch;
    FlagCounts counts;
    v1::Policy policy;
    policy.set_version("p1");
    auto match = FlagStore::Match(&findings, nullptr, existing, kDay, policy);
    ASSERT_TRUE(match.ok()) << match.status();
    ASSERT_TRUE(flags_
                    ->Reconcile(Household(), kDay, policy, &findings, nullptr,
                                std::move(existing), *match, &seq_, &batch,
                                &counts)
                    .ok());
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  std::vector<v1::AuditEntry> Trail() {
    std::vector<v1::AuditEntry> out;
    EXPECT_TRUE(audit_
                    ->ForHousehold("H1",
                                   [&](const v1::AuditEntry& e) {
                                     out.push_back(e);
                                     return absl::OkStatus();
                                   })
                    .ok());
    return out;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 2, 9, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Store> store_;
  std::unique_ptr<FlagStore> flags_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Review> review_;
  uint64_t seq_ = 0;
};

TEST_F(ReviewTest, ClaimAndConfirmRecordWhoWhenAndWhy) {
  auto claimed = review_->Claim({"cw-1", "F0000001"});
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->assignee(), "cw-1");
  auto confirmed = review_->Decide(
      {"cw-1", "F0000001", claimed->version()}, Decision::kConfirm,
      v1::DISMISS_REASON_UNSPECIFIED, "工资单与社保记录一致");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_EQ(confirmed->state(), v1::FLAG_STATE_CONFIRMED);
  ASSERT_EQ(confirmed->decisions_size(), 1);
  EXPECT_EQ(confirmed->decisions(0).by(), "cw-1");
  EXPECT_EQ(confirmed->decisions(0).note(), "工资单与社保记录一致");
  EXPECT_EQ(FromProto(confirmed->decisions(0).at()), clock_.Now());
  // Stored as returned.
  EXPECT_EQ(flags_->Get("F0000001")->SerializeAsString(),
            confirmed->SerializeAsString());

  const auto trail = Trail();
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_EQ(trail[0].action(), v1::AUDIT_ACTION_FLAG_CLAIMED);
  EXPECT_EQ(trail[1].action(), v1::AUDIT_ACTION_FLAG_DECIDED);
  EXPECT_EQ(trail[1].actor(), "cw-1");
  EXPECT_EQ(trail[1].flag_id(), "F0000001");
  EXPECT_EQ(trail[1].detail(), "CONFIRMED: 工资单与社保记录一致");
  EXPECT_TRUE(audit_->Verify()->ok());
}

TEST_F(ReviewTest, ADismissalNeedsAReasonCodeAndANote) {
  EXPECT_EQ(review_
                ->Decide({"cw-1", "F0000001"}, Decision::kDismiss,
                         v1::DISMISS_REASON_UNSPECIFIED, "误报")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(review_
                ->Decide({"cw-1", "F0000001"}, Decision::kDismiss,
                         v1::DISMISS_REASON_PARTNER_DATA_WRONG, "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(review_
                ->Decide({"cw-1", "F0000001"}, Decision::kConfirm,
                         v1::DISMISS_REASON_OTHER, "x")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Trail().empty());  // refused actions leave nothing

  auto dismissed =
      review_->Decide({"cw-1", "F0000001"}, Decision::kDismiss,
                      v1::DISMISS_REASON_PARTNER_DATA_WRONG, "单位已注销");
  ASSERT_TRUE(dismissed.ok()) << dismissed.status();
  EXPECT_EQ(dismissed->state(), v1::FLAG_STATE_DISMISSED);
  EXPECT_EQ(Trail().back().detail(),
            "DISMISSED (PARTNER_DATA_WRONG): 单位已注销");
}

TEST_F(ReviewTest, NeedsVisitThenTheVisitDecides) {
  ASSERT_TRUE(review_
                  ->Decide({"cw-1", "F0000001"}, Decision::kNeedsVisit,
                           v1::DISMISS_REASON_UNSPECIFIED, "电话无人接听")
                  .ok());
  auto again = review_->Decide({"cw-2", "F0000001"}, Decision::kConfirm,
                               v1::DISMISS_REASON_UNSPECIFIED, "x");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("record the visit"));

  auto visited = review_->RecordVisit({"cw-2", "F0000001"}, Decision::kDismiss,
                                      v1::DISMISS_REASON_ALREADY_DECLARED,
                                      "入户核实：已申报");
  ASSERT_TRUE(visited.ok()) << visited.status();
  EXPECT_EQ(visited->state(), v1::FLAG_STATE_DISMISSED);
  ASSERT_EQ(visited->decisions_size(), 2);
  EXPECT_EQ(visited->decisions(0).state(), v1::FLAG_STATE_NEEDS_VISIT);
  EXPECT_TRUE(visited->decisions(1).visit_result());
  EXPECT_EQ(Trail().back().action(), v1::AUDIT_ACTION_FLAG_VISIT_RESULT);
}

TEST_F(ReviewTest, IllegalTransitionsAreRefusedNamingTheState) {
  ASSERT_TRUE(review_
                  ->Decide({"cw-1", "F0000001"}, Decision::kConfirm,
                           v1::DISMISS_REASON_UNSPECIFIED, "核实")
                  .ok());
  auto twice = review_->Decide({"cw-2", "F0000001"}, Decision::kDismiss,
                               v1::DISMISS_REASON_OTHER, "不对");
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.status().message(),
              HasSubstr("flag F0000001 is CONFIRMED (by cw-1)"));
  EXPECT_EQ(review_->Claim({"cw-2", "F0000001"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A visit result for a flag nobody sent on a visit.
  EXPECT_EQ(review_
                ->RecordVisit({"cw-1", "F0000002"}, Decision::kConfirm,
                              v1::DISMISS_REASON_UNSPECIFIED, "x")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // A flag the cycle resolved is not for deciding.
  Nightly({Finding("UNDECLARED_EMPLOYMENT")});
  auto resolved = review_->Decide({"cw-1", "F0000002"}, Decision::kConfirm,
                                  v1::DISMISS_REASON_UNSPECIFIED, "x");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(resolved.status().message(), HasSubstr("AUTO_RESOLVED"));
  // Comments are always welcome.
  EXPECT_TRUE(review_->Comment({"cw-1", "F0000002"}, "已结案").ok());
  EXPECT_EQ(review_
                ->Decide({"cw-1", "F9999999"}, Decision::kConfirm,
                         v1::DISMISS_REASON_UNSPECIFIED, "x")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ReviewTest, AStaleVersionIsRefusedWithTheCurrentState) {
  const int64_t seen = flags_->Get("F0000001")->version();
  ASSERT_TRUE(review_->Comment({"cw-2", "F0000001"}, "我先看看").ok());
  auto stale = review_->Decide({"cw-1", "F0000001", seen}, Decision::kConfirm,
                               v1::DISMISS_REASON_UNSPECIFIED, "核实");
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(),
              HasSubstr(absl::StrCat("it is now OPEN at version ", seen + 1)));
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_OPEN);
}

TEST_F(ReviewTest, OfTwoCaseworkersDecidingAtOnceOneWins) {
  for (int round = 0; round < 20; ++round) {
    SetUp();  // a fresh store each round
    absl::StatusOr<v1::Flag> a, b;
    std::thread ta([&] {
      a = review_->Decide({"cw-1", "F0000001"}, Decision::kConfirm,
                          v1::DISMISS_REASON_UNSPECIFIED, "核实");
    });
    std::thread tb([&] {
      b = review_->Decide({"cw-2", "F0000001"}, Decision::kDismiss,
                          v1::DISMISS_REASON_WRONG_PERSON, "不是本人");
    });
    ta.join();
    tb.join();
    ASSERT_NE(a.ok(), b.ok()) << a.status() << " / " << b.status();
    const absl::Status& lost = a.ok() ? b.status() : a.status();
    EXPECT_EQ(lost.code(), absl::StatusCode::kFailedPrecondition);
    const v1::Flag& won = a.ok() ? *a : *b;
    EXPECT_THAT(lost.message(),
                HasSubstr(absl::StrCat("is ", FlagStateName(won.state()))));
    EXPECT_EQ(flags_->Get("F0000001")->state(), won.state());
    EXPECT_EQ(Trail().size(), 1u);
  }
}

TEST_F(ReviewTest, AClaimedFlagIsAssignedNotTaken) {
  ASSERT_TRUE(review_->Claim({"cw-1", "F0000001"}).ok());
  EXPECT_TRUE(review_->Claim({"cw-1", "F0000001"}).ok());  // again: fine
  auto taken = review_->Claim({"cw-2", "F0000001"});
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(taken.status().message(), HasSubstr("already claimed by cw-1"));
  auto assigned = review_->Assign({"lead-1", "F0000001"}, "cw-2");
  ASSERT_TRUE(assigned.ok());
  EXPECT_EQ(assigned->assignee(), "cw-2");
  EXPECT_EQ(Trail().back().detail(), "assigned to cw-2 (was cw-1)");
}

TEST_F(ReviewTest, EveryActionNeedsACaseworker) {
  auto s = review_->Comment({"", "F0000001"}, "匿名");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("names its caseworker"));
}

TEST_F(ReviewTest, WhatPeopleTypeIsBoundedAndNothingChangesWhenItIsRefused) {
  const std::string too_long(kMaxNoteBytes + 1, 'x');
  auto s = review_->Comment({"cw-1", "F0000001"}, too_long);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("the comment is 4097 bytes"));
  s = review_->Decide({"cw-1", "F0000001"}, Decision::kConfirm,
                      v1::DISMISS_REASON_UNSPECIFIED, too_long);
  EXPECT_THAT(s.status().message(), HasSubstr("the note is 4097 bytes"));
  s = review_->Comment({"cw-1", "F0000001"}, "ok\x1b[2J");
  EXPECT_THAT(s.status().message(), HasSubstr("control character 0x1b"));
  s = review_->Assign({"lead-1", "F0000001"}, "cw-2\nforged line");
  EXPECT_THAT(s.status().message(),
              HasSubstr("the assignee holds control character 0x0a"));
  s = review_->Claim({std::string(kMaxNameBytes + 1, 'c'), "F0000001"});
  EXPECT_THAT(s.status().message(), HasSubstr("the caseworker is 129 bytes"));
  auto flag = flags_->Get("F0000001");
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(flag->comments_size(), 0);
  EXPECT_TRUE(flag->assignee().empty());
  EXPECT_TRUE(Trail().empty());
  // The longest note there may be is kept whole.
  ASSERT_TRUE(review_
                  ->Comment({"cw-1", "F0000001"},
                            std::string(kMaxNoteBytes / 3, 'x') + "走访")
                  .ok());
}

TEST_F(ReviewTest, AFlagKeepsAtMostItsLimitOfComments) {
  for (int i = 0; i < Review::kMaxCommentsPerFlag; ++i) {
    ASSERT_TRUE(review_->Comment({"cw-1", "F0000001"}, absl::StrCat(i)).ok());
  }
  auto s = review_->Comment({"cw-1", "F0000001"}, "one more");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.status().message(),
              HasSubstr("flag F0000001 has 200 comments, the limit per flag"));
  // Deciding still works, and another flag takes comments.
  EXPECT_TRUE(review_
                  ->Decide({"cw-1", "F0000001"}, Decision::kConfirm,
                           v1::DISMISS_REASON_UNSPECIFIED, "核实")
                  .ok());
  EXPECT_TRUE(review_->Comment({"cw-1", "F0000002"}, "fine").ok());
}

TEST_F(ReviewTest, TheNightlyCycleKeepsDecisions) {
  ASSERT_TRUE(review_
                  ->Decide({"cw-1", "F0000001"}, Decision::kConfirm,
                           v1::DISMISS_REASON_UNSPECIFIED, "核实")
                  .ok());
  ASSERT_TRUE(review_
                  ->Decide({"cw-1", "F0000002"}, Decision::kNeedsVisit,
                           v1::DISMISS_REASON_UNSPECIFIED, "入户")
                  .ok());
  // Found again, then not found at all: decided flags stay as decided.
  Nightly({Finding("UNDECLARED_EMPLOYMENT"), Finding("VEHICLE_OWNED")});
  Nightly({});
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_CONFIRMED);
  EXPECT_EQ(flags_->Get("F0000001")->decisions_size(), 1);
  EXPECT_EQ(flags_->Get("F0000002")->state(), v1::FLAG_STATE_NEEDS_VISIT);
}

}  // namespace
}  // namespace dibao
