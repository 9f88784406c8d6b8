// The operator's text files: the policy, the server's config and the
// principals file, parsed and checked as the server does at start and at
// every reload. A file is either taken or refused with where it is wrong.
#include "absl/strings/match.h"
#include "access/principal_directory.h"
#include "base/text_proto.h"
#include "dibao/v1/config.pb.h"
#include "matcher/policy.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dibao::fuzz::Input in = dibao::fuzz::Split(data, size);
  switch (in.choice % 3) {
    case 0: {
      auto policy = dibao::ParsePolicy(in.rest, "policy.textproto");
      if (!policy.ok()) {
        DIBAO_FUZZ_CHECK(
            absl::StrContains(policy.status().message(), "policy.textproto"));
      }
      break;
    }
    case 1: {
      dibao::v1::ServerConfig config;
      absl::Status s = dibao::ParseTextProto(in.rest, "dibao.conf", &config);
      if (!s.ok()) {
        DIBAO_FUZZ_CHECK(absl::StrContains(s.message(), "dibao.conf"));
      }
      break;
    }
    default: {
      dibao::v1::Principals principals;
      if (dibao::ParseTextProto(in.rest, "principals.textproto", &principals)
              .ok()) {
        std::vector<std::string> ids;
        for (const auto& p : principals.principal()) ids.push_back(p.id());
        auto directory =
            dibao::PrincipalDirectory::FromProto(std::move(principals), "x");
        if (directory.ok()) {
          // Every principal a taken file names can be found by its ID.
          for (const std::string& id : ids) {
            DIBAO_FUZZ_CHECK((*directory)->Find(id) != nullptr);
          }
        }
      }
      break;
    }
  }
  return 0;
}
