// One message of a feed upload stream as it arrives off the wire: any
// bytes, parsed as a dibao.v1.UploadRequest the way the server parses
// chunks (into an arena), and every record it holds checked as staging
// checks it, under the kind the first byte picks (the stream's header
// names it).
#include "absl/time/civil_time.h"
#include "dibao/v1/feeds.pb.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_kinds.h"
#include "google/protobuf/arena.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dibao::fuzz::Input in = dibao::fuzz::Split(data, size);
  google::protobuf::Arena arena;
  auto* chunk =
      google::protobuf::Arena::CreateMessage<dibao::v1::UploadRequest>(&arena);
  if (!chunk->ParseFromArray(in.rest.data(),
                             static_cast<int>(in.rest.size()))) {
    return 0;  // the server answers INVALID_ARGUMENT (malformed_requests.h)
  }
  const auto& kinds = dibao::AllFeedKinds();
  const dibao::FeedKindSpec* spec = &kinds[in.choice % kinds.size()];
  for (dibao::v1::FeedRecord& record :
       *chunk->mutable_records()->mutable_records()) {
    std::vector<dibao::RecordError> errors =
        dibao::ValidateFeedRecord(*spec, record, absl::CivilDay(2026, 12, 7));
    for (const dibao::RecordError& e : errors) {
      DIBAO_FUZZ_CHECK(!e.reason.empty());
    }
  }
  return 0;
}
