// Kafka record values as JSON objects, decoded into rows of a table's schema.
//
// A record's keys are matched to the schema's fields by name, at every level
// of nesting; keys the schema lacks are ignored, missing and null fields are
// null (an error for a required one). Values convert without loss or not at
// all:
//   boolean                 true / false
//   int, long               JSON integers in range
//   float, double           any JSON number; "NaN", "Infinity", "-Infinity"
//   decimal(P, S)           a JSON number or string, at most S fraction digits
//   date, time, uuid,       strings in floe's text forms (columnar/text_rows.h);
//   binary, fixed           binary and fixed as base64
//   timestamp[tz][_ns]      an ISO 8601 string ("2026-11-25T13:45:00.123Z",
//                           an offset for tz columns) or a JSON integer of
//                           milliseconds since the epoch
//   string                  a JSON string
//   struct / list / map     object / array / object with the keys as strings
// A record that is not one JSON object, a value of the wrong type, or a
// record past max_record_bytes is an error for that record alone: the batch
// is left as it was, ready for the next record. A number past its column's
// range is kOutOfRange, and in strict mode (AppendParsed's
// unknown_keys_fail) a key the schema lacks, holding a value, is kNotFound:
// the two errors schema evolution can cure (json_schema_evolution.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "floe/columnar/column.h"
#include "floe/source/record_decoder.h"
#include "floe/util/status.h"

namespace floe::source {

class JsonDecoder final : public RecordDecoder {
 public:
  static constexpr size_t kDefaultMaxRecordBytes = size_t{4} << 20;
  explicit JsonDecoder(size_t max_record_bytes = kDefaultMaxRecordBytes);
  ~JsonDecoder() override;
  JsonDecoder(JsonDecoder&&) noexcept;
  JsonDecoder& operator=(JsonDecoder&&) noexcept;

  // RecordDecoder (record_decoder.h): kInvalidArgument (naming the field) or
  // kCorruption (not JSON, or not one object) leaves the batch unchanged.
  Status Parse(std::string_view json) override;
  std::optional<std::string> Scalar(std::string_view pointer) override;
  Status AppendParsed(RecordBatch* batch, bool unknown_keys_fail = false) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::source
