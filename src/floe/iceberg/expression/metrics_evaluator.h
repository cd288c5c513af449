// Inclusive evaluation of a row filter against a data file's column metrics
// (value, null and NaN counts, lower and upper bounds): can the file hold a
// matching row?
#pragma once

#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/manifest.h"

namespace floe::iceberg {

// False only when the metrics prove that no row of `file` matches `expr`
// (bound to the table schema, NOTs rewritten by RewriteNot). Missing metrics
// never prune.
bool FileMightMatch(const Expression& expr, const DataFile& file);

}  // namespace floe::iceberg
