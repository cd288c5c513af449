#include "floe/format/avro/avro_value_json.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "floe/columnar/text_rows.h"
#include "floe/util/base64.h"

namespace floe::avro {
namespace {

using Json = nlohmann::json;

void AppendString(std::string_view s, std::string* out) {
  // Strings that are not valid UTF-8 are shown with U+FFFD rather than failing.
  *out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

void AppendBase64String(std::string_view bytes, std::string* out) {
  out->push_back('"');
  AppendBase64(bytes, out);
  out->push_back('"');
}

template <typename F>
Result<F> FloatFromJson(const Json& j) {
  if (j.is_number()) {
    const double d = j.get<double>();
    if (std::isfinite(d) && std::fabs(d) > static_cast<double>(std::numeric_limits<F>::max())) {
      return Status::InvalidArgument("{} is out of range", j.dump());
    }
    return static_cast<F>(d);
  }
  if (j == "NaN") return std::numeric_limits<F>::quiet_NaN();
  if (j == "Infinity") return std::numeric_limits<F>::infinity();
  if (j == "-Infinity") return -std::numeric_limits<F>::infinity();
  return Status::InvalidArgument("{} is not a number", j.dump());
}

class FromJson {
 public:
  explicit FromJson(const AvroSchema& schema) : schema_(schema) {}

  Result<AvroValue> Convert(const Json& j, int index, const std::string& path, int depth) {
    if (depth > kMaxAvroDepth) return Fail(path, "nested deeper than {}", kMaxAvroDepth);
    const AvroNode& n = schema_.node(index);
    switch (n.type) {
      case AvroType::kNull:
        if (j.is_null()) return AvroValue::Null();
        break;
      case AvroType::kBoolean:
        if (j.is_boolean()) return AvroValue::Boolean(j.get<bool>());
        break;
      case AvroType::kInt:
        if (j.is_number_integer() && j >= INT32_MIN && j <= INT32_MAX) {
          return AvroValue::Int(j.get<int32_t>());
        }
        break;
      case AvroType::kLong:
        if (j.is_number_integer() && (j.is_number_unsigned() ? j <= INT64_MAX : true)) {
          return AvroValue::Long(j.get<int64_t>());
        }
        break;
      case AvroType::kFloat: {
        auto f = FloatFromJson<float>(j);
        if (f.ok()) return AvroValue::Float(*f);
        break;
      }
      case AvroType::kDouble: {
        auto d = FloatFromJson<double>(j);
        if (d.ok()) return AvroValue::Double(*d);
        break;
      }
      case AvroType::kString:
        if (j.is_string()) return AvroValue::String(j.get<std::string>());
        break;
      case AvroType::kBytes:
      case AvroType::kFixed: {
        if (!j.is_string()) break;
        auto bytes = DecodeBase64(j.get_ref<const std::string&>());
        if (!bytes.ok()) return Fail(path, "{} is not base64", j.dump());
        if (n.type == AvroType::kBytes) return AvroValue::Bytes(std::move(*bytes));
        if (bytes->size() != static_cast<size_t>(n.fixed_size)) {
          return Fail(path, "fixed {} needs {} bytes, not {}", n.full_name, n.fixed_size,
                      bytes->size());
        }
        return AvroValue::Fixed(std::move(*bytes));
      }
      case AvroType::kEnum:
        for (size_t i = 0; i < n.symbols.size(); ++i) {
          if (j.is_string() && j.get_ref<const std::string&>() == n.symbols[i]) {
            return AvroValue::Enum(static_cast<int32_t>(i));
          }
        }
        break;
      case AvroType::kArray: {
        if (!j.is_array()) break;
        std::vector<AvroValue> items;
        for (const Json& e : j) {
          FLOE_ASSIGN_OR_RETURN(AvroValue v, Convert(e, n.children[0], path + "[]", depth + 1));
          items.push_back(std::move(v));
        }
        return AvroValue::Array(std::move(items));
      }
      case AvroType::kMap: {
        if (!j.is_object()) break;
        std::vector<std::string> keys;
        std::vector<AvroValue> values;
        for (const auto& e : j.items()) {
          keys.push_back(e.key());
          FLOE_ASSIGN_OR_RETURN(AvroValue v,
                                Convert(e.value(), n.children[0], path + "{}", depth + 1));
          values.push_back(std::move(v));
        }
        return AvroValue::Map(std::move(keys), std::move(values));
      }
      case AvroType::kUnion: {
        for (size_t b = 0; b < n.children.size(); ++b) {
          auto v = Convert(j, n.children[b], path, depth + 1);
          if (v.ok()) return AvroValue::Union(static_cast<int32_t>(b), std::move(*v));
        }
        return Fail(path, "{} fits no branch of the union", Abbrev(j));
      }
      case AvroType::kRecord: {
        if (!j.is_object()) break;
        std::vector<AvroValue> fields;
        for (const AvroField& f : n.fields) {
          const std::string where = path.empty() ? f.name : path + "." + f.name;
          auto it = j.find(f.name);
          FLOE_ASSIGN_OR_RETURN(AvroValue v,
                                Convert(it == j.end() ? Json() : *it, f.node, where, depth + 1));
          fields.push_back(std::move(v));
        }
        for (const auto& e : j.items()) {
          bool known = false;
          for (const AvroField& f : n.fields) known = known || f.name == e.key();
          if (!known) return Fail(path, "record {} has no field \"{}\"", n.full_name, e.key());
        }
        return AvroValue::Record(std::move(fields));
      }
    }
    return Fail(path, "{} is not a valid {}", Abbrev(j), AvroTypeName(n.type));
  }

 private:
  static std::string Abbrev(const Json& j) {
    std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
  }

  template <typename... Args>
  static Status Fail(const std::string& path, fmt::format_string<Args...> format, Args&&... args) {
    return Status::InvalidArgument("{}: {}", path.empty() ? "value" : path,
                                   fmt::format(format, std::forward<Args>(args)...));
  }

  const AvroSchema& schema_;
};

}  // namespace

void AppendAvroJson(const AvroSchema& schema, int node, const AvroValue& v, std::string* out) {
  const AvroNode& n = schema.node(node);
  switch (n.type) {
    case AvroType::kNull:
      *out += "null";
      return;
    case AvroType::kBoolean:
      *out += v.i != 0 ? "true" : "false";
      return;
    case AvroType::kInt:
    case AvroType::kLong:
      fmt::format_to(std::back_inserter(*out), "{}", v.i);
      return;
    case AvroType::kFloat:
      AppendJsonNumber(static_cast<float>(v.d), out);
      return;
    case AvroType::kDouble:
      AppendJsonNumber(v.d, out);
      return;
    case AvroType::kString:
      AppendString(v.bytes, out);
      return;
    case AvroType::kBytes:
    case AvroType::kFixed:
      AppendBase64String(v.bytes, out);
      return;
    case AvroType::kEnum:
      if (v.i >= 0 && static_cast<size_t>(v.i) < n.symbols.size()) {
        AppendString(n.symbols[static_cast<size_t>(v.i)], out);
      } else {
        *out += "null";
      }
      return;
    case AvroType::kUnion:
      if (v.i >= 0 && static_cast<size_t>(v.i) < n.children.size() && v.items.size() == 1) {
        AppendAvroJson(schema, n.children[static_cast<size_t>(v.i)], v.items[0], out);
      } else {
        *out += "null";
      }
      return;
    case AvroType::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendAvroJson(schema, n.children[0], v.items[i], out);
      }
      out->push_back(']');
      return;
    case AvroType::kMap:
      out->push_back('{');
      for (size_t i = 0; i < v.items.size() && i < v.keys.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendString(v.keys[i], out);
        out->push_back(':');
        AppendAvroJson(schema, n.children[0], v.items[i], out);
      }
      out->push_back('}');
      return;
    case AvroType::kRecord:
      out->push_back('{');
      for (size_t f = 0; f < n.fields.size() && f < v.items.size(); ++f) {
        if (f > 0) out->push_back(',');
        AppendString(n.fields[f].name, out);
        out->push_back(':');
        AppendAvroJson(schema, n.fields[f].node, v.items[f], out);
      }
      out->push_back('}');
      return;
  }
}

Result<AvroValue> AvroValueFromJson(const AvroSchema& schema, std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("not valid JSON");
  return FromJson(schema).Convert(j, schema.root, "", 0);
}

}  // namespace floe::avro
