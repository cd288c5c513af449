#include "floe/iceberg/expression/metrics_evaluator.h"

#include "floe/iceberg/expression/bounds.h"

namespace floe::iceberg {
namespace {

template <typename V>
std::optional<V> Lookup(const std::map<int32_t, V>& m, int32_t id) {
  auto it = m.find(id);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

bool PredicateMightMatch(const Expression& pred, const DataFile& file) {
  const int32_t id = pred.field_id;
  const auto values = Lookup(file.value_counts, id);
  const auto nulls = Lookup(file.null_value_counts, id);
  const auto nans = Lookup(file.nan_value_counts, id);
  const bool only_nulls = values && nulls && *nulls == *values;
  const bool only_nans = values && nans && *nans == *values;
  // Neither nulls nor NaN can match anything but the null and NaN checks and
  // (for NaN) the negative comparisons.
  switch (pred.op) {
    case Op::kIsNull:
      return !nulls || *nulls > 0;
    case Op::kNotNull:
      return !only_nulls;
    case Op::kIsNaN:
      return !(nans && *nans == 0) && !only_nulls;
    case Op::kNotNaN:
      return !only_nans && !only_nulls;
    case Op::kNotEq:
    case Op::kNotIn:
      return !only_nulls;
    default:
      break;
  }
  if (only_nulls || only_nans) return false;
  return RangeMightMatch(pred,
                         ValueBounds::Decode(pred.values.type(), Lookup(file.lower_bounds, id),
                                             Lookup(file.upper_bounds, id)));
}

// Whether the metrics prove `pred` true for every row of `file`.
bool PredicateAllMatch(const Expression& pred, const DataFile& file) {
  const int32_t id = pred.field_id;
  const auto values = Lookup(file.value_counts, id);
  const auto nulls = Lookup(file.null_value_counts, id);
  const auto nans = Lookup(file.nan_value_counts, id);
  switch (pred.op) {
    case Op::kIsNull:
      return values && nulls && *nulls == *values;
    case Op::kNotNull:
      return nulls && *nulls == 0;
    case Op::kIsNaN:
      return values && nans && *nans == *values;
    case Op::kNotNaN:
      return nulls && *nulls == 0 && nans && *nans == 0;
    default:
      break;
  }
  // Null (and for floats NaN) rows fail comparisons: there must be none.
  if (!nulls || *nulls != 0) return false;
  const TypeId type = pred.values.type()->id();
  if ((type == TypeId::kFloat || type == TypeId::kDouble) && (!nans || *nans != 0)) return false;
  return RangeAllMatch(pred, ValueBounds::Decode(pred.values.type(), Lookup(file.lower_bounds, id),
                                                 Lookup(file.upper_bounds, id)));
}

}  // namespace

Expression ResidualForFile(const Expression& e, const DataFile& file) {
  switch (e.op) {
    case Op::kTrue:
    case Op::kFalse:
    case Op::kNot:  // not reached after RewriteNot
      return e;
    case Op::kAnd:
      return Expression::And(ResidualForFile(e.children[0], file),
                             ResidualForFile(e.children[1], file));
    case Op::kOr:
      return Expression::Or(ResidualForFile(e.children[0], file),
                            ResidualForFile(e.children[1], file));
    default:
      if (PredicateAllMatch(e, file)) return Expression::True();
      if (!PredicateMightMatch(e, file)) return Expression::False();
      return e;
  }
}

bool FileMightMatch(const Expression& e, const DataFile& file) {
  switch (e.op) {
    case Op::kTrue:
      return true;
    case Op::kFalse:
      return false;
    case Op::kAnd:
      return FileMightMatch(e.children[0], file) && FileMightMatch(e.children[1], file);
    case Op::kOr:
      return FileMightMatch(e.children[0], file) || FileMightMatch(e.children[1], file);
    case Op::kNot:  // not reached after RewriteNot
      return true;
    default:
      return PredicateMightMatch(e, file);
  }
}

}  // namespace floe::iceberg
