// Table metadata JSON serde on nlohmann::json values, for the serializers
// inside libfloe that embed metadata or its parts in larger documents (the
// REST catalog's requests and responses). Not part of the public API:
// nlohmann is a private dependency. Parse errors are kCorruption (the texts
// name the member); callers reading requests report them as bad requests.
#pragma once

#include <nlohmann/json.hpp>

#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg::internal {

Result<TableMetadata> TableMetadataFromJsonValue(const nlohmann::json& j);

Result<Snapshot> SnapshotFromJsonValue(const nlohmann::json& j);
nlohmann::json SnapshotToJsonValue(const Snapshot& snapshot, int format_version);
// The ref's members (type, snapshot-id, retention), as metadata and REST updates spell them.
nlohmann::json SnapshotRefToJsonValue(const SnapshotRef& ref);
Result<SnapshotRef> SnapshotRefFromJsonValue(const std::string& name, const nlohmann::json& j);
// A partition spec object; a missing spec-id reads as `spec_id_if_missing`.
Result<PartitionSpec> PartitionSpecFromJsonValue(const nlohmann::json& j,
                                                 int32_t spec_id_if_missing);
nlohmann::json PartitionSpecToJsonValue(const PartitionSpec& spec);
Result<SortOrder> SortOrderFromJsonValue(const nlohmann::json& j);
nlohmann::json SortOrderToJsonValue(const SortOrder& order);

}  // namespace floe::iceberg::internal
