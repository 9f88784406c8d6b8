#include "casework/review_queue.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/dates.h"
#include "casework/review.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

// The sample district after its first nightly cycle: a real queue.
class ReviewQueueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new testing::TestStore("review_queue");
    ASSERT_TRUE(db_->LoadSample().ok());
    cycles_ = new CycleRunner(
        db_->store(), db_->flags(), db_->clock(),
        std::make_shared<const v1::Policy>(testing::SamplePolicy()), {});
    ASSERT_TRUE(cycles_->Run(testing::kSampleDay, false, "test").ok());
    audit_ = AuditLog::Open(db_->store(), db_->clock())->release();
  }
  static void TearDownTestSuite() {
    delete audit_;
    delete cycles_;
    delete db_;
  }

  ReviewQueue Queue() {
    return ReviewQueue(db_->flags(), db_->registry(), cycles_, audit_,
                       db_->clock());
  }

  v1::ListQueueResponse List(v1::ListQueueRequest request) {
    auto page = Queue().List(request);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : v1::ListQueueResponse();
  }

  // Every page of the queue, `page_size` at a time.
  std::vector<v1::QueueItem> All(v1::QueueFilter filter, int page_size) {
    std::vector<v1::QueueItem> out;
    v1::ListQueueRequest request;
    *request.mutable_filter() = filter;
    request.set_page_size(page_size);
    for (int pages = 0; pages < 10000; ++pages) {
      v1::ListQueueResponse page = List(request);
      for (const auto& item : page.items()) out.push_back(item);
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return out;
  }

  static testing::TestStore* db_;
  static CycleRunner* cycles_;
  static AuditLog* audit_;
};

testing::TestStore* ReviewQueueTest::db_ = nullptr;
CycleRunner* ReviewQueueTest::cycles_ = nullptr;
AuditLog* ReviewQueueTest::audit_ = nullptr;

TEST(QueuePriorityTest, SeverityTimesYuanTimesAge) {
  v1::Flag flag;
  flag.mutable_finding()->set_severity(v1::SEVERITY_HIGH);
  flag.mutable_finding()->set_est_monthly_overpayment_fen(20000);
  *flag.mutable_first_seen() = ToProto(absl::CivilDay(2026, 10, 2));
  // 4 x 200 yuan x (1 + 30/30).
  EXPECT_EQ(QueuePriority(flag, absl::CivilDay(2026, 11, 1)), 1600);
  // New today: 4 x 200 x 1.
  EXPECT_EQ(QueuePriority(flag, absl::CivilDay(2026, 10, 2)), 800);
  // A signal with no money at stake still counts one yuan.
  flag.mutable_finding()->set_severity(v1::SEVERITY_INFO);
  flag.mutable_finding()->set_est_monthly_overpayment_fen(0);
  EXPECT_EQ(QueuePriority(flag, absl::CivilDay(2026, 10, 2)), 1);
  EXPECT_EQ(QueuePriority(flag, absl::CivilDay(2026, 11, 1)), 2);
}

TEST_F(ReviewQueueTest, HighestPriorityFirstWithCounts) {
  const v1::ListQueueResponse page = List({});
  ASSERT_GT(page.items_size(), 1);
  EXPECT_EQ(page.items_size(), std::min<int64_t>(page.total(), 50));
  const absl::CivilDay today = db_->clock()->Today();
  int64_t by_rule = 0;
  for (const auto& c : page.by_rule()) by_rule += c.count();
  EXPECT_EQ(by_rule, page.total());
  for (int i = 0; i < page.items_size(); ++i) {
    const v1::QueueItem& item = page.items(i);
    EXPECT_EQ(item.priority(), QueuePriority(item.flag(), today));
    EXPECT_TRUE(item.flag().state() == v1::FLAG_STATE_OPEN ||
                item.flag().state() == v1::FLAG_STATE_NEEDS_VISIT);
    if (i > 0) {
      const v1::QueueItem& prev = page.items(i - 1);
      EXPECT_TRUE(prev.priority() > item.priority() ||
                  (prev.priority() == item.priority() &&
                   prev.flag().flag_id() < item.flag().flag_id()));
    }
  }
  EXPECT_THAT(page.priority_formula(), HasSubstr("severity"));
  int64_t open = 0;
  for (const auto& c : page.by_state()) {
    if (c.key() == "OPEN") open = c.count();
  }
  EXPECT_EQ(open, page.total());
}

TEST_F(ReviewQueueTest, PagesCoverTheQueueOnceInOrder) {
  const std::vector<v1::QueueItem> one = All({}, 1000);
  const std::vector<v1::QueueItem> paged = All({}, 7);
  ASSERT_EQ(one.size(), paged.size());
  std::set<std::string> seen;
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].flag().flag_id(), paged[i].flag().flag_id());
    EXPECT_TRUE(seen.insert(paged[i].flag().flag_id()).second);
  }
  EXPECT_EQ(static_cast<int64_t>(one.size()), List({}).total());
}

TEST_F(ReviewQueueTest, FiltersNarrowAndFacetsStayWide) {
  const v1::ListQueueResponse all = List({});
  ASSERT_GT(all.by_rule_size(), 1);
  const std::string rule = all.by_rule(0).key();

  v1::ListQueueRequest request;
  request.mutable_filter()->set_rule(rule);
  const v1::ListQueueResponse one_rule = List(request);
  EXPECT_EQ(one_rule.total(), all.by_rule(0).count());
  for (const auto& item : one_rule.items()) {
    EXPECT_EQ(item.flag().finding().rule(), rule);
  }
  // The rule facet still shows the other rules.
  EXPECT_EQ(one_rule.by_rule_size(), all.by_rule_size());

  const v1::Flag& top = all.items(0).flag();
  v1::QueueFilter street;
  street.set_street(top.street());
  for (const auto& item : All(street, 1000)) {
    EXPECT_EQ(item.flag().street(), top.street());
  }
  EXPECT_LE(List([&] {
              v1::ListQueueRequest r;
              *r.mutable_filter() = street;
              return r;
            }())
                .total(),
            all.total());

  v1::QueueFilter high;
  high.set_min_severity(v1::SEVERITY_HIGH);
  for (const auto& item : All(high, 1000)) {
    EXPECT_EQ(item.flag().finding().severity(), v1::SEVERITY_HIGH);
  }

  // Every flag was first seen on the sample day, today.
  v1::QueueFilter old;
  old.set_min_age_days(1);
  EXPECT_TRUE(All(old, 1000).empty());

  v1::QueueFilter settled;
  settled.add_states(v1::FLAG_STATE_DISMISSED);
  EXPECT_TRUE(All(settled, 1000).empty());
}

TEST_F(ReviewQueueTest, UnclaimedAndMine) {
  const v1::ListQueueResponse before = List({});
  const std::string id = before.items(0).flag().flag_id();
  Review review(db_->flags(), audit_, db_->clock());
  ASSERT_TRUE(review.Claim({"cw-queue", id}).ok());

  v1::QueueFilter mine;
  mine.set_assignee("cw-queue");
  const auto claimed = All(mine, 1000);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].flag().flag_id(), id);
  v1::QueueFilter unclaimed;
  unclaimed.set_assignee("-");
  EXPECT_EQ(static_cast<int64_t>(All(unclaimed, 1000).size()),
            before.total() - 1);
}

TEST_F(ReviewQueueTest, CaseHasHouseholdAssessmentAndHistory) {
  const v1::Flag top = List({}).items(0).flag();
  Review review(db_->flags(), audit_, db_->clock());
  ASSERT_TRUE(review.Comment({"cw-case", top.flag_id()}, "约了周四家访").ok());

  auto c = Queue().GetCase(top.flag_id());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->item().flag().flag_id(), top.flag_id());
  EXPECT_EQ(c->household().household_id(), top.household_id());
  EXPECT_GT(c->household().members_size(), 0);
  EXPECT_EQ(c->assessment().household_id(), top.household_id());
  EXPECT_GT(c->assessment().explanation_size(), 0);
  ASSERT_FALSE(c->history().empty());
  EXPECT_EQ(c->history().rbegin()->action(), v1::AUDIT_ACTION_FLAG_COMMENTED);
  ASSERT_EQ(c->item().flag().comments_size(), 1);
  EXPECT_EQ(c->item().flag().comments(0).text(), "约了周四家访");
  for (const auto& other : c->other_flags()) {
    EXPECT_EQ(other.household_id(), top.household_id());
    EXPECT_NE(other.flag_id(), top.flag_id());
  }
  // A queue page carries no comments, so its size never depends on what
  // caseworkers wrote.
  const v1::ListQueueResponse page = List({});
  for (const v1::QueueItem& item : page.items()) {
    EXPECT_EQ(item.flag().comments_size(), 0) << item.flag().flag_id();
  }
}

TEST_F(ReviewQueueTest, BadRequestsAreNamed) {
  v1::ListQueueRequest r;
  r.mutable_filter()->set_rule("NO_SUCH_RULE");
  auto s = Queue().List(r);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("NO_SUCH_RULE"));

  r.Clear();
  r.set_page_token("not-a-token");
  EXPECT_EQ(Queue().List(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  r.Clear();
  r.set_page_size(-1);
  EXPECT_EQ(Queue().List(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  r.Clear();
  r.mutable_filter()->set_min_age_days(-3);
  EXPECT_EQ(Queue().List(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  r.Clear();
  r.mutable_filter()->add_states(static_cast<v1::FlagState>(99));
  EXPECT_EQ(Queue().List(r).status().code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(Queue().GetCase("F9999999").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Queue().GetCase("nonsense").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewQueueTest, OtherOrdersPageThroughEveryFlagInTheirOrder) {
  const int total = static_cast<int>(All(v1::QueueFilter(), 1000).size());
  for (v1::QueueOrder order :
       {v1::QUEUE_ORDER_OVERPAYMENT, v1::QUEUE_ORDER_AGE,
        v1::QUEUE_ORDER_SEVERITY, v1::QUEUE_ORDER_FLAG_ID}) {
    std::vector<v1::QueueItem> items;
    v1::ListQueueRequest request;
    request.set_order(order);
    request.set_page_size(7);
    for (int pages = 0; pages < 1000; ++pages) {
      v1::ListQueueResponse page = List(request);
      for (const auto& item : page.items()) items.push_back(item);
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    ASSERT_EQ(static_cast<int>(items.size()), total) << order;
    std::set<std::string> ids;
    for (size_t i = 0; i < items.size(); ++i) {
      ids.insert(items[i].flag().flag_id());
      if (i == 0) continue;
      const v1::Flag& a = items[i - 1].flag();
      const v1::Flag& b = items[i].flag();
      switch (order) {
        case v1::QUEUE_ORDER_OVERPAYMENT:
          EXPECT_GE(a.finding().est_monthly_overpayment_fen(),
                    b.finding().est_monthly_overpayment_fen());
          break;
        case v1::QUEUE_ORDER_SEVERITY:
          EXPECT_GE(a.finding().severity(), b.finding().severity());
          break;
        case v1::QUEUE_ORDER_FLAG_ID:
          EXPECT_LT(a.flag_id(), b.flag_id());
          break;
        default:
          EXPECT_GE(items[i - 1].age_days(), items[i].age_days());
      }
    }
    EXPECT_EQ(static_cast<int>(ids.size()), total) << "no flag twice";
  }
}

TEST_F(ReviewQueueTest, APageTokenOfAnotherOrderIsRefused) {
  v1::ListQueueRequest request;
  request.set_page_size(5);
  v1::ListQueueResponse first = List(request);
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  request.set_order(v1::QUEUE_ORDER_OVERPAYMENT);
  auto page = Queue().List(request);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(page.status().message(), HasSubstr("another order"));
}

}  // namespace
}  // namespace dibao
