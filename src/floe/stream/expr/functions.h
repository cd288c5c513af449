// The function library's shared parts (internal to stream/expr): argument
// checks for binding, and the node that runs a function's row kernel.
#pragma once

#include <string>
#include <vector>

#include "floe/stream/expr/node.h"

namespace floe::stream::expr {

using Args = std::vector<Vec>;

// A call being bound: its name, arguments and place, for checks and errors.
class Signature {
 public:
  Signature(const std::string& name, const std::vector<NodePtr>& args, size_t offset)
      : name_(name), args_(args), offset_(offset) {}
  Status Arity(size_t min, size_t max) const;
  Status Expect(size_t i, TypeId id) const;  // string or boolean
  Status ExpectBytes(size_t i) const;        // string or binary
  // An int or long; an int is cast to long in `args` (kernels read longs).
  Status ExpectInteger(std::vector<NodePtr>& args, size_t i) const;
  Result<std::string> ConstantString(const std::vector<NodePtr>& args, size_t i,
                                     std::string_view what) const;
  Result<int> ConstantInt(const std::vector<NodePtr>& args, size_t i, std::string_view what) const;
  Status Error(std::string_view why) const;

 private:
  const std::string& name_;
  const std::vector<NodePtr>& args_;
  size_t offset_;
};

// A function computed row by row inside one loop per batch: `kernel(args,
// r, out, ctx)` appends one slot for row r. RowFunction calls it only for
// rows whose arguments are all present (any null in, null out);
// NullableRowFunction for every row of the mask.
template <typename Kernel, bool kNullIn>
class RowFunction final : public Node {
 public:
  RowFunction(TypePtr type, std::vector<NodePtr> args, Kernel kernel)
      : Node(std::move(type)), args_(std::move(args)), kernel_(std::move(kernel)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    Args values;
    values.reserve(args_.size());
    for (const NodePtr& a : args_) values.push_back(a->Eval(ctx, mask));
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if constexpr (!kNullIn) {
        for (const Vec& v : values) {
          if (!v.Valid(r)) return out->AppendNull();
        }
      }
      kernel_(values, r, out, ctx);
    }));
  }

 private:
  std::vector<NodePtr> args_;
  Kernel kernel_;
};

template <typename Kernel>
NodePtr MakeRowFunction(TypePtr type, std::vector<NodePtr> args, Kernel kernel) {
  return std::make_shared<RowFunction<Kernel, false>>(std::move(type), std::move(args),
                                                      std::move(kernel));
}
template <typename Kernel>
NodePtr MakeNullableRowFunction(TypePtr type, std::vector<NodePtr> args, Kernel kernel) {
  return std::make_shared<RowFunction<Kernel, true>>(std::move(type), std::move(args),
                                                     std::move(kernel));
}

// parse_timestamp, parse_date, to_timezone (time_functions.cc); kNotFound
// for other names.
Result<NodePtr> BindTimeFunction(const std::string& name, std::vector<NodePtr>& args,
                                 const Signature& sig);

}  // namespace floe::stream::expr
