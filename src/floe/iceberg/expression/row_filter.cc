#include "floe/iceberg/expression/row_filter.h"

#include <cmath>

#include "floe/columnar/compare.h"

namespace floe::iceberg {
namespace {

// The path of indices to the field with `id`: top-level index, then the
// index within each enclosing struct. False when absent.
bool FindPath(const std::vector<NestedField>& fields, int32_t id, std::vector<size_t>* path) {
  for (size_t i = 0; i < fields.size(); ++i) {
    path->push_back(i);
    if (fields[i].id == id) return true;
    if (fields[i].type->id() == TypeId::kStruct && FindPath(fields[i].type->fields(), id, path)) {
      return true;
    }
    path->pop_back();
  }
  return false;
}

bool IsNaN(const Column& c, int64_t i) {
  if (c.type()->id() == TypeId::kFloat) return std::isnan(c.Value<float>(i));
  if (c.type()->id() == TypeId::kDouble) return std::isnan(c.Value<double>(i));
  return false;
}

// Whether comparison result `c` (CompareSlots of value vs literal) satisfies `op`.
bool Holds(Op op, int c) {
  if (c == 2) return op == Op::kNotEq;  // NaN: unordered
  switch (op) {
    case Op::kLt:
      return c < 0;
    case Op::kLtEq:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGtEq:
      return c >= 0;
    case Op::kEq:
      return c == 0;
    case Op::kNotEq:
      return c != 0;
    default:
      return false;
  }
}

}  // namespace

Result<RowFilter> RowFilter::Make(const Expression& expr, const Schema& schema) {
  RowFilter filter;
  filter.expr_ = RewriteNot(expr);
  std::vector<int32_t> ids;
  CollectFieldIds(filter.expr_, &ids);
  for (int32_t id : ids) {
    std::vector<size_t> path;
    if (!FindPath(schema.fields(), id, &path)) {
      return Status::InvalidArgument("filter: field id {} is not among the columns read", id);
    }
    filter.paths_[id] = std::move(path);
  }
  return filter;
}

void RowFilter::Evaluate(const RecordBatch& batch, std::vector<uint8_t>* keep) const {
  Evaluate(batch.columns, batch.num_rows, keep);
}

void RowFilter::Evaluate(std::span<const Column> columns, int64_t num_rows,
                         std::vector<uint8_t>* keep) const {
  keep->assign(static_cast<size_t>(num_rows), 1);
  EvaluateNode(expr_, columns, keep);
}

void RowFilter::EvaluateNode(const Expression& e, std::span<const Column> columns,
                             std::vector<uint8_t>* keep) const {
  switch (e.op) {
    case Op::kTrue:
      return;
    case Op::kFalse:
      std::fill(keep->begin(), keep->end(), 0);
      return;
    case Op::kAnd:
      // Both sides narrow the same selection.
      EvaluateNode(e.children[0], columns, keep);
      EvaluateNode(e.children[1], columns, keep);
      return;
    case Op::kOr: {
      std::vector<uint8_t> right = *keep;
      EvaluateNode(e.children[0], columns, keep);
      EvaluateNode(e.children[1], columns, &right);
      for (size_t r = 0; r < keep->size(); ++r) (*keep)[r] |= right[r];
      return;
    }
    default:
      EvaluatePredicate(e, columns, keep);
  }
}

void RowFilter::EvaluatePredicate(const Expression& e, std::span<const Column> columns,
                                  std::vector<uint8_t>* keep) const {
  // The column, and for fields of structs whether every enclosing struct is
  // present (a null struct's child slots are not values).
  const std::vector<size_t>& path = paths_.at(e.field_id);
  const Column* column = &columns[path[0]];
  std::vector<const Column*> parents;
  for (size_t k = 1; k < path.size(); ++k) {
    parents.push_back(column);
    column = &column->child(path[k]);
  }
  const Column& values = e.values;
  const int64_t n = static_cast<int64_t>(keep->size());
  for (int64_t r = 0; r < n; ++r) {
    uint8_t& k = (*keep)[static_cast<size_t>(r)];
    if (!k) continue;  // already excluded (AND)
    bool valid = column->IsValid(r);
    for (const Column* p : parents) valid = valid && p->IsValid(r);
    bool match = false;
    switch (e.op) {
      case Op::kIsNull:
        match = !valid;
        break;
      case Op::kNotNull:
        match = valid;
        break;
      case Op::kIsNaN:
        match = valid && IsNaN(*column, r);
        break;
      case Op::kNotNaN:
        match = valid && !IsNaN(*column, r);
        break;
      case Op::kIn:
      case Op::kNotIn: {
        if (!valid) break;
        bool found = false;
        for (int64_t i = 0; i < values.length() && !found; ++i) {
          found = CompareSlots(*column, r, values, i) == 0;
        }
        match = (e.op == Op::kIn) == found;
        break;
      }
      case Op::kStartsWith:
      case Op::kNotStartsWith:
        match =
            valid && (column->Bytes(r).starts_with(values.Bytes(0)) == (e.op == Op::kStartsWith));
        break;
      default:
        match = valid && Holds(e.op, CompareSlots(*column, r, values, 0));
    }
    k = match ? 1 : 0;
  }
}

}  // namespace floe::iceberg
