#include "floe/stream/dead_letters.h"

namespace floe::stream {

Schema DeadLetterSchema() {
  auto str = Type::String();
  auto bin = Type::Binary();
  auto ts = Type::TimestampTz();
  return Schema({
      NestedField(1, "pipeline", true, str),
      NestedField(2, "stage", true, str, "decode: the value could not be read as a row"),
      NestedField(3, "error", true, str),
      NestedField(4, "topic", true, str),
      NestedField(5, "partition", true, Type::Int()),
      NestedField(6, "offset", true, Type::Long()),
      NestedField(7, "kafka_timestamp", false, ts),
      NestedField(8, "key", false, bin),
      NestedField(9, "value", false, bin),
      NestedField(10, "headers", false,
                  Type::List(NestedField(11, "element", true,
                                         Type::Struct({NestedField(12, "name", true, str),
                                                       NestedField(13, "value", false, bin)})))),
      NestedField(14, "failed_at", true, ts),
  });
}

void AppendDeadLetter(const source::Record& message, std::string_view pipeline,
                      std::string_view stage, std::string_view error, int64_t now_micros,
                      RecordBatch* batch) {
  std::vector<Column>& c = batch->columns;
  c[0].AppendBytes(pipeline);
  c[1].AppendBytes(stage);
  c[2].AppendBytes(error);
  c[3].AppendBytes(message.topic());
  c[4].Append(message.partition());
  c[5].Append(message.offset());
  if (auto ts = message.timestamp_ms()) {
    c[6].Append(*ts * 1000);
  } else {
    c[6].AppendNull();
  }
  auto bytes_or_null = [](Column& col, std::optional<std::string_view> v) {
    if (v) {
      col.AppendBytes(*v);
    } else {
      col.AppendNull();
    }
  };
  bytes_or_null(c[7], message.key());
  bytes_or_null(c[8], message.value());
  Column& headers = c[9];
  Column& entry = headers.child(0);
  for (const source::RecordHeader& h : message.headers()) {
    entry.child(0).AppendBytes(h.name);
    bytes_or_null(entry.child(1), h.value);
    entry.AppendStruct();
  }
  headers.AppendListEnd();
  c[10].Append(now_micros);
  ++batch->num_rows;
}

}  // namespace floe::stream
