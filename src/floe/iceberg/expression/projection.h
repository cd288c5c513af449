// Inclusive projection (spec "Scan Planning"): a row filter turned into a
// filter on partition tuples that accepts every partition that can hold a
// matching row, transform by transform.
#pragma once

#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// Projects `expr` (bound to `schema`, NOTs rewritten by RewriteNot) onto
// `spec`. The result references partition field ids, with literals of the
// partition fields' types. Predicates a transform cannot narrow become true:
// bucket keeps only = and IN; truncate and the time transforms keep ranges;
// identity keeps everything.
Result<Expression> ProjectInclusive(const Expression& expr, const PartitionSpec& spec);

}  // namespace floe::iceberg
