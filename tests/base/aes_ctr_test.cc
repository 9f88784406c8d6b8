// AES-256-CTR (base/aes_ctr): the NIST test vectors, and that any stretch
// of a text decrypts on its own from its offset.
#include "base/aes_ctr.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt.
const char kKey[] =
    "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const char kCounter[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
const char kPlain[] =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
const char kCipher[] =
    "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
    "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6";

TEST(AesCtrTest, NistVectors) {
  auto c = AesCtr::Create(Hex(kKey), Hex(kCounter));
  ASSERT_TRUE(c.ok()) << c.status();
  std::string text = Hex(kPlain);
  ASSERT_TRUE(c->Apply(0, text.data(), text.size()).ok());
  EXPECT_EQ(absl::BytesToHexString(text), kCipher);
  ASSERT_TRUE(c->Apply(0, text.data(), text.size()).ok());
  EXPECT_EQ(absl::BytesToHexString(text), kPlain);
}

TEST(AesCtrTest, AnyStretchFromItsOffset) {
  auto c = AesCtr::Create(Hex(kKey), Hex(kCounter));
  ASSERT_TRUE(c.ok());
  const std::string cipher = Hex(kCipher);
  // Starting inside a block, crossing blocks (and the counter's carry from
  // ...feff to ...ff00), ending inside one.
  for (size_t from = 0; from < cipher.size(); ++from) {
    for (size_t n :
         {size_t{1}, size_t{7}, size_t{16}, size_t{21}, cipher.size() - from}) {
      if (from + n > cipher.size()) continue;
      std::string part = cipher.substr(from, n);
      ASSERT_TRUE(c->Apply(from, part.data(), part.size()).ok());
      EXPECT_EQ(part, Hex(kPlain).substr(from, n)) << from << "+" << n;
    }
  }
}

TEST(AesCtrTest, FarOffsetsCarryAcrossTheWholeCounter) {
  const std::string key(32, '\x11');
  const std::string nonce(16, '\xff');  // every byte carries
  auto c = AesCtr::Create(key, nonce);
  ASSERT_TRUE(c.ok());
  // Encrypting 64 bytes at once equals encrypting them piecewise at their
  // offsets, beyond 4 GiB too.
  for (uint64_t base : {uint64_t{0}, uint64_t{1} << 32, uint64_t{1} << 40}) {
    std::string whole(64, 'a'), pieces(64, 'a');
    ASSERT_TRUE(c->Apply(base, whole.data(), whole.size()).ok());
    for (size_t i = 0; i < 64; i += 5) {
      const size_t n = std::min<size_t>(5, 64 - i);
      ASSERT_TRUE(c->Apply(base + i, pieces.data() + i, n).ok());
    }
    EXPECT_EQ(whole, pieces) << base;
    EXPECT_NE(whole, std::string(64, 'a'));
  }
}

// Ciphers of different keys used in turn on one thread (each call may
// reuse the thread's expanded key only when it is its own).
TEST(AesCtrTest, TwoKeysInTurnOnOneThread) {
  auto a = AesCtr::Create(Hex(kKey), Hex(kCounter));
  auto b = AesCtr::Create(std::string(32, 'b'), Hex(kCounter));
  ASSERT_TRUE(a.ok() && b.ok());
  for (int round = 0; round < 3; ++round) {
    std::string text = Hex(kPlain);
    ASSERT_TRUE(a->Apply(0, text.data(), text.size()).ok());
    EXPECT_EQ(absl::BytesToHexString(text), kCipher);
    std::string other = Hex(kPlain);
    ASSERT_TRUE(b->Apply(0, other.data(), other.size()).ok());
    EXPECT_NE(other, text);
    ASSERT_TRUE(b->Apply(0, other.data(), other.size()).ok());
    EXPECT_EQ(absl::BytesToHexString(other), kPlain);
  }
}

TEST(AesCtrTest, WrongSizesAreRefused) {
  EXPECT_EQ(AesCtr::Create("short", std::string(16, 'n')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AesCtr::Create(std::string(32, 'k'), "n").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto random = AesCtr::RandomBytes(32);
  ASSERT_TRUE(random.ok());
  EXPECT_EQ(random->size(), 32u);
  EXPECT_NE(*random, *AesCtr::RandomBytes(32));
}

}  // namespace
}  // namespace dibao
