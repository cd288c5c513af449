// Whether values between a lower and an upper bound can satisfy a predicate:
// the test that manifest summaries and file column metrics share.
#pragma once

#include <optional>
#include <string>

#include "floe/columnar/column.h"
#include "floe/iceberg/expression/expression.h"

namespace floe::iceberg {

// Bounds of a column's non-null, non-NaN values, decoded from their
// single-value form into one-row columns of the predicate's type. A bound that
// is missing, malformed or NaN (old writers) is unknown.
struct ValueBounds {
  std::optional<Column> lower, upper;

  static ValueBounds Decode(const TypePtr& type, const std::optional<std::string>& lower,
                            const std::optional<std::string>& upper);
};

// False only when no value within `bounds` satisfies `pred`, a bound
// comparison, IN or [NOT] STARTS WITH predicate (other predicates: true).
// String bounds may be truncated prefixes, as the spec allows.
bool RangeMightMatch(const Expression& pred, const ValueBounds& bounds);

// True only when every value within `bounds` satisfies `pred` (same
// predicates; both bounds must be known).
bool RangeAllMatch(const Expression& pred, const ValueBounds& bounds);

}  // namespace floe::iceberg
