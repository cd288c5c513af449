#include "floe/iceberg/default_value.h"

#include <nlohmann/json.hpp>
#include <string>

#include "floe/columnar/text_rows.h"
#include "floe/util/json_parse.h"

namespace floe::iceberg {
namespace {

using Json = nlohmann::json;

Result<std::string> FromHex(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return Status::InvalidArgument("odd number of hex digits");
  std::string bytes(hex.size() / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not a hex string");
    bytes[i] = static_cast<char>(hi << 4 | lo);
  }
  return bytes;
}

}  // namespace

Status AppendJsonSingleValue(std::string_view json, Column* out) {
  const Json v = ParseJsonOrDiscarded(json);
  if (v.is_discarded()) return Status::InvalidArgument("not JSON (or nested too deep): {}", json);
  const Type& type = *out->type();
  switch (type.id()) {
    case TypeId::kBoolean:
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kFloat:
    case TypeId::kDouble:
      if (!v.is_boolean() && !v.is_number())
        return Status::InvalidArgument("{} is not a {}", json, type.ToString());
      return AppendValueFromText(json, out);
    case TypeId::kBinary:
    case TypeId::kFixed: {
      if (!v.is_string()) return Status::InvalidArgument("{} is not a hex string", json);
      FLOE_ASSIGN_OR_RETURN(std::string bytes, FromHex(v.get<std::string>()));
      if (type.id() == TypeId::kFixed && static_cast<int>(bytes.size()) != FixedWidth(type))
        return Status::InvalidArgument("{} bytes for {}", bytes.size(), type.ToString());
      out->AppendBytes(bytes);
      return Status::OK();
    }
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return Status::NotSupported("defaults of {} columns", type.ToString());
    default:
      if (!v.is_string()) return Status::InvalidArgument("{} is not a string", json);
      return AppendValueFromText(v.get<std::string>(), out);
  }
}

Result<Column> InitialDefaultColumn(const NestedField& field, int64_t rows) {
  Column one(field.type);
  Status s = AppendJsonSingleValue(*field.initial_default, &one);
  if (!s.ok()) return s.WithContext("column " + field.name + ": initial-default");
  Column out(field.type);
  for (int64_t r = 0; r < rows; ++r) out.AppendFrom(one, 0);
  return out;
}

}  // namespace floe::iceberg
