// A table or file schema: a struct of numbered fields (Iceberg "Schemas").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "floe/schema/type.h"
#include "floe/util/status.h"

namespace floe {

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<NestedField> fields, int32_t schema_id = 0,
                  std::vector<int32_t> identifier_field_ids = {});

  int32_t schema_id() const { return schema_id_; }
  const std::vector<NestedField>& fields() const { return fields_; }
  const std::vector<int32_t>& identifier_field_ids() const { return identifier_field_ids_; }
  // The schema as a struct type, for code that walks nested types uniformly.
  TypePtr AsStruct() const { return Type::Struct(fields_); }

  // The field with this id at any depth, or nullptr.
  const NestedField* FindById(int32_t id) const;
  // A top-level field by name, or nullptr.
  const NestedField* FindByName(std::string_view name) const;
  // The largest field id in use (0 for an empty schema).
  int32_t HighestFieldId() const;

  // Field ids unique and positive, names unique within each struct, decimal
  // and fixed parameters in range, identifier fields required primitives.
  Status Validate() const;

  bool operator==(const Schema& other) const {
    return schema_id_ == other.schema_id_ && fields_ == other.fields_ &&
           identifier_field_ids_ == other.identifier_field_ids_;
  }

 private:
  int32_t schema_id_ = 0;
  std::vector<NestedField> fields_;
  std::vector<int32_t> identifier_field_ids_;
};

// Iceberg's JSON form of a schema (spec appendix C):
//   {"type": "struct", "schema-id": 0, "fields": [
//     {"id": 1, "name": "audit_id", "required": true, "type": "long"},
//     {"id": 2, "name": "tags", "required": false, "type":
//       {"type": "list", "element-id": 3, "element": "string", "element-required": false}}]}
Result<Schema> SchemaFromJson(std::string_view json);
std::string SchemaToJson(const Schema& schema);

}  // namespace floe
