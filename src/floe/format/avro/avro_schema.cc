#include "floe/format/avro/avro_schema.h"

#include <algorithm>

namespace floe::avro {

std::string_view AvroTypeName(AvroType type) {
  switch (type) {
    case AvroType::kNull:
      return "null";
    case AvroType::kBoolean:
      return "boolean";
    case AvroType::kInt:
      return "int";
    case AvroType::kLong:
      return "long";
    case AvroType::kFloat:
      return "float";
    case AvroType::kDouble:
      return "double";
    case AvroType::kBytes:
      return "bytes";
    case AvroType::kString:
      return "string";
    case AvroType::kRecord:
      return "record";
    case AvroType::kEnum:
      return "enum";
    case AvroType::kArray:
      return "array";
    case AvroType::kMap:
      return "map";
    case AvroType::kUnion:
      return "union";
    case AvroType::kFixed:
      return "fixed";
  }
  return "unknown";
}

std::vector<int64_t> MinEncodedSizes(const AvroSchema& schema) {
  // Iterated from all zeros, each pass raises the values toward the exact
  // minimum and never past it, so stopping early (recursive records, which
  // may have no finite minimum) still leaves safe lower bounds.
  std::vector<int64_t> min(schema.nodes.size(), 0);
  for (int pass = 0; pass < kMaxAvroDepth; ++pass) {
    bool changed = false;
    for (size_t i = schema.nodes.size(); i-- > 0;) {
      const AvroNode& n = schema.nodes[i];
      int64_t v = 1;  // a varint, a length, a block count or a branch index
      switch (n.type) {
        case AvroType::kNull:
          v = 0;
          break;
        case AvroType::kFloat:
          v = 4;
          break;
        case AvroType::kDouble:
          v = 8;
          break;
        case AvroType::kFixed:
          v = n.fixed_size;
          break;
        case AvroType::kRecord:
          v = 0;
          for (const AvroField& f : n.fields) {
            v = std::min<int64_t>(v + min[static_cast<size_t>(f.node)], INT32_MAX);
          }
          break;
        default:
          break;
      }
      if (v != min[i]) {
        min[i] = v;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return min;
}

}  // namespace floe::avro
