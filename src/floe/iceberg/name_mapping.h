// Name mapping (spec "Column Projection" and "Name Mapping Serialization"):
// how a reader finds the table's columns in data files written without
// Iceberg field ids, such as Parquet files imported with add_files or a
// Hive table migrated in place. The table property
// schema.name-mapping.default holds it as JSON:
//   [{"field-id": 1, "names": ["id", "record_id"]},
//    {"field-id": 2, "names": ["data"], "fields": [...nested...]}]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/iceberg/table_metadata.h"
#include "floe/util/status.h"

namespace floe::iceberg {

struct MappedField {
  std::optional<int32_t> field_id;  // absent: the names map to no table field
  std::vector<std::string> names;
  std::vector<MappedField> fields;  // for the members of a struct, list or map

  bool operator==(const MappedField&) const = default;
};

class NameMapping {
 public:
  NameMapping() = default;
  explicit NameMapping(std::vector<MappedField> fields) : fields_(std::move(fields)) {}

  // The mapping in the spec's JSON form; kCorruption when it is malformed.
  static Result<NameMapping> Parse(std::string_view json);

  // The names a data file may give the top-level field `field_id`, or null
  // when the mapping does not map that id.
  const std::vector<std::string>* NamesOf(int32_t field_id) const;

  const std::vector<MappedField>& fields() const { return fields_; }

 private:
  std::vector<MappedField> fields_;
};

// The table's default name mapping (schema.name-mapping.default), if it has
// one.
Result<std::optional<NameMapping>> DefaultNameMapping(const TableMetadata& metadata);

}  // namespace floe::iceberg
