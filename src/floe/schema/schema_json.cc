// Iceberg schema JSON serde (spec appendix C, "JSON serialization").
#include <nlohmann/json.hpp>

#include "floe/schema/schema.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/util/json_parse.h"

namespace floe {
namespace {

using Json = nlohmann::json;

Result<TypePtr> TypeFromJson(const Json& j, const std::string& where);

Result<const Json*> Member(const Json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::InvalidArgument("{}: missing \"{}\"", where, key);
  return &*it;
}

Result<int32_t> IntMember(const Json& obj, const char* key, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, where));
  if (!v->is_number_integer() || *v < INT32_MIN || *v > INT32_MAX) {
    return Status::InvalidArgument("{}: \"{}\" must be a 32-bit integer", where, key);
  }
  return v->get<int32_t>();
}

Result<bool> BoolMember(const Json& obj, const char* key, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, where));
  if (!v->is_boolean()) return Status::InvalidArgument("{}: \"{}\" must be a boolean", where, key);
  return v->get<bool>();
}

Result<NestedField> FieldFromJson(const Json& j, const std::string& path) {
  if (!j.is_object()) return Status::InvalidArgument("{}: a field must be an object", path);
  NestedField f;
  FLOE_ASSIGN_OR_RETURN(const Json* name, Member(j, "name", path));
  if (!name->is_string()) return Status::InvalidArgument("{}: \"name\" must be a string", path);
  f.name = name->get<std::string>();
  std::string where = path.empty() ? f.name : path + "." + f.name;
  FLOE_ASSIGN_OR_RETURN(f.id, IntMember(j, "id", where));
  FLOE_ASSIGN_OR_RETURN(f.required, BoolMember(j, "required", where));
  FLOE_ASSIGN_OR_RETURN(const Json* type, Member(j, "type", where));
  FLOE_ASSIGN_OR_RETURN(f.type, TypeFromJson(*type, where));
  if (auto doc = j.find("doc"); doc != j.end() && doc->is_string()) f.doc = doc->get<std::string>();
  // Kept as JSON text; typed when a reader materializes them. A JSON null
  // is no default.
  if (auto d = j.find("initial-default"); d != j.end() && !d->is_null())
    f.initial_default = d->dump();
  if (auto d = j.find("write-default"); d != j.end() && !d->is_null()) f.write_default = d->dump();
  return f;
}

Result<std::vector<NestedField>> FieldsFromJson(const Json& j, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* fields, Member(j, "fields", where));
  if (!fields->is_array()) return Status::InvalidArgument("{}: \"fields\" must be an array", where);
  std::vector<NestedField> out;
  for (const Json& f : *fields) {
    FLOE_ASSIGN_OR_RETURN(NestedField field, FieldFromJson(f, where));
    out.push_back(std::move(field));
  }
  return out;
}

// The element of a list or the key / value of a map: id, type and requiredness
// spread over three keys of the parent object.
Result<NestedField> ChildFromJson(const Json& j, const char* name, const std::string& where) {
  std::string id_key = std::string(name) + "-id", req_key = std::string(name) + "-required";
  NestedField f;
  f.name = name;
  std::string child_where = where + "." + name;
  FLOE_ASSIGN_OR_RETURN(f.id, IntMember(j, id_key.c_str(), where));
  FLOE_ASSIGN_OR_RETURN(const Json* type, Member(j, name, where));
  FLOE_ASSIGN_OR_RETURN(f.type, TypeFromJson(*type, child_where));
  if (std::string_view(name) == "key") {
    f.required = true;  // map keys are always required
  } else {
    FLOE_ASSIGN_OR_RETURN(f.required, BoolMember(j, req_key.c_str(), where));
  }
  return f;
}

Result<TypePtr> TypeFromJson(const Json& j, const std::string& where) {
  if (j.is_string()) {
    auto type = ParsePrimitiveType(j.get<std::string>());
    if (!type)
      return Status::InvalidArgument("{}: unknown type \"{}\"", where, j.get<std::string>());
    return *type;
  }
  if (!j.is_object())
    return Status::InvalidArgument("{}: a type must be a string or an object", where);
  FLOE_ASSIGN_OR_RETURN(const Json* kind, Member(j, "type", where));
  if (*kind == "struct") {
    FLOE_ASSIGN_OR_RETURN(auto fields, FieldsFromJson(j, where));
    return Type::Struct(std::move(fields));
  }
  if (*kind == "list") {
    FLOE_ASSIGN_OR_RETURN(NestedField element, ChildFromJson(j, "element", where));
    return Type::List(std::move(element));
  }
  if (*kind == "map") {
    FLOE_ASSIGN_OR_RETURN(NestedField key, ChildFromJson(j, "key", where));
    FLOE_ASSIGN_OR_RETURN(NestedField value, ChildFromJson(j, "value", where));
    return Type::Map(std::move(key), std::move(value));
  }
  return Status::InvalidArgument("{}: unknown nested type {}", where, kind->dump());
}

Json TypeToJson(const Type& t);

Json FieldToJson(const NestedField& f) {
  Json j = {
      {"id", f.id}, {"name", f.name}, {"required", f.required}, {"type", TypeToJson(*f.type)}};
  if (!f.doc.empty()) j["doc"] = f.doc;
  if (f.initial_default) j["initial-default"] = Json::parse(*f.initial_default);
  if (f.write_default) j["write-default"] = Json::parse(*f.write_default);
  return j;
}

Json TypeToJson(const Type& t) {
  switch (t.id()) {
    case TypeId::kStruct: {
      Json fields = Json::array();
      for (const NestedField& f : t.fields()) fields.push_back(FieldToJson(f));
      return {{"type", "struct"}, {"fields", std::move(fields)}};
    }
    case TypeId::kList:
      return {{"type", "list"},
              {"element-id", t.element().id},
              {"element", TypeToJson(*t.element().type)},
              {"element-required", t.element().required}};
    case TypeId::kMap:
      return {{"type", "map"},
              {"key-id", t.key().id},
              {"key", TypeToJson(*t.key().type)},
              {"value-id", t.value().id},
              {"value", TypeToJson(*t.value().type)},
              {"value-required", t.value().required}};
    default:
      return t.ToString();
  }
}

}  // namespace

namespace internal {

Result<Schema> SchemaFromJsonValue(const Json& j, bool validate) {
  if (!j.is_object() || j.value("type", "") != "struct") {
    return Status::InvalidArgument("schema: expected an object with \"type\": \"struct\"");
  }
  FLOE_ASSIGN_OR_RETURN(auto fields, FieldsFromJson(j, ""));
  int32_t schema_id = 0;
  if (j.contains("schema-id")) {
    FLOE_ASSIGN_OR_RETURN(schema_id, IntMember(j, "schema-id", "schema"));
  }
  std::vector<int32_t> identifiers;
  if (auto ids = j.find("identifier-field-ids"); ids != j.end() && !ids->is_null()) {
    if (!ids->is_array())
      return Status::InvalidArgument("schema: identifier-field-ids must be an array");
    for (const Json& id : *ids) {
      if (!id.is_number_integer()) {
        return Status::InvalidArgument("schema: identifier-field-ids must hold integers");
      }
      identifiers.push_back(id.get<int32_t>());
    }
  }
  Schema schema(std::move(fields), schema_id, std::move(identifiers));
  if (validate) FLOE_RETURN_IF_ERROR(schema.Validate());
  return schema;
}

Json SchemaToJsonValue(const Schema& schema) {
  Json fields = Json::array();
  for (const NestedField& f : schema.fields()) fields.push_back(FieldToJson(f));
  Json j = {{"type", "struct"}, {"schema-id", schema.schema_id()}, {"fields", std::move(fields)}};
  if (!schema.identifier_field_ids().empty())
    j["identifier-field-ids"] = schema.identifier_field_ids();
  return j;
}

}  // namespace internal

Result<Schema> SchemaFromJson(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(Json j, ParseJson(text, "schema"));
  return internal::SchemaFromJsonValue(j);
}

std::string SchemaToJson(const Schema& schema) {
  return internal::SchemaToJsonValue(schema).dump();
}

}  // namespace floe
