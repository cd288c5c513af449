// RecordDecoder: Kafka record values into rows of a table's schema, one
// implementation per wire format (json_decoder.h, avro_decoder.h). The
// pipeline decodes in two steps so a record's table may depend on a value in
// it: Parse, look with Scalar, then AppendParsed into the chosen table's
// batch.
//
// Error contract, shared by every format: a record that cannot be read is an
// error for that record alone (kCorruption: not in the format at all;
// kInvalidArgument: a value the table's column cannot take, naming the
// field; kOutOfRange / kNotFound: what schema evolution can cure), and the
// batch is left as it was, ready for the next record. kUnavailable means the
// record could not be looked at yet (a schema registry that cannot be
// reached): it is not the record's fault, and the caller reads it again later.
//
// Not thread-safe: one decoder per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "floe/columnar/column.h"
#include "floe/util/status.h"

namespace floe::source {

class RecordDecoder {
 public:
  virtual ~RecordDecoder() = default;

  virtual Status Parse(std::string_view record) = 0;
  // The string, integer, boolean (or Avro enum symbol) at JSON pointer
  // `pointer` ("/DOMAIN", "/source/system") of the parsed record, as text;
  // nullopt when absent, null or another kind of value.
  virtual std::optional<std::string> Scalar(std::string_view pointer) = 0;
  // REQUIRES: a successful Parse since. In strict mode (unknown_keys_fail),
  // a field the schema lacks, holding a value, is kNotFound.
  virtual Status AppendParsed(RecordBatch* batch, bool unknown_keys_fail = false) = 0;

  // Parse and AppendParsed in one.
  Status Append(std::string_view record, RecordBatch* batch) {
    FLOE_RETURN_IF_ERROR(Parse(record));
    return AppendParsed(batch);
  }
};

}  // namespace floe::source
