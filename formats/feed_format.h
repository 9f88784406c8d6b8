// Feed files as agencies export them: CSV with a header row, or JSON Lines
// of flat objects, with the field names of feeds.proto as headers or keys
// (id_number, name, then the kind's fields, e.g. employer_code, start_date),
// and optionally action (UPSERT, the default, or WITHDRAW),
// withdrawal_reason and withdrawal_note.
//
// Cells are read by the field's type: dates YYYY-MM-DD, months YYYY-MM,
// money whole fen, enums by short name in any case, sex M/F, area a decimal.
// An empty cell leaves the field unset; whether it is required is decided by
// ValidateFeedRecord, so a file and a gRPC client get the same answers.
//
// Streams: one record in memory at a time. Thread-compatible.
#ifndef DIBAO_FORMATS_FEED_FORMAT_H_
#define DIBAO_FORMATS_FEED_FORMAT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

#include "absl/status/status.h"
#include "dibao/v1/feeds.pb.h"
#include "formats/feed_kinds.h"
#include "formats/registry_format.h"

namespace dibao {

using FeedRecordSink = std::function<void(int64_t line, v1::FeedRecord)>;

// Reads records of `spec`'s kind. Every well-formed line goes to `ok` (with
// source_line set), every unreadable one to `bad`. An error return means the
// file as a whole cannot be read (bad header, I/O).
absl::Status ReadFeedRecords(std::istream& in, FileFormat format,
                             const FeedKindSpec& spec, const FeedRecordSink& ok,
                             const ErrorSink& bad);

// The CSV header and a row for a record of `spec`'s kind; the columns are
// id_number, name and the kind's fields in schema order, and with `actions`
// then action, withdrawal_reason and withdrawal_note.
std::string FeedCsvHeader(const FeedKindSpec& spec, bool actions = false);
void AppendFeedCsv(const FeedKindSpec& spec, const v1::FeedRecord& record,
                   std::string* out, bool actions = false);

// The natural key of `record` as people read it, in its kind's key order:
// "employer_code 91420100MA4K, start_date 2026-03-01".
std::string NaturalKeyLabel(const FeedKindSpec& spec,
                            const v1::FeedRecord& record);

}  // namespace dibao

#endif  // DIBAO_FORMATS_FEED_FORMAT_H_
