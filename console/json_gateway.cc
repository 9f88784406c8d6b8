#include "console/json_gateway.h"

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>  // protobuf SerializationTraits

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/status_macros.h"
#include "formats/metadata.h"
#include "google/protobuf/util/json_util.h"

namespace dibao {
namespace {

namespace pb = ::google::protobuf;

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

}  // namespace

JsonGateway::JsonGateway(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration deadline, std::string in_process_token)
    : channel_(std::move(channel)),
      deadline_(deadline),
      in_process_token_(std::move(in_process_token)) {}

absl::Status JsonGateway::Expose(absl::string_view service,
                                 absl::string_view method) {
  const pb::ServiceDescriptor* descriptor =
      pb::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service));
  const pb::MethodDescriptor* m =
      descriptor == nullptr ? nullptr
                            : descriptor->FindMethodByName(std::string(method));
  if (m == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no method ", service, ".", method));
  }
  if (m->client_streaming() || m->server_streaming()) {
    return absl::InvalidArgumentError(
        absl::StrCat(service, ".", method, " streams: not callable as JSON"));
  }
  methods_[absl::StrCat(descriptor->name(), "/", m->name())] = m;
  return absl::OkStatus();
}

absl::Status ParseJsonRequest(absl::string_view json, pb::Message* request) {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo must not pass silently
  auto parsed = pb::util::JsonStringToMessage(
      pb::StringPiece(json.data(), json.size()), request, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request body is not a ", request->GetDescriptor()->full_name(),
        " in JSON: ", std::string(parsed.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<JsonCall> JsonGateway::Call(absl::string_view service,
                                           absl::string_view method,
                                           absl::string_view json,
                                           absl::string_view actor) const {
  auto it = methods_.find(absl::StrCat(service, "/", method));
  if (it == methods_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no method ", service, "/", method, " in this API"));
  }
  JsonCall call;
  call.method = it->second;
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  call.request.reset(factory->GetPrototype(call.method->input_type())->New());
  call.response.reset(factory->GetPrototype(call.method->output_type())->New());
  if (!json.empty()) {
    RETURN_IF_ERROR(ParseJsonRequest(json, call.request.get()));
  }

  grpc::TemplatedGenericStub<pb::Message, pb::Message> stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  context.AddMetadata(kInProcessTokenMetadataKey, in_process_token_);
  if (!actor.empty()) {
    context.AddMetadata(kConsoleUserMetadataKey, std::string(actor));
    // The server records every read of personal data with its purpose.
    context.AddMetadata(kPurposeMetadataKey, "web console");
  }
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context,
                 absl::StrCat("/", call.method->service()->full_name(), "/",
                              call.method->name()),
                 grpc::StubOptions(), call.request.get(), call.response.get(),
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return FromGrpc(status);
  return call;
}

absl::StatusOr<std::string> JsonGateway::ToJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  auto printed = pb::util::MessageToJsonString(message, &out, options);
  if (!printed.ok()) {
    // Only for invalid UTF-8 in a string field, which our messages never
    // hold.
    return absl::InternalError(absl::StrCat("cannot print the answer as JSON: ",
                                            std::string(printed.message())));
  }
  return out;
}

}  // namespace dibao
