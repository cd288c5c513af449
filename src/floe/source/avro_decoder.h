// Kafka record values in Avro (the Confluent wire format: a zero byte, the
// writer schema's id in four bytes big-endian, one binary datum), decoded
// straight into a table's columns.
//
// The writer schema (writer_schemas.h) is matched to the table's schema by
// field name at every level of nesting, once per pair, into a plan the
// datums are then read with: no tree of values per record. Fields the table
// lacks are skipped; table fields the writer lacks are null (a required one
// makes every record of that writer schema a dead letter, saying why).
// Conversions follow Avro's schema resolution, plus the logical types and
// floe's text forms:
//   boolean                          boolean
//   int                              int, long, float, double; date (logical
//                                    date); time (time-millis)
//   long                             long, float, double; time (time-micros);
//                                    timestamp[tz][_ns] (timestamp-millis,
//                                    -micros, -nanos and local-timestamp-*)
//   float / double                   float, double / double
//   string                           string; any primitive column from its
//                                    text form ("2026-11-25T13:45:00Z", a
//                                    uuid, a decimal: columnar/text_rows.h)
//   bytes                            binary; decimal (logical decimal)
//   fixed                            fixed of the same size, binary, uuid
//                                    (16 bytes); decimal (logical decimal)
//   enum                             string (the symbol)
//   record / array / map             struct / list / map with string keys
//   union                            each branch as above; null -> null
// Decimals need the column's scale and at most its precision. Strings must be
// UTF-8. Datums are hostile-input safe: every length and count is checked
// against the bytes left before anything is allocated, bytes after the datum
// are an error, and skipping nests at most avro::kMaxAvroDepth deep.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/source/record_decoder.h"
#include "floe/source/writer_schemas.h"

namespace floe::source {

class AvroDecoder final : public RecordDecoder {
 public:
  AvroDecoder(std::shared_ptr<WriterSchemas> schemas, size_t max_record_bytes);
  ~AvroDecoder() override;
  AvroDecoder(AvroDecoder&&) noexcept;
  AvroDecoder& operator=(AvroDecoder&&) noexcept;

  // RecordDecoder (record_decoder.h). Parse: kCorruption when the value is
  // not in the wire format; kNotFound for a schema id the registry lacks;
  // kUnavailable when the registry cannot be asked now. AppendParsed:
  // kCorruption for a datum that does not decode, kInvalidArgument for a
  // value the column cannot take; strict mode does not apply (new fields
  // come with new writer schemas).
  Status Parse(std::string_view value) override;
  std::optional<std::string> Scalar(std::string_view pointer) override;
  Status AppendParsed(RecordBatch* batch, bool unknown_keys_fail = false) override;

 private:
  struct Plan;  // how one writer schema's datums go into one table schema (avro_plan.h)
  const Plan& PlanFor(const Schema& table);

  std::shared_ptr<WriterSchemas> schemas_;
  size_t max_record_bytes_;
  std::shared_ptr<const WriterSchema> writer_;  // the parsed record's
  std::string_view datum_;                      // into the caller's value, while parsed
  std::string pointer_;                         // the last pointer Scalar was asked for
  std::vector<std::string> path_;               // its segments
  std::vector<std::unique_ptr<Plan>> plans_;
  const Plan* last_plan_ = nullptr;
};

}  // namespace floe::source
