#include "base/sha256.h"

#include "gtest/gtest.h"

namespace dibao {
namespace {

// FIPS 180-2, appendix B.1.
constexpr char kAbc[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256Test, OneShotAndIncrementalAgreeWithTheStandard) {
  EXPECT_EQ(Sha256::Hex(Sha256::Of("abc")), kAbc);
  unsigned char out[32];
  Sha256::Of("abc", out);
  EXPECT_EQ(Sha256::Hex(std::string(reinterpret_cast<char*>(out), 32)), kAbc);
  Sha256 h;
  h.Update("a");
  h.Update("");
  h.Update("bc");
  EXPECT_EQ(Sha256::Hex(h.Finish()), kAbc);
}

}  // namespace
}  // namespace dibao
