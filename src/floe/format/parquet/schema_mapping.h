// floe schemas <-> Parquet schema trees, and the leaf columns a file holds.
//
// Writing maps each floe type to the physical type and annotations the Iceberg
// spec's Parquet appendix names (lists in the 3-level form, maps as
// key_value groups, field_id on every field). Reading accepts what other
// writers produce too: legacy 2-level lists, bare repeated fields, converted
// types without logical types, INT96, and files without field ids.
#pragma once

#include <string>
#include <vector>

#include "floe/format/parquet/metadata.h"
#include "floe/schema/schema.h"

namespace floe::parquet {

// How stored leaf values become floe values when the two differ.
enum class ValueConversion : uint8_t {
  kNone,
  kMillisToMicros,  // TIME_MILLIS / TIMESTAMP_MILLIS
  kNanosToMicros,   // TIME(NANOS) read as time
  kInt96ToNanos,    // INT96 Julian-day timestamps
  kUint32ToInt64,   // UINT_32 stored in INT32
  kDecimalFromInt32,
  kDecimalFromInt64,
  kDecimalFromBytes,  // FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY big-endian
};

// One leaf column of the file: where it sits and how to decode it.
struct LeafColumn {
  std::vector<std::string> path;  // path_in_schema
  std::vector<int> field_path;    // child indices from the schema's top-level fields down
  int16_t max_def = 0;
  int16_t max_rep = 0;
  PhysicalType physical = PhysicalType::kBoolean;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  TypePtr type;             // the floe type values are decoded to
  ValueConversion conversion = ValueConversion::kNone;
  int32_t field_id = 0;
  // Statistics may be compared as signed values only when the file says so
  // (a TypeDefinedOrder column order); unsigned and legacy orders are skipped.
  bool unsigned_order = false;
};

struct FileSchema {
  Schema schema;  // fields without a field_id in the file get ids after the largest one
  std::vector<LeafColumn> leaves;
  bool has_field_ids = true;  // every field carried a field_id
};

// The flattened Parquet schema (root first) for a floe schema.
Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema);

// The floe view of a Parquet schema. Errors on malformed trees (children
// counts that run past the list, groups without children, missing types).
Result<FileSchema> FromParquetSchema(const std::vector<SchemaElement>& elements);

}  // namespace floe::parquet
