// Making new tables: partition specs from text and fresh table metadata.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// Parses a partition spec such as "day(audit_ts), bucket(16, subject_key),
// truncate(4, site_id), study_oid" (a bare name is identity) against `schema`.
// Field names follow Iceberg Java and PyIceberg: audit_ts_day,
// subject_key_bucket, site_id_trunc, study_oid; ids start at 1000.
Result<PartitionSpec> ParsePartitionSpec(std::string_view text, const Schema& schema);

// Metadata of a new, empty table at `location`, numbered as Java's and
// PyIceberg's catalogs number new tables: fresh column ids from 1 (each
// struct's fields before their children; a list's element, a map's key and
// value before their types), identifier fields and partition and sort
// sources following their columns, partition field ids from 1000 in spec
// 0, and sort order 1 when `order` sorts. `spec` and `order` refer to
// columns by the ids of `schema`. Format versions 1 to 3.
Result<TableMetadata> NewTableMetadata(const Schema& schema, const PartitionSpec& spec,
                                       const SortOrder& order, std::string location,
                                       std::map<std::string, std::string> properties,
                                       int format_version = 2);

// Takes the reserved "format-version" property (a table's format version
// is metadata, not a property) out of `properties`: 2 when absent.
Result<int> TakeFormatVersion(std::map<std::string, std::string>* properties);

// A random (version 4) UUID in canonical text form.
std::string NewUuid();

// "<location>/metadata/00000-<uuid>.metadata.json": where version `version`
// of a table's metadata is written.
std::string MetadataFilePath(const std::string& location, int version);

// The version number in a metadata file name written as above (or by Java /
// PyIceberg), -1 when the name has none.
int MetadataFileVersion(std::string_view path);
// The version of the metadata file that follows `previous` (0 when its name has none).
inline int NextMetadataFileVersion(std::string_view previous) {
  return std::max(MetadataFileVersion(previous), 0) + 1;
}

}  // namespace floe::iceberg
