// Appending protobuf wire-format fields to serialized bytes by hand.
//
// Appending a serialized field to a serialized message is the same as
// setting it (the wire format merges on parse), which lets hot paths build
// stored messages around bytes they already hold, without parsing them.
#ifndef DIBAO_FEEDS_INTERNAL_PROTO_WIRE_H_
#define DIBAO_FEEDS_INTERNAL_PROTO_WIRE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace dibao {

inline void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A length-delimited field (string, bytes or message).
inline void AppendBytesField(int field_number, absl::string_view bytes,
                             std::string* out) {
  AppendVarint(static_cast<uint64_t>(field_number) << 3 | 2, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

}  // namespace dibao

#endif  // DIBAO_FEEDS_INTERNAL_PROTO_WIRE_H_
