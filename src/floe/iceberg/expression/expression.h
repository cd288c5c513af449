// Iceberg's boolean expressions (spec "Scan Planning"): filters on table rows
// that prune manifests by partition summaries, data files by partition values
// and column bounds, and select rows.
//
// An expression is parsed with column names and literal text (unbound), then
// bound to a schema: names resolve to field ids and literals become values of
// the field's type. Evaluation follows SQL: a comparison with null or NaN is
// not true, so neither `x = 1` nor `x != 1` selects a row whose x is null.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/schema/schema.h"
#include "floe/util/status.h"

namespace floe::iceberg {

enum class Op : uint8_t {
  kTrue,
  kFalse,
  kAnd,
  kOr,
  kNot,
  // Predicates on one column:
  kIsNull,
  kNotNull,
  kIsNaN,
  kNotNaN,
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kEq,
  kNotEq,
  kIn,
  kNotIn,
  kStartsWith,
  kNotStartsWith,
};

// The predicate that holds exactly where `op`'s does not (for non-null,
// non-NaN values): < and >=, = and !=, IN and NOT IN, ...
// REQUIRES: `op` is a predicate.
Op Negate(Op op);

struct Expression {
  Op op = Op::kTrue;
  std::vector<Expression> children;  // kAnd / kOr: two; kNot: one

  // Predicates only.
  std::string column;                 // the reference as written, "a.b" for nested
  std::vector<std::string> literals;  // literal text, for comparisons, IN and LIKE
  // Set by Bind: the field's id and the literals as values of its type.
  int32_t field_id = 0;
  Column values;

  bool is_predicate() const { return op >= Op::kIsNull; }
  bool bound() const { return values.type() != nullptr; }

  static Expression True() { return Expression{}; }
  static Expression False() {
    Expression e;
    e.op = Op::kFalse;
    return e;
  }
  static Expression Predicate(Op op, std::string column, std::vector<std::string> literals = {});
  // And, Or and Not fold constants: And(False, x) is False, Not(True) False.
  static Expression And(Expression a, Expression b);
  static Expression Or(Expression a, Expression b);
  static Expression Not(Expression a);
};

// Parses floe's filter syntax, which is PyIceberg's row-filter syntax:
//   x = 1, x != 'a', x <> 2, 3 < x, x BETWEEN 1 AND 5
//   x IS [NOT] NULL, x IS [NOT] NAN, x [NOT] IN (1, 2, 3)
//   x [NOT] LIKE 'abc%'   (starts with; without a trailing % it means =)
//   NOT e, e AND e, e OR e, (e), true, false
// Keywords are case-insensitive; names are letters, digits and _ (or
// "double quoted"), dotted for fields of structs; text is 'single quoted'
// with '' for a quote. Literals are converted to the column's type on
// binding, so dates and timestamps are written as text: ts >= '2026-11-25'.
Result<Expression> ParseExpression(std::string_view text);

// Resolves names in `schema` and converts literals to the field types.
// Errors name the column: unknown, not a primitive, a literal that is not a
// value of its type, IS NAN on a non-float, LIKE on a non-string, or a
// comparison with NaN (use IS NAN).
Result<Expression> Bind(const Expression& expr, const Schema& schema);

// The same expression with every NOT pushed down into the predicates (NOT of
// a predicate becomes its negation), as the evaluators expect.
Expression RewriteNot(const Expression& expr);

// The expression in the syntax ParseExpression reads, bound literals as text.
std::string ToString(const Expression& expr);

// Field ids a bound expression references.
void CollectFieldIds(const Expression& expr, std::vector<int32_t>* ids);

}  // namespace floe::iceberg
