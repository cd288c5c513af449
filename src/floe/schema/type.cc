#include "floe/schema/type.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "floe/util/strings.h"

namespace floe {

bool NestedField::operator==(const NestedField& other) const {
  return id == other.id && name == other.name && required == other.required &&
         (type == other.type || (type && other.type && *type == *other.type)) && doc == other.doc &&
         initial_default == other.initial_default && write_default == other.write_default;
}

TypePtr Type::Primitive(TypeId id) {
  return TypePtr(new Type(id));
}

#define FLOE_PRIMITIVE(Name, Id)                \
  TypePtr Type::Name() {                        \
    static const TypePtr kType = Primitive(Id); \
    return kType;                               \
  }
FLOE_PRIMITIVE(Boolean, TypeId::kBoolean)
FLOE_PRIMITIVE(Int, TypeId::kInt)
FLOE_PRIMITIVE(Long, TypeId::kLong)
FLOE_PRIMITIVE(Float, TypeId::kFloat)
FLOE_PRIMITIVE(Double, TypeId::kDouble)
FLOE_PRIMITIVE(Date, TypeId::kDate)
FLOE_PRIMITIVE(Time, TypeId::kTime)
FLOE_PRIMITIVE(Timestamp, TypeId::kTimestamp)
FLOE_PRIMITIVE(TimestampTz, TypeId::kTimestampTz)
FLOE_PRIMITIVE(TimestampNs, TypeId::kTimestampNs)
FLOE_PRIMITIVE(TimestampTzNs, TypeId::kTimestampTzNs)
FLOE_PRIMITIVE(String, TypeId::kString)
FLOE_PRIMITIVE(Uuid, TypeId::kUuid)
FLOE_PRIMITIVE(Binary, TypeId::kBinary)
#undef FLOE_PRIMITIVE

TypePtr Type::Decimal(int precision, int scale) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kDecimal));
  t->precision_ = precision;
  t->scale_ = scale;
  return t;
}

TypePtr Type::Fixed(int32_t length) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kFixed));
  t->length_ = length;
  return t;
}

TypePtr Type::Struct(std::vector<NestedField> fields) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kStruct));
  t->fields_ = std::move(fields);
  return t;
}

TypePtr Type::List(NestedField element) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kList));
  t->fields_.push_back(std::move(element));
  return t;
}

TypePtr Type::Map(NestedField key, NestedField value) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kMap));
  t->fields_.push_back(std::move(key));
  t->fields_.push_back(std::move(value));
  return t;
}

std::string Type::ToString() const {
  switch (id_) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return fmt::format("decimal({},{})", precision_, scale_);
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kTimestampNs:
      return "timestamp_ns";
    case TypeId::kTimestampTzNs:
      return "timestamptz_ns";
    case TypeId::kString:
      return "string";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kFixed:
      return fmt::format("fixed[{}]", length_);
    case TypeId::kBinary:
      return "binary";
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        const NestedField& f = fields_[i];
        out += fmt::format("{}{}: {}: {} {}", i ? ", " : "", f.id, f.name,
                           f.required ? "required" : "optional", f.type->ToString());
      }
      return out + ">";
    }
    case TypeId::kList:
      return fmt::format("list<{}>", element().type->ToString());
    case TypeId::kMap:
      return fmt::format("map<{}, {}>", key().type->ToString(), value().type->ToString());
  }
  return "unknown";
}

bool Type::operator==(const Type& other) const {
  return id_ == other.id_ && precision_ == other.precision_ && scale_ == other.scale_ &&
         length_ == other.length_ && fields_ == other.fields_;
}

namespace {

std::optional<int> ParseInt(std::string_view s) {
  s = TrimSpace(s);
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<TypePtr> ParsePrimitiveType(std::string_view name) {
  name = TrimSpace(name);
  static const std::pair<std::string_view, TypePtr (*)()> kSimple[] = {
      {"boolean", Type::Boolean},
      {"int", Type::Int},
      {"long", Type::Long},
      {"float", Type::Float},
      {"double", Type::Double},
      {"date", Type::Date},
      {"time", Type::Time},
      {"timestamp", Type::Timestamp},
      {"timestamptz", Type::TimestampTz},
      {"timestamp_ns", Type::TimestampNs},
      {"timestamptz_ns", Type::TimestampTzNs},
      {"string", Type::String},
      {"uuid", Type::Uuid},
      {"binary", Type::Binary},
  };
  for (const auto& [spelling, make] : kSimple) {
    if (name == spelling) return make();
  }
  if (name.starts_with("decimal(") && name.ends_with(")")) {
    std::string_view args = name.substr(8, name.size() - 9);
    size_t comma = args.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto p = ParseInt(args.substr(0, comma));
    auto s = ParseInt(args.substr(comma + 1));
    if (!p || !s || *p < 1 || *p > 38 || *s < 0 || *s > *p) return std::nullopt;
    return Type::Decimal(*p, *s);
  }
  if (name.starts_with("fixed[") && name.ends_with("]")) {
    auto n = ParseInt(name.substr(6, name.size() - 7));
    if (!n || *n < 1) return std::nullopt;
    return Type::Fixed(*n);
  }
  return std::nullopt;
}

int FixedWidth(const Type& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kInt:
    case TypeId::kFloat:
    case TypeId::kDate:
      return 4;
    case TypeId::kLong:
    case TypeId::kDouble:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return 8;
    case TypeId::kDecimal:
    case TypeId::kUuid:
      return 16;
    case TypeId::kFixed:
      return type.length();
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return 0;
  }
  return 0;
}

}  // namespace floe
