#include "floe/iceberg/name_mapping.h"

#include <nlohmann/json.hpp>

#include "floe/util/json_parse.h"

namespace floe::iceberg {
namespace {

using Json = nlohmann::json;

Result<std::vector<MappedField>> ParseFields(const Json& list, int depth) {
  if (!list.is_array()) return Status::Corruption("name mapping: a list of fields is expected");
  if (depth > 64) return Status::Corruption("name mapping: nested too deeply");
  std::vector<MappedField> out;
  for (const Json& item : list) {
    if (!item.is_object()) return Status::Corruption("name mapping: a field must be an object");
    MappedField field;
    if (auto id = item.find("field-id"); id != item.end() && !id->is_null()) {
      if (!id->is_number_integer()) return Status::Corruption("name mapping: bad field-id");
      field.field_id = id->get<int32_t>();
    }
    auto names = item.find("names");
    if (names == item.end() || !names->is_array()) {
      return Status::Corruption("name mapping: a field needs a list of names");
    }
    for (const Json& name : *names) {
      if (!name.is_string()) return Status::Corruption("name mapping: names are strings");
      field.names.push_back(name.get<std::string>());
    }
    if (auto nested = item.find("fields"); nested != item.end() && !nested->is_null()) {
      FLOE_ASSIGN_OR_RETURN(field.fields, ParseFields(*nested, depth + 1));
    }
    out.push_back(std::move(field));
  }
  return out;
}

}  // namespace

Result<NameMapping> NameMapping::Parse(std::string_view json) {
  const Json j = ParseJsonOrDiscarded(json);
  if (j.is_discarded())
    return Status::Corruption("name mapping: not valid JSON (or nests too deep)");
  FLOE_ASSIGN_OR_RETURN(std::vector<MappedField> fields, ParseFields(j, 0));
  return NameMapping(std::move(fields));
}

const std::vector<std::string>* NameMapping::NamesOf(int32_t field_id) const {
  for (const MappedField& f : fields_) {
    if (f.field_id == field_id) return &f.names;
  }
  return nullptr;
}

Result<std::optional<NameMapping>> DefaultNameMapping(const TableMetadata& metadata) {
  auto it = metadata.properties.find("schema.name-mapping.default");
  if (it == metadata.properties.end()) return std::optional<NameMapping>();
  auto mapping = NameMapping::Parse(it->second);
  if (!mapping.ok()) return mapping.status().WithContext("schema.name-mapping.default");
  return std::optional<NameMapping>(*std::move(mapping));
}

}  // namespace floe::iceberg
