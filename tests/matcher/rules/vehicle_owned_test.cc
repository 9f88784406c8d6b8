// VEHICLE_OWNED (matcher/rules/vehicle_owned.cc).
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
using testing::Vehicle;

constexpr char kCar[] = "小型轿车";
constexpr char kWheelchair[] = "残疾人专用机动轮椅车";

TEST(VehicleOwnedTest, FlagsVehicleAboveTheThreshold) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int car =
      b.AddFact(li, Vehicle("鄂A12345", kCar, Day(2025, 3, 1), 5000000));
  const std::vector<Detection> out = b.Run(CheckVehicleOwned);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary,
            "public security: 小型轿车 鄂A12345 worth 50000.00 yuan registered "
            "on 2025-03-01 (threshold 20000.00)");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(car)));
  EXPECT_THAT(d.reported, ElementsAre(Pair("members[" + b.id(li) + "].assets",
                                           "no vehicle declared")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kAssetsFail);
  EXPECT_EQ(d.if_true.member, li);
}

TEST(VehicleOwnedTest, DeregisteredVehicleDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Vehicle("鄂A12345", kCar, Day(2020, 3, 1), 5000000,
                           Day(2026, 6, 30)));
  EXPECT_THAT(b.Run(CheckVehicleOwned), IsEmpty());
}

TEST(VehicleOwnedTest, DeregisteredOnTheDayDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang,
            Vehicle("鄂A12345", kCar, Day(2020, 3, 1), 5000000, testing::kDay));
  EXPECT_THAT(b.Run(CheckVehicleOwned), IsEmpty());
}

TEST(VehicleOwnedTest, DeregistrationAfterTheDayHasNotHappenedYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Vehicle("鄂A12345", kCar, Day(2020, 3, 1), 5000000,
                           Day(2026, 12, 15)));
  EXPECT_THAT(b.Run(CheckVehicleOwned), SizeIs(1));
}

TEST(VehicleOwnedTest, RegisteredAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Vehicle("鄂A12345", kCar, Day(2026, 11, 21), 5000000));
  EXPECT_THAT(b.Run(CheckVehicleOwned), IsEmpty());
}

TEST(VehicleOwnedTest, ExemptTypeDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Vehicle("鄂A00001", kWheelchair, Day(2025, 3, 1), 5000000));
  EXPECT_THAT(b.Run(CheckVehicleOwned), IsEmpty());
}

TEST(VehicleOwnedTest, AtOrBelowTheThresholdDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int car =
      b.AddFact(zhang, Vehicle("鄂A12345", kCar, Day(2025, 3, 1), 2000000));
  EXPECT_THAT(b.Run(CheckVehicleOwned), IsEmpty());
  b.record(car).mutable_vehicle()->set_value_fen(2000001);
  EXPECT_THAT(b.Run(CheckVehicleOwned), SizeIs(1));
}

TEST(VehicleOwnedTest, SeveralVehiclesInOneDetection) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int car =
      b.AddFact(zhang, Vehicle("鄂A12345", kCar, Day(2025, 3, 1), 5000000));
  b.AddFact(zhang, Vehicle("鄂A00001", kWheelchair, Day(2025, 3, 1), 5000000));
  const int van = b.AddFact(
      zhang, Vehicle("鄂A67890", "小型面包车", Day(2023, 8, 8), 3000000));
  const std::vector<Detection> out = b.Run(CheckVehicleOwned);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(car), b.fact(van)));
  EXPECT_EQ(out[0].summary,
            "public security: 小型轿车 鄂A12345 worth 50000.00 yuan registered "
            "on 2025-03-01; 小型面包车 鄂A67890 worth 30000.00 yuan registered "
            "on 2023-08-08 (threshold 20000.00)");
}

TEST(VehicleOwnedTest, OneDetectionPerOwner) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.AddFact(zhang, Vehicle("鄂A12345", kCar, Day(2025, 3, 1), 5000000));
  b.AddFact(li, Vehicle("鄂A67890", kCar, Day(2025, 3, 1), 5000000));
  const std::vector<Detection> out = b.Run(CheckVehicleOwned);
  ASSERT_THAT(out, SizeIs(2));
  EXPECT_EQ(out[0].member, zhang);
  EXPECT_EQ(out[1].member, li);
}

}  // namespace
}  // namespace dibao
