// REFUSED_TRAINING (matcher/rules/refused_training.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::CaseBuilder;
using testing::Day;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;
using testing::Training;

TEST(RefusedTrainingTest, SignalsRefusalWithinTheLookBack) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.Report(li, v1::REPORTED_STATUS_LAID_OFF, 0);
  const int offer =
      b.AddFact(li, Training(Day(2026, 9, 1), v1::TRAINING_OUTCOME_REFUSED));
  const std::vector<Detection> out = b.Run(CheckRefusedTraining);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary, "labour: refused the training offered on 2026-09-01");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(offer)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("members[" + b.id(li) + "].reported_status",
                               "LAID_OFF")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kNothing);
}

TEST(RefusedTrainingTest, RefusalOlderThanSixMonthsDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int offer = b.AddFact(
      zhang, Training(Day(2026, 5, 20), v1::TRAINING_OUTCOME_REFUSED));
  EXPECT_THAT(b.Run(CheckRefusedTraining), IsEmpty());
  *b.record(offer).mutable_training()->mutable_offered_date() =
      ToProto(Day(2026, 5, 21));
  EXPECT_THAT(b.Run(CheckRefusedTraining), SizeIs(1));
}

TEST(RefusedTrainingTest, OfferDatedAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Training(Day(2026, 11, 21), v1::TRAINING_OUTCOME_REFUSED));
  EXPECT_THAT(b.Run(CheckRefusedTraining), IsEmpty());
}

TEST(RefusedTrainingTest, OtherOutcomesAreNotRefusals) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Training(Day(2026, 9, 1), v1::TRAINING_OUTCOME_ATTENDED));
  b.AddFact(zhang, Training(Day(2026, 10, 1), v1::TRAINING_OUTCOME_NO_SHOW));
  EXPECT_THAT(b.Run(CheckRefusedTraining), IsEmpty());
}

TEST(RefusedTrainingTest, SeveralRefusalsInOneSignal) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int first =
      b.AddFact(zhang, Training(Day(2026, 7, 1), v1::TRAINING_OUTCOME_REFUSED));
  const int second = b.AddFact(
      zhang, Training(Day(2026, 10, 8), v1::TRAINING_OUTCOME_REFUSED));
  const std::vector<Detection> out = b.Run(CheckRefusedTraining);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(first), b.fact(second)));
  EXPECT_EQ(out[0].summary,
            "labour: refused the training offered on 2026-07-01; refused the "
            "training offered on 2026-10-08");
}

}  // namespace
}  // namespace dibao
