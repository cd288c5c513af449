#include "floe/source/json_schema_evolution.h"

#include <cfloat>
#include <cmath>
#include <limits>

#include "floe/source/json_content.h"
#include "floe/util/json_parse.h"

namespace floe::source {
namespace {

namespace dom = simdjson::dom;

int32_t CountFields(const Type& type) {
  int32_t n = 0;
  for (const NestedField& f : type.fields()) n += 1 + CountFields(*f.type);
  return n;
}

std::string Join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

class Evolver {
 public:
  Evolver(int32_t last_column_id, const EvolutionLimits& limits, int32_t fields)
      : last_id_(last_column_id), limits_(limits), fields_(fields) {}

  std::vector<NestedField> MergeMembers(const std::vector<NestedField>& fields, dom::object object,
                                        const std::string& path) {
    std::vector<NestedField> out = fields;
    for (dom::key_value_pair member : object) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const NestedField& f) { return f.name == member.key; });
      if (it != out.end()) {
        *it = Merge(*it, member.value, Join(path, member.key));
      } else if (!member.key.empty() && HasContent(member.value)) {
        const int32_t id = NewId();
        TypePtr type = Infer(member.value, Join(path, member.key));
        changes_.push_back(fmt::format("added {} {}", Join(path, member.key), type->ToString()));
        out.emplace_back(id, std::string(member.key), false, std::move(type));
      }
    }
    return out;
  }

  int32_t last_id() const { return last_id_; }
  bool over_limit() const { return fields_ > limits_.max_fields; }
  std::vector<std::string>& changes() { return changes_; }

 private:
  int32_t NewId() {
    ++fields_;
    return ++last_id_;
  }

  // The type of a value with content, for a new field at `path`.
  TypePtr Infer(dom::element v, const std::string& path) {
    switch (v.type()) {
      case dom::element_type::BOOL:
        return Type::Boolean();
      case dom::element_type::INT64:
        return Type::Long();
      case dom::element_type::UINT64:
        return Type::Decimal(38, 0);
      case dom::element_type::DOUBLE:
        return Type::Double();
      case dom::element_type::STRING:
        return Type::String();
      case dom::element_type::OBJECT: {
        // The struct's own id was taken by the caller; its fields follow.
        // Its parts are reported as part of it, not one by one.
        const size_t reported = changes_.size();
        TypePtr type = Type::Struct(MergeMembers({}, v.get_object().value_unsafe(), path));
        changes_.resize(reported);
        return type;
      }
      case dom::element_type::ARRAY: {
        // The first element with content types the list; later ones may
        // add fields to a struct element.
        std::optional<NestedField> element;
        const size_t reported = changes_.size();
        const dom::array array = v.get_array().value_unsafe();
        for (dom::element e : array) {
          if (!HasContent(e)) continue;
          if (!element) {
            const int32_t id = NewId();
            element = NestedField(id, "element", false, Infer(e, path + ".element"));
          } else {
            *element = Merge(*element, e, path + ".element");
          }
        }
        changes_.resize(reported);
        return Type::List(*element);  // HasContent(v): some element has content
      }
      case dom::element_type::NULL_VALUE:
        break;
    }
    return Type::String();  // unreachable: the caller checked HasContent
  }

  // `field` as a value `v` of it needs it.
  NestedField Merge(const NestedField& field, dom::element v, const std::string& path) {
    if (!HasContent(v)) return field;
    const Type& type = *field.type;
    const dom::element_type t = v.type();
    NestedField out = field;
    switch (type.id()) {
      case TypeId::kStruct:
        if (t == dom::element_type::OBJECT) {
          out.type = Type::Struct(MergeMembers(type.fields(), v.get_object().value_unsafe(), path));
        }
        break;
      case TypeId::kList:
        if (t == dom::element_type::ARRAY) {
          NestedField element = type.fields()[0];
          const dom::array array = v.get_array().value_unsafe();
          for (dom::element e : array) {
            element = Merge(element, e, path + ".element");
          }
          out.type = Type::List(std::move(element));
        }
        break;
      case TypeId::kMap:
        if (t == dom::element_type::OBJECT && type.fields()[0].type->id() == TypeId::kString) {
          NestedField value = type.fields()[1];
          const dom::object object = v.get_object().value_unsafe();
          for (dom::key_value_pair m : object) {
            value = Merge(value, m.value, path + ".value");
          }
          out.type = Type::Map(type.fields()[0], std::move(value));
        }
        break;
      case TypeId::kInt:
        if (t == dom::element_type::INT64 && !limits_.fixed_types.contains(field.id)) {
          const int64_t n = v.get_int64().value_unsafe();
          if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
            out.type = Type::Long();
            changes_.push_back(fmt::format("widened {} int -> long", path));
          }
        }
        break;
      case TypeId::kFloat:
        if ((t == dom::element_type::INT64 || t == dom::element_type::UINT64 ||
             t == dom::element_type::DOUBLE) &&
            !limits_.fixed_types.contains(field.id)) {
          const double d = v.get_double().value_unsafe();
          if (std::isfinite(d) && std::fabs(d) > FLT_MAX) {
            out.type = Type::Double();
            changes_.push_back(fmt::format("widened {} float -> double", path));
          }
        }
        break;
      default:
        break;
    }
    return out;
  }

  int32_t last_id_;
  const EvolutionLimits& limits_;
  int32_t fields_;
  std::vector<std::string> changes_;
};

}  // namespace

Result<std::optional<SchemaEvolution>> EvolveSchemaFor(std::string_view record,
                                                       const Schema& schema, int32_t last_column_id,
                                                       const EvolutionLimits& limits) {
  dom::parser parser;
  if (auto e = parser.allocate(record.size() + 64, kMaxJsonDepth)) {
    return Status::InvalidArgument("not JSON: {}", simdjson::error_message(e));
  }
  const simdjson::padded_string padded(record);
  dom::element doc;
  if (auto e = parser.parse(padded).get(doc)) {
    return Status::InvalidArgument("not JSON: {}", simdjson::error_message(e));
  }
  dom::object object;
  if (doc.get_object().get(object))
    return Status::InvalidArgument("a record must be a JSON object");
  Evolver evolver(std::max(last_column_id, schema.HighestFieldId()), limits,
                  CountFields(*schema.AsStruct()));
  std::vector<NestedField> fields = evolver.MergeMembers(schema.fields(), object, "");
  if (evolver.changes().empty()) return std::optional<SchemaEvolution>();
  if (evolver.over_limit()) {
    return Status::InvalidArgument("the record would grow the table's schema past {} fields",
                                   limits.max_fields);
  }
  SchemaEvolution out;
  out.schema = Schema(std::move(fields), schema.schema_id(), schema.identifier_field_ids());
  out.last_column_id = evolver.last_id();
  out.changes = std::move(evolver.changes());
  return std::optional<SchemaEvolution>(std::move(out));
}

}  // namespace floe::source
