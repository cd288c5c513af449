// The compiled tree's nodes (internal to stream/expr): each evaluates over a
// whole batch. Binding (compile.cc) makes every operand the exact type its
// kernel reads, inserting casts where SQL converts implicitly, so kernels
// never look at types per row.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "floe/stream/expr/expression.h"

namespace floe::stream::expr {

class Node {
 public:
  explicit Node(TypePtr type) : type_(std::move(type)) {}
  virtual ~Node() = default;
  const TypePtr& type() const { return type_; }
  // A literal: the same one value for every row, known at compile time.
  virtual bool constant() const { return false; }
  // Values for the rows of `mask` (rows outside it are unspecified); a row
  // that fails is reported to ctx.errors and null.
  virtual Vec Eval(EvalContext& ctx, const Mask& mask) const = 0;

 private:
  TypePtr type_;
};
using NodePtr = std::shared_ptr<const Node>;

// --- leaves -------------------------------------------------------------------
// `value` holds one slot.
NodePtr MakeLiteral(Column value);
NodePtr MakeNullLiteral(TypePtr type);
// Slot `slot` of the context, then struct children by index along `path`.
NodePtr MakeField(int slot, std::vector<int> path, TypePtr type);
// A per-batch value: current_timestamp().
NodePtr MakeCurrentTimestamp();

// --- operators ----------------------------------------------------------------
// + - * / % over two operands of the same type: int, long or double.
NodePtr MakeArithmetic(char op, NodePtr a, NodePtr b);
NodePtr MakeNegate(NodePtr a);
// = <> < <= > >= over two operands of the same type; boolean.
NodePtr MakeCompare(std::string op, NodePtr a, NodePtr b);
NodePtr MakeAnd(NodePtr a, NodePtr b);
NodePtr MakeOr(NodePtr a, NodePtr b);
NodePtr MakeNot(NodePtr a);
NodePtr MakeIsNull(NodePtr a, bool negated);
// whens[i] boolean; thens and otherwise of `type` (otherwise may be null:
// no ELSE).
NodePtr MakeCase(std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise,
                 TypePtr type);
NodePtr MakeCoalesce(std::vector<NodePtr> args, TypePtr type);
// `to` any primitive; `try_cast`: a value that does not convert is null
// instead of an error.
NodePtr MakeCast(NodePtr a, TypePtr to, bool try_cast);
// A string against a constant SQL LIKE pattern (% and _, no escape).
NodePtr MakeLike(NodePtr a, std::string pattern, bool negated);
// map[key] (null when absent) or list[index] (1-based, null past the end).
NodePtr MakeIndex(NodePtr container, NodePtr key);

// --- functions ----------------------------------------------------------------
// Binds a call of the functions in functions.cc; kInvalidArgument for an
// unknown function or wrong arguments, naming the signature. `offset` is
// where the call starts in the text.
Result<NodePtr> BindFunction(const std::string& name, std::vector<NodePtr> args, size_t offset);

// Converts one value: appends slot `r` of `from` to `out` as `out`'s type.
// Appends nothing and returns the reason when it does not convert.
Status CastValue(const Vec& from, int64_t r, Column* out);
// Whether CastValue handles from -> to at all (checked at compile time).
bool CanCast(const Type& from, const Type& to);

// Shared kernel helper: a column of `type` with a slot for every row, null
// outside the mask and otherwise what fill(r, &column) appends (one slot).
template <typename Fill>
Column BuildColumn(const TypePtr& type, const EvalContext& ctx, const Mask& mask, Fill&& fill) {
  Column out(type);
  for (int64_t r = 0; r < ctx.num_rows; ++r) {
    if (mask[static_cast<size_t>(r)] == 0) {
      out.AppendNull();
    } else {
      fill(r, &out);
    }
  }
  return out;
}

}  // namespace floe::stream::expr
