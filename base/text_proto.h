// Reading configuration files written in protobuf text format, with errors
// an operator can act on: "policy.textproto:12:5: ...".
//
// Parse errors come from protobuf's parser; ReadTextProto also keeps where
// each field was written (a ParseInfoTree) so that later semantic checks can
// point at the line of the value they refuse (TextLocator).
#ifndef DIBAO_BASE_TEXT_PROTO_H_
#define DIBAO_BASE_TEXT_PROTO_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"

namespace dibao {

// Where the fields of a parsed text-format file were written.
class TextLocator {
 public:
  TextLocator() = default;
  TextLocator(const TextLocator&) = delete;
  TextLocator& operator=(const TextLocator&) = delete;

  // Forgets what it knew; the next parse into `root` records into tree().
  void Reset(std::string path, const google::protobuf::Message& root);

  // "path:line:column" of the field at `field_path`, a dotted path with
  // optional indices ("standards[1].monthly_standard_fen"); the deepest
  // located prefix when the field itself was not written (a missing field is
  // reported where its parent is), or just "path" when nothing is.
  std::string Where(absl::string_view field_path) const;

  google::protobuf::TextFormat::ParseInfoTree* tree() { return tree_.get(); }

 private:
  std::string path_;
  const google::protobuf::Descriptor* root_ = nullptr;
  std::unique_ptr<google::protobuf::TextFormat::ParseInfoTree> tree_ =
      std::make_unique<google::protobuf::TextFormat::ParseInfoTree>();
};

// Parses the file at `path` into `message`. NOT_FOUND when it cannot be
// read; INVALID_ARGUMENT with every "path:line:column: problem" otherwise.
// Fills `locator` (when given) with the fields' positions.
absl::Status ReadTextProto(const std::string& path,
                           google::protobuf::Message* message,
                           TextLocator* locator = nullptr);

// The same for text already read; `name` stands for the file in messages.
absl::Status ParseTextProto(absl::string_view text, const std::string& name,
                            google::protobuf::Message* message,
                            TextLocator* locator = nullptr);

}  // namespace dibao

#endif  // DIBAO_BASE_TEXT_PROTO_H_
