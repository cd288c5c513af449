// Inclusive evaluation of a partition filter against a manifest's partition
// field summaries (manifest list entries): can the manifest hold a data file
// with a matching partition?
#pragma once

#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/manifest.h"

namespace floe::iceberg {

// False only when the summaries of `manifest` prove that none of its files
// has a partition matching `partition_expr` (from ProjectInclusive onto the
// manifest's spec; `partition_type` is that spec's PartitionType).
bool ManifestMightMatch(const Expression& partition_expr, const ManifestFile& manifest,
                        const Type& partition_type);

}  // namespace floe::iceberg
