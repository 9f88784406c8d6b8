// Resident ID numbers as agencies type them: any bytes.
#include "absl/time/civil_time.h"
#include "base/resident_id.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::CivilDay today(2026, 12, 7);
  auto id = dibao::ParseResidentId(text, today);
  if (!id.ok()) return 0;
  // An accepted ID is 18 characters that parse again to themselves.
  const std::string normal(id->number());
  DIBAO_FUZZ_CHECK(normal.size() == 18);
  auto again = dibao::ParseResidentId(normal, today);
  DIBAO_FUZZ_CHECK(again.ok());
  DIBAO_FUZZ_CHECK(*again == *id);
  DIBAO_FUZZ_CHECK(dibao::ResidentIdCheckCharacter(
                       absl::string_view(normal).substr(0, 17)) == normal[17]);
  return 0;
}
