// Simple predicates on top-level primitive columns ("VSTESTCD = 'SYSBP'",
// "VSSTRESN >= 120", "SITEID IS NULL"): parsed from text, checked against
// row-group statistics to skip row groups that cannot match, and evaluated
// row by row. The Iceberg layer has its own expression model; this is the
// file-level subset the Parquet reader can use by itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/schema_mapping.h"

namespace floe::parquet {

struct ColumnPredicate {
  enum class Op { kEq, kNotEq, kLt, kLtEq, kGt, kGtEq, kIsNull, kIsNotNull };
  std::string column;
  Op op = Op::kEq;
  std::string literal;  // floe's text form of a value (see text_rows.h); unused for IS [NOT] NULL
};

// Parses `column op literal` with op one of = == != <> < <= > >=, or
// `column IS NULL` / `column IS NOT NULL`. Literals are numbers, true/false,
// or single-quoted text ('it''s' for a quote).
Result<ColumnPredicate> ParsePredicate(std::string_view text);

// A predicate checked against one file's schema: the column and the literal
// resolved to the column's type.
class BoundPredicate {
 public:
  static Result<BoundPredicate> Bind(const ColumnPredicate& predicate, const FileSchema& schema);

  // The top-level field index and the leaf (column chunk) index it reads.
  int field_index() const { return field_index_; }
  size_t leaf_index() const { return leaf_index_; }

  // False when the chunk's statistics prove no row can match; true otherwise
  // (including when statistics are missing or not trustworthy).
  bool MightMatch(const ColumnChunk& chunk, bool type_defined_order) const;
  // Whether slot `row` of `column` (the bound field's column) matches.
  bool Matches(const Column& column, int64_t row) const;

 private:
  ColumnPredicate::Op op_ = ColumnPredicate::Op::kEq;
  int field_index_ = 0;
  size_t leaf_index_ = 0;
  const LeafColumn* leaf_ = nullptr;
  Column literal_;  // one value of the column's type (empty for IS [NOT] NULL)
};

}  // namespace floe::parquet
