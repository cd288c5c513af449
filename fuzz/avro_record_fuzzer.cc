// libFuzzer target for the Avro decoder of Kafka record values
// (source/avro_decoder.h): Confluent wire-format bytes from untrusted
// producers, read with a writer schema that has every kind of Avro type
// (unions, enums, fixed, decimals, nested records, arrays and maps, and a
// recursive record the table lacks, which is skipped) into a table whose
// columns convert, widen, parse text or miss fields. Whatever the input, a
// record is appended whole or not at all: every column keeps the batch's
// row count, and a refused record leaves the batch as it was.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "floe/source/avro_decoder.h"

namespace {

constexpr std::string_view kWriter = R"({"type": "record", "name": "R", "fields": [
  {"name": "id", "type": "long"},
  {"name": "n", "type": ["null", "int", "string"]},
  {"name": "s", "type": "string"},
  {"name": "d", "type": {"type": "fixed", "name": "D", "size": 6, "logicalType": "decimal",
                         "precision": 9, "scale": 2}},
  {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "text_t", "type": "string"},
  {"name": "f", "type": "float"},
  {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}},
  {"name": "u", "type": {"type": "fixed", "name": "U", "size": 16}},
  {"name": "tree", "type": {"type": "record", "name": "Tree", "fields": [
    {"name": "kids", "type": {"type": "array", "items": "Tree"}},
    {"name": "label", "type": ["null", "string"]}]}},
  {"name": "point", "type": ["null", {"type": "record", "name": "P", "fields": [
    {"name": "x", "type": "int"},
    {"name": "tags", "type": {"type": "array", "items": ["null", "string"]}}]}]},
  {"name": "m", "type": {"type": "map", "values": {"type": "array", "items": "long"}}},
  {"name": "nulls", "type": {"type": "array", "items": "null"}}
]})";

floe::Schema TableSchema() {
  using floe::NestedField;
  using floe::Type;
  return floe::Schema({
      NestedField(1, "id", true, Type::Long()),
      NestedField(2, "n", false, Type::Long()),
      NestedField(3, "s", false, Type::String()),
      NestedField(4, "d", false, Type::Decimal(9, 2)),
      NestedField(5, "t", false, Type::TimestampTzNs()),
      NestedField(6, "text_t", false, Type::TimestampTz()),
      NestedField(7, "f", false, Type::Double()),
      NestedField(8, "e", false, Type::String()),
      NestedField(9, "u", false, Type::Uuid()),
      NestedField(
          10, "point", false,
          Type::Struct({NestedField(11, "tags", false,
                                    Type::List(NestedField(12, "element", false, Type::String()))),
                        NestedField(13, "x", true, Type::Int()),
                        NestedField(14, "z", false, Type::Int())})),
      NestedField(
          15, "m", false,
          Type::Map(NestedField(16, "key", true, Type::String()),
                    NestedField(17, "value", false,
                                Type::List(NestedField(18, "element", true, Type::Long()))))),
      NestedField(19, "nulls", false,
                  Type::List(NestedField(20, "element", false, Type::String()))),
      NestedField(21, "absent", false, Type::String()),
  });
}

void CheckLengths(const floe::RecordBatch& batch) {
  for (const floe::Column& c : batch.columns) {
    if (c.length() != batch.num_rows) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const floe::Schema schema = TableSchema();
  static floe::source::AvroDecoder decoder = [] {
    auto writer = floe::source::WriterSchema::Parse(1, kWriter);
    if (!writer.ok()) std::abort();
    return floe::source::AvroDecoder(std::make_shared<floe::source::FixedWriterSchema>(*writer),
                                     1 << 20);
  }();
  floe::RecordBatch batch = floe::RecordBatch::Empty(schema);
  // The input is the datum; the first byte picks the path, and whether the
  // header is added (0x80) or taken from the input.
  const bool raw = (data[0] & 0x80) != 0;
  std::string value = raw ? std::string() : floe::source::WireFormatHeader(1);
  value.append(reinterpret_cast<const char*>(data) + 1, size - 1);
  floe::Status s;
  if (data[0] % 2 == 0) {
    s = decoder.Append(value, &batch);
  } else if (s = decoder.Parse(value); s.ok()) {
    (void)decoder.Scalar("/s");
    (void)decoder.Scalar("/point/x");
    (void)decoder.Scalar("/tree/label");
    (void)decoder.Scalar("/e");
    s = decoder.AppendParsed(&batch);
  }
  CheckLengths(batch);
  if (batch.num_rows != (s.ok() ? 1 : 0)) std::abort();
  if (s.ok()) {
    // A second record after a good one: the batch keeps growing row by row.
    if (decoder.Append(value, &batch).ok() != true) std::abort();
    CheckLengths(batch);
  }
  return 0;
}
