#include "floe/schema/schema.h"

#include <algorithm>
#include <set>

namespace floe {

Schema::Schema(std::vector<NestedField> fields, int32_t schema_id,
               std::vector<int32_t> identifier_field_ids)
    : schema_id_(schema_id),
      fields_(std::move(fields)),
      identifier_field_ids_(std::move(identifier_field_ids)) {}

namespace {

const NestedField* FindIn(const std::vector<NestedField>& fields, int32_t id) {
  for (const NestedField& f : fields) {
    if (f.id == id) return &f;
    if (const NestedField* inner = FindIn(f.type->fields(), id)) return inner;
  }
  return nullptr;
}

int32_t HighestIn(const std::vector<NestedField>& fields) {
  int32_t highest = 0;
  for (const NestedField& f : fields) {
    highest = std::max({highest, f.id, HighestIn(f.type->fields())});
  }
  return highest;
}

Status ValidateFields(const std::vector<NestedField>& fields, std::set<int32_t>& ids,
                      const std::string& path) {
  std::set<std::string_view> names;
  for (const NestedField& f : fields) {
    std::string where = path.empty() ? f.name : path + "." + f.name;
    if (f.type == nullptr) return Status::InvalidArgument("field {}: no type", where);
    if (f.id <= 0) return Status::InvalidArgument("field {}: id {} is not positive", where, f.id);
    if (!ids.insert(f.id).second) {
      return Status::InvalidArgument("field {}: id {} is used twice", where, f.id);
    }
    if (f.name.empty()) return Status::InvalidArgument("field id {}: empty name", f.id);
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("field {}: name used twice in one struct", where);
    }
    const Type& t = *f.type;
    if (t.id() == TypeId::kDecimal &&
        (t.precision() < 1 || t.precision() > 38 || t.scale() < 0 || t.scale() > t.precision())) {
      return Status::InvalidArgument("field {}: invalid {}", where, t.ToString());
    }
    if (t.id() == TypeId::kMap && !t.key().required) {
      return Status::InvalidArgument("field {}: map keys must be required", where);
    }
    if (t.id() == TypeId::kFixed && t.length() < 1) {
      return Status::InvalidArgument("field {}: invalid {}", where, t.ToString());
    }
    FLOE_RETURN_IF_ERROR(ValidateFields(t.fields(), ids, where));
  }
  return Status::OK();
}

}  // namespace

const NestedField* Schema::FindById(int32_t id) const {
  return FindIn(fields_, id);
}

const NestedField* Schema::FindByName(std::string_view name) const {
  for (const NestedField& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

int32_t Schema::HighestFieldId() const {
  return HighestIn(fields_);
}

Status Schema::Validate() const {
  std::set<int32_t> ids;
  FLOE_RETURN_IF_ERROR(ValidateFields(fields_, ids, ""));
  for (int32_t id : identifier_field_ids_) {
    const NestedField* f = FindById(id);
    if (f == nullptr) return Status::InvalidArgument("identifier field id {} does not exist", id);
    if (!f->required || f->type->is_nested()) {
      return Status::InvalidArgument("identifier field {} must be a required primitive", f->name);
    }
  }
  return Status::OK();
}

}  // namespace floe
