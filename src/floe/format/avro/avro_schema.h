// Avro schemas (Avro 1.11 specification, "Schema Declaration"), as a graph of
// nodes held by index, so named types may refer to themselves.
//
// Iceberg hangs its own attributes on Avro schemas ("field-id" on record
// fields, "element-id" on arrays, "key-id"/"value-id" on maps) and reads them
// back, so every attribute floe does not interpret is kept verbatim (as JSON
// text, in the order given) and written back by SchemaToJson.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/util/status.h"

namespace floe::avro {

enum class AvroType : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// "null", "boolean", ..., "fixed".
std::string_view AvroTypeName(AvroType type);

// An attribute floe keeps without interpreting: its key and its value as
// compact JSON text ("field-id" -> "1", "doc-url" -> "\"x\"").
struct Attribute {
  std::string key;
  std::string json;
  bool operator==(const Attribute&) const = default;
};

struct AvroField {
  std::string name;
  int node = -1;  // the field's type
  std::optional<std::string> doc;
  std::optional<std::string> default_json;  // compact JSON text, checked against the type
  std::vector<Attribute> attributes;        // "field-id", "order", "aliases", ...
};

struct AvroNode {
  AvroType type = AvroType::kNull;
  // Named types (record, enum, fixed): the name and namespace as written, and
  // the full name they resolve to (namespaces are inherited from the enclosing
  // named type).
  std::string name;
  std::optional<std::string> name_space;
  std::string full_name;
  std::optional<std::string> doc;
  std::vector<AvroField> fields;            // record
  std::vector<std::string> symbols;         // enum
  std::optional<std::string> enum_default;  // enum
  int32_t fixed_size = 0;                   // fixed
  std::vector<int> children;                // array: {items}; map: {values}; union: branches
  std::optional<std::string> logical_type;  // "decimal", "date", "timestamp-micros", ...
  std::optional<int32_t> precision, scale;  // decimal
  std::vector<Attribute> attributes;        // "element-id", "key-id", "value-id", ...
};

// A parsed schema: nodes[root] is the top-level type. A named type is one node;
// every later reference by name points to the same index.
struct AvroSchema {
  std::vector<AvroNode> nodes;
  int root = -1;

  const AvroNode& node(int i) const { return nodes[static_cast<size_t>(i)]; }
  const AvroNode& root_node() const { return node(root); }
};

// Nesting deeper than this in schema JSON, defaults or data is rejected, so a
// hostile schema or file cannot exhaust the stack.
inline constexpr int kMaxAvroDepth = 64;

// Parses schema JSON text. Malformed schemas (unknown types or names,
// duplicate names, fields or symbols, bad defaults, invalid names or sizes,
// decimal precision/scale out of range, nesting beyond kMaxAvroDepth) are
// InvalidArgument naming the place ("record r1 field f: ...").
Result<AvroSchema> ParseAvroSchema(std::string_view json);

// Writes the schema back as compact JSON: a named type is defined where it
// first occurs and referenced by full name after that; primitive types
// without attributes are plain strings. Uninterpreted attributes are
// written after the known keys in their original order.
std::string AvroSchemaToJson(const AvroSchema& schema);

// For every node, a lower bound of the bytes one of its values encodes to (0
// for null or records of nulls), saturating at INT32_MAX; decoders use it to
// check counts against the bytes left before allocating.
std::vector<int64_t> MinEncodedSizes(const AvroSchema& schema);

}  // namespace floe::avro
