#include "floe/iceberg/expression/manifest_evaluator.h"

#include "floe/iceberg/expression/bounds.h"

namespace floe::iceberg {
namespace {

bool PredicateMightMatch(const Expression& pred, const FieldSummary& s) {
  // Writers set bounds whenever a non-null, non-NaN value exists, so a summary
  // with nulls and no bounds and no NaN covers null values only.
  const bool only_nulls = s.contains_null && !s.lower_bound && s.contains_nan != true;
  switch (pred.op) {
    case Op::kIsNull:
      return s.contains_null;
    case Op::kNotNull:
      return !only_nulls;
    case Op::kIsNaN:
      return s.contains_nan != false && !only_nulls;
    case Op::kNotNaN:
    case Op::kNotEq:
    case Op::kNotIn:
      return !only_nulls;
    default:
      break;
  }
  if (only_nulls) return false;
  return RangeMightMatch(pred,
                         ValueBounds::Decode(pred.values.type(), s.lower_bound, s.upper_bound));
}

bool Evaluate(const Expression& e, const ManifestFile& manifest, const Type& partition_type) {
  switch (e.op) {
    case Op::kTrue:
      return true;
    case Op::kFalse:
      return false;
    case Op::kAnd:
      return Evaluate(e.children[0], manifest, partition_type) &&
             Evaluate(e.children[1], manifest, partition_type);
    case Op::kOr:
      return Evaluate(e.children[0], manifest, partition_type) ||
             Evaluate(e.children[1], manifest, partition_type);
    case Op::kNot:
      return true;
    default:
      break;
  }
  const auto& fields = partition_type.fields();
  for (size_t k = 0; k < fields.size() && k < manifest.partitions.size(); ++k) {
    if (fields[k].id == e.field_id) return PredicateMightMatch(e, manifest.partitions[k]);
  }
  return true;  // no summary for the field
}

}  // namespace

bool ManifestMightMatch(const Expression& partition_expr, const ManifestFile& manifest,
                        const Type& partition_type) {
  if (manifest.partitions.size() != partition_type.fields().size()) return true;
  return Evaluate(partition_expr, manifest, partition_type);
}

}  // namespace floe::iceberg
