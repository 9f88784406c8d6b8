// A request body the console's JSON API receives: any bytes, parsed into
// the request message of any unary method of the dibao.v1 services (the
// first byte picks the method), as the gateway parses it before a call.
// A body is taken or refused with INVALID_ARGUMENT naming the message.
#include <vector>

#include "absl/strings/match.h"
#include "console/json_gateway.h"
#include "dibao/v1/access.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

namespace pb = ::google::protobuf;

// Every unary method's request type, from the generated descriptors.
const std::vector<const pb::Descriptor*>& RequestTypes() {
  static const auto* types = [] {
    auto* t = new std::vector<const pb::Descriptor*>();
    // Any generated message pulls the whole dibao.v1 file set in.
    const pb::FileDescriptor* any =
        dibao::v1::WhoAmIRequest::descriptor()->file();
    const pb::DescriptorPool* pool = any->pool();
    for (const char* service :
         {"AccessService", "AdminService", "RegistryService", "FeedService",
          "CycleService", "ReviewService", "AuditService",
          "RecommendationService", "ReportService"}) {
      const pb::ServiceDescriptor* s =
          pool->FindServiceByName(std::string("dibao.v1.") + service);
      if (s == nullptr) continue;
      for (int i = 0; i < s->method_count(); ++i) {
        const pb::MethodDescriptor* m = s->method(i);
        if (!m->client_streaming()) t->push_back(m->input_type());
      }
    }
    return t;
  }();
  return *types;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dibao::fuzz::Input in = dibao::fuzz::Split(data, size);
  const auto& types = RequestTypes();
  DIBAO_FUZZ_CHECK(!types.empty());
  const pb::Descriptor* type = types[in.choice % types.size()];
  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
  absl::Status s = dibao::ParseJsonRequest(in.rest, request.get());
  if (!s.ok()) {
    DIBAO_FUZZ_CHECK(absl::IsInvalidArgument(s));
    DIBAO_FUZZ_CHECK(absl::StrContains(s.message(), type->full_name()));
  } else {
    // What was taken serialises and prints back.
    std::string bytes;
    DIBAO_FUZZ_CHECK(request->SerializeToString(&bytes));
  }
  return 0;
}
