#include "base/text_proto.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace dibao {
namespace {

// Collects the parser's complaints with their positions (1-based, as editors
// show them).
class Errors : public google::protobuf::io::ErrorCollector {
 public:
  explicit Errors(std::string path) : path_(std::move(path)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!text_.empty()) text_ += "\n";
    absl::StrAppend(&text_, path_, ":", line + 1, ":", column + 1, ": ",
                    message);
  }
  const std::string& text() const { return text_; }

 private:
  std::string path_;
  std::string text_;
};

}  // namespace

void TextLocator::Reset(std::string path,
                        const google::protobuf::Message& root) {
  path_ = std::move(path);
  root_ = root.GetDescriptor();
  tree_ = std::make_unique<google::protobuf::TextFormat::ParseInfoTree>();
}

std::string TextLocator::Where(absl::string_view field_path) const {
  using google::protobuf::TextFormat;
  const google::protobuf::Descriptor* type = root_;
  const TextFormat::ParseInfoTree* tree = tree_.get();
  std::string where = path_;
  for (absl::string_view part : absl::StrSplit(field_path, '.')) {
    if (type == nullptr || tree == nullptr) break;
    int index = -1;
    if (const size_t bracket = part.find('['); bracket != part.npos) {
      if (!absl::SimpleAtoi(part.substr(bracket + 1, part.size() - bracket - 2),
                            &index)) {
        break;
      }
      part = part.substr(0, bracket);
    }
    const google::protobuf::FieldDescriptor* field =
        type->FindFieldByName(std::string(part));
    if (field == nullptr) break;
    // protobuf aborts on an index that does not fit the field's label: a
    // repeated field named without one is located at its first element (a
    // missing one is not located), a singular one ignores an index.
    if (field->is_repeated() && index < 0) index = 0;
    if (!field->is_repeated()) index = -1;
    const TextFormat::ParseLocation at = tree->GetLocation(field, index);
    if (at.line < 0) break;
    where = absl::StrCat(path_, ":", at.line + 1, ":", at.column + 1);
    type = field->message_type();
    tree = type == nullptr ? nullptr : tree->GetTreeForNested(field, index);
  }
  return where;
}

absl::Status ReadTextProto(const std::string& path,
                           google::protobuf::Message* message,
                           TextLocator* locator) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseTextProto(text.str(), path, message, locator);
}

absl::Status ParseTextProto(absl::string_view text, const std::string& name,
                            google::protobuf::Message* message,
                            TextLocator* locator) {
  Errors errors(name);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (locator != nullptr) {
    locator->Reset(name, *message);
    parser.WriteLocationsTo(locator->tree());
  }
  google::protobuf::io::ArrayInputStream input(text.data(),
                                               static_cast<int>(text.size()));
  if (!parser.Parse(&input, message)) {
    return absl::InvalidArgumentError(errors.text().empty()
                                          ? absl::StrCat(name, ": unreadable")
                                          : errors.text());
  }
  return absl::OkStatus();
}

}  // namespace dibao
