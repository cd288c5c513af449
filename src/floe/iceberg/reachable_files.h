// Every file a table's metadata reaches: what purging a dropped table
// deletes (and, later, what orphan cleanup keeps).
#pragma once

#include <string>
#include <vector>

#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// The metadata file at `metadata_location` and those its metadata log
// names, every snapshot's manifest list, the manifests they list, the data
// and delete files of every manifest entry (deleted ones too: older
// snapshots still reach them) and the statistics files. Each path once, as
// the metadata spells it.
Result<std::vector<std::string>> ReachableFiles(FileIO& io, const TableMetadata& metadata,
                                                const std::string& metadata_location);

}  // namespace floe::iceberg
