// Row-level evaluation of a bound expression over record batches.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/expression/expression.h"

namespace floe::iceberg {

// Selects the rows of batches that satisfy an expression, with SQL's
// treatment of null (see expression.h): comparisons with null are not true,
// and NaN compares unordered (only != and NOT IN hold for it).
class RowFilter {
 public:
  // `expr` is bound to a schema whose field ids the batches' `schema` shares;
  // every field it references must be in `schema` (top-level or in structs).
  static Result<RowFilter> Make(const Expression& expr, const Schema& schema);

  // keep[r] = 1 for rows of `batch` that match, 0 for the others.
  void Evaluate(const RecordBatch& batch, std::vector<uint8_t>* keep) const;
  // The same over `columns` (the batch's columns, `num_rows` long each).
  void Evaluate(std::span<const Column> columns, int64_t num_rows,
                std::vector<uint8_t>* keep) const;

 private:
  void EvaluateNode(const Expression& e, std::span<const Column> columns,
                    std::vector<uint8_t>* keep) const;
  void EvaluatePredicate(const Expression& e, std::span<const Column> columns,
                         std::vector<uint8_t>* keep) const;

  Expression expr_;                               // NOTs rewritten
  std::map<int32_t, std::vector<size_t>> paths_;  // field id -> column, then struct children
};

}  // namespace floe::iceberg
