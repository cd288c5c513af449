// floe's type system: Iceberg's types (spec "Schemas and Data Types"), used by
// every layer. Parquet files, Kafka records and Iceberg tables all describe
// their columns with these, so a column keeps one meaning from source to table.
//
// Types are immutable and shared (TypePtr); primitives are singletons.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe {

enum class TypeId : uint8_t {
  kBoolean,
  kInt,   // 32-bit signed
  kLong,  // 64-bit signed
  kFloat,
  kDouble,
  kDecimal,        // decimal(P, S), P <= 38
  kDate,           // days since 1970-01-01
  kTime,           // microseconds since midnight
  kTimestamp,      // microseconds since the epoch, no zone
  kTimestampTz,    // microseconds since the epoch, UTC
  kTimestampNs,    // nanoseconds, no zone (v3)
  kTimestampTzNs,  // nanoseconds, UTC (v3)
  kString,         // UTF-8
  kUuid,           // 16 bytes, big-endian as in the canonical text form
  kFixed,          // fixed[N]
  kBinary,
  kStruct,
  kList,
  kMap,
};

class Type;
using TypePtr = std::shared_ptr<const Type>;

// A named, numbered slot of a struct, or the element / key / value of a list or
// map. Field ids are what Iceberg uses to track columns across renames.
struct NestedField {
  NestedField() = default;
  NestedField(int32_t field_id, std::string field_name, bool is_required, TypePtr field_type,
              std::string field_doc = "")
      : id(field_id),
        name(std::move(field_name)),
        required(is_required),
        type(std::move(field_type)),
        doc(std::move(field_doc)) {}

  int32_t id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::string doc;
  // Format v3 defaults, as the spec's JSON single values (text): the value
  // of rows written before the field existed, and the value writers use
  // when they are given none.
  std::optional<std::string> initial_default;
  std::optional<std::string> write_default;

  bool operator==(const NestedField& other) const;
};

class Type {
 public:
  static TypePtr Boolean();
  static TypePtr Int();
  static TypePtr Long();
  static TypePtr Float();
  static TypePtr Double();
  static TypePtr Date();
  static TypePtr Time();
  static TypePtr Timestamp();
  static TypePtr TimestampTz();
  static TypePtr TimestampNs();
  static TypePtr TimestampTzNs();
  static TypePtr String();
  static TypePtr Uuid();
  static TypePtr Binary();
  // REQUIRES: 1 <= precision <= 38, 0 <= scale <= precision.
  static TypePtr Decimal(int precision, int scale);
  // REQUIRES: length >= 1.
  static TypePtr Fixed(int32_t length);
  static TypePtr Struct(std::vector<NestedField> fields);
  static TypePtr List(NestedField element);
  static TypePtr Map(NestedField key, NestedField value);

  TypeId id() const { return id_; }
  bool is_nested() const {
    return id_ == TypeId::kStruct || id_ == TypeId::kList || id_ == TypeId::kMap;
  }
  int precision() const { return precision_; }  // decimal
  int scale() const { return scale_; }          // decimal
  int32_t length() const { return length_; }    // fixed
  // Struct: its fields. List: {element}. Map: {key, value}. Primitives: empty.
  const std::vector<NestedField>& fields() const { return fields_; }
  const NestedField& element() const { return fields_[0]; }  // REQUIRES: list
  const NestedField& key() const { return fields_[0]; }      // REQUIRES: map
  const NestedField& value() const { return fields_[1]; }    // REQUIRES: map

  // Iceberg's spelling: "long", "decimal(9,2)", "fixed[16]", "timestamptz",
  // "struct<1: a: optional int>", "list<string>", "map<string, int>".
  std::string ToString() const;

  bool operator==(const Type& other) const;

 private:
  explicit Type(TypeId id) : id_(id) {}
  static TypePtr Primitive(TypeId id);

  TypeId id_;
  int precision_ = 0;
  int scale_ = 0;
  int32_t length_ = 0;
  std::vector<NestedField> fields_;
};

// Parses a primitive type name in Iceberg's spelling ("int", "decimal(38, 10)",
// "fixed[16]", "timestamp_ns"); nullopt when it is not one.
std::optional<TypePtr> ParsePrimitiveType(std::string_view name);

// Bytes one value takes in a column's fixed-width buffer (see columnar/column.h);
// 0 for variable-width and nested types.
int FixedWidth(const Type& type);

// timestamp, timestamptz, timestamp_ns or timestamptz_ns.
inline bool IsTimestamp(TypeId id) {
  return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kTimestampNs ||
         id == TypeId::kTimestampTzNs;
}

}  // namespace floe
