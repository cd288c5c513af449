// AvroValue: one Avro datum of any schema, as a tree, for the generic encoder
// and decoder. Manifests are small, so clarity wins over compactness here.
//
//   null                  -
//   boolean, int, long    i (0/1 for boolean)
//   float, double         d
//   bytes, string, fixed  bytes
//   enum                  i, the symbol's index
//   record                items, one per field in schema order
//   array                 items
//   map                   keys[k] -> items[k], in encoded order
//   union                 i, the branch index; items[0] the branch's value
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "floe/format/avro/avro_schema.h"

namespace floe::avro {

struct AvroValue {
  AvroType type = AvroType::kNull;
  int64_t i = 0;
  double d = 0;
  std::string bytes;
  std::vector<AvroValue> items;
  std::vector<std::string> keys;

  static AvroValue Null() { return {}; }
  static AvroValue Boolean(bool v) { return Scalar(AvroType::kBoolean, v ? 1 : 0); }
  static AvroValue Int(int32_t v) { return Scalar(AvroType::kInt, v); }
  static AvroValue Long(int64_t v) { return Scalar(AvroType::kLong, v); }
  static AvroValue Enum(int32_t index) { return Scalar(AvroType::kEnum, index); }
  static AvroValue Float(float v) {
    AvroValue x;
    x.type = AvroType::kFloat;
    x.d = v;
    return x;
  }
  static AvroValue Double(double v) {
    AvroValue x;
    x.type = AvroType::kDouble;
    x.d = v;
    return x;
  }
  static AvroValue Bytes(std::string v) { return Blob(AvroType::kBytes, std::move(v)); }
  static AvroValue String(std::string v) { return Blob(AvroType::kString, std::move(v)); }
  static AvroValue Fixed(std::string v) { return Blob(AvroType::kFixed, std::move(v)); }
  static AvroValue Record(std::vector<AvroValue> fields) {
    AvroValue x;
    x.type = AvroType::kRecord;
    x.items = std::move(fields);
    return x;
  }
  static AvroValue Array(std::vector<AvroValue> elements) {
    AvroValue x;
    x.type = AvroType::kArray;
    x.items = std::move(elements);
    return x;
  }
  static AvroValue Map(std::vector<std::string> keys, std::vector<AvroValue> values) {
    AvroValue x;
    x.type = AvroType::kMap;
    x.keys = std::move(keys);
    x.items = std::move(values);
    return x;
  }
  static AvroValue Union(int32_t branch, AvroValue value) {
    AvroValue x = Scalar(AvroType::kUnion, branch);
    x.items.push_back(std::move(value));
    return x;
  }

  bool operator==(const AvroValue&) const = default;

 private:
  static AvroValue Scalar(AvroType t, int64_t v) {
    AvroValue x;
    x.type = t;
    x.i = v;
    return x;
  }
  static AvroValue Blob(AvroType t, std::string v) {
    AvroValue x;
    x.type = t;
    x.bytes = std::move(v);
    return x;
  }
};

}  // namespace floe::avro
