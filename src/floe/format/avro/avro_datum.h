// Avro datums: AvroValue trees to and from the binary encoding of a schema.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/format/avro/avro_binary.h"
#include "floe/format/avro/avro_schema.h"
#include "floe/format/avro/avro_value.h"

namespace floe::avro {

// Appends `value` encoded as the schema's root type. Arrays and maps are
// written as one block and the end marker. A value that does not fit the
// schema (wrong type, field count, union branch, enum index, fixed size) is
// InvalidArgument naming the field path; `out` may then hold a partial datum.
Status EncodeDatum(const AvroSchema& schema, const AvroValue& value, std::string* out);

// Decodes datums of one schema. Hostile-input safe: every count is checked
// against the bytes left (via the schema's minimum encoded sizes) before
// anything is allocated, values that encode to zero bytes (null, empty
// records) are limited to kMaxZeroSizeItems per datum, and nesting is
// limited to kMaxAvroDepth. Errors are Corruption naming the field path.
class DatumDecoder {
 public:
  static constexpr int64_t kMaxZeroSizeItems = int64_t{1} << 20;

  explicit DatumDecoder(const AvroSchema& schema);

  // Decodes one datum of the root type from `in` into `out`.
  Status Decode(BinaryDecoder* in, AvroValue* out);

  const AvroSchema& schema() const { return schema_; }
  // The fewest bytes a root datum takes (0 for a record of nulls).
  int64_t min_root_size() const { return min_size_[static_cast<size_t>(schema_.root)]; }

 private:
  Status DecodeNode(int node, int depth, BinaryDecoder* in, AvroValue* out);
  Status DecodeBlocks(int item_node, bool is_map, int depth, BinaryDecoder* in, AvroValue* out);
  Status Fail(Status status) const;

  const AvroSchema& schema_;
  std::vector<int64_t> min_size_;
  std::vector<std::string_view> path_;
  int64_t zero_size_budget_ = 0;
};

}  // namespace floe::avro
