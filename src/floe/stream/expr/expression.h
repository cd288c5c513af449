// Pipeline expressions, compiled: typed once against the names in scope,
// then evaluated a whole batch at a time. Each node of the tree runs one
// loop over the batch's rows (a kernel), so the cost of dispatch is per node
// per batch, never per row; AND, OR, CASE and COALESCE evaluate their later
// operands only for the rows that still need them (a selection mask), so
// `x <> 0 AND 100 / x > 2` never divides by zero.
//
// Errors are per row: a cast that does not fit, a division by zero, a
// timestamp that does not parse mark that row failed (RowErrors) with the
// reason and leave the row null; the other rows go on. Types are checked at
// compile time, with SQL's rules (docs/design/expressions.md): integers
// widen to long and to double, a string literal compared with a date or
// timestamp is read as one, and nothing else converts without a CAST.
//
// Thread-safety: a compiled Expression is immutable and may be evaluated by
// several threads at once, each with its own EvalContext.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/stream/expr/parse.h"

namespace floe::stream::expr {

// The names an expression can read: slot i of an EvalContext, by name
// ("subject_key", "_kafka.topic"); fields of struct slots by dotted path.
class Scope {
 public:
  // Returns the new slot's index. A name added again hides the earlier one.
  int Add(std::string name, TypePtr type);
  struct Slot {
    std::string name;
    TypePtr type;
  };
  const std::vector<Slot>& slots() const { return slots_; }
  // The newest slot named `name`, or -1. Marks it used.
  int Find(std::string_view name) const;
  // Whether an expression compiled against this scope read slot `i`.
  bool used(int i) const { return used_[static_cast<size_t>(i)] != 0; }

 private:
  std::vector<Slot> slots_;
  mutable std::vector<uint8_t> used_;
};

// The first error of each failed row of a batch.
class RowErrors {
 public:
  void Reset(int64_t rows) {
    messages_.assign(static_cast<size_t>(rows), std::string());
    count_ = 0;
  }
  void Fail(int64_t row, std::string message) {
    std::string& m = messages_[static_cast<size_t>(row)];
    if (!m.empty()) return;
    m = message.empty() ? std::string("failed") : std::move(message);
    ++count_;
  }
  bool failed(int64_t row) const { return !messages_[static_cast<size_t>(row)].empty(); }
  const std::string& message(int64_t row) const { return messages_[static_cast<size_t>(row)]; }
  int64_t count() const { return count_; }

 private:
  std::vector<std::string> messages_;
  int64_t count_ = 0;
};

struct EvalContext {
  std::vector<const Column*> slots;  // as the Scope numbered them, num_rows long each
  int64_t num_rows = 0;
  int64_t now_micros = 0;  // current_timestamp(): one value per batch
  RowErrors* errors = nullptr;
};

// A value for each row, or one value for all rows (a constant).
class Vec {
 public:
  Vec() = default;
  static Vec Own(Column column, bool constant = false);
  static Vec Borrow(const Column* column);

  const Column& column() const { return *column_; }
  const TypePtr& type() const { return column_->type(); }
  bool constant() const { return constant_; }
  int64_t Row(int64_t r) const { return constant_ ? 0 : r; }
  bool Valid(int64_t r) const { return column_->IsValid(Row(r)); }
  template <typename T>
  T Get(int64_t r) const {
    return column_->template Value<T>(Row(r));
  }
  std::string_view Bytes(int64_t r) const { return column_->Bytes(Row(r)); }

 private:
  std::shared_ptr<const Column> owned_;
  const Column* column_ = nullptr;
  bool constant_ = false;
};

// Which rows an evaluation covers (1) and which it leaves null (0).
using Mask = std::vector<uint8_t>;

class Node;

class Expression {
 public:
  // Parses and types `text` against `scope`; kInvalidArgument says what is
  // wrong and where ("unknown field 'sbject' at column 7").
  static Result<Expression> Compile(std::string_view text, const Scope& scope);

  const TypePtr& type() const;
  const std::string& text() const { return text_; }
  // Whether the value is the same for every row (no field read).
  bool constant() const;

  // This expression converted to `target` where SQL converts implicitly on
  // assignment (int -> long -> double, float -> double, a wider decimal, a
  // null literal); kInvalidArgument otherwise, suggesting the CAST.
  Result<Expression> AssignTo(const TypePtr& target) const;

  // Values for rows with mask[r] set (null for the others); a failing row
  // is reported to ctx.errors and null. REQUIRES: mask.size() == num_rows.
  Vec Evaluate(EvalContext& ctx, const Mask& mask) const;
  Vec Evaluate(EvalContext& ctx) const;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
  bool null_literal_ = false;  // a bare NULL: takes the type it is assigned to
};

}  // namespace floe::stream::expr
