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

// What of `expr` (as above) rows of `file` still need checked: predicates the
// metrics prove true for every row become true, those they prove false for
// every row false. A residual of true means every row matches, so the rows
// need no filtering at all.
Expression ResidualForFile(const Expression& expr, const DataFile& file);

}  // namespace floe::iceberg
