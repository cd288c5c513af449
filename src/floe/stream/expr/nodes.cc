// The operator nodes: literals, fields, arithmetic, comparison, logic, CASE,
// COALESCE, LIKE and indexing, each one loop per batch.
#include <fmt/format.h>

#include <cmath>

#include "floe/stream/expr/node.h"
#include "floe/util/decimal.h"

namespace floe::stream::expr {

Vec Vec::Own(Column column, bool constant) {
  Vec v;
  v.owned_ = std::make_shared<const Column>(std::move(column));
  v.column_ = v.owned_.get();
  v.constant_ = constant;
  return v;
}

Vec Vec::Borrow(const Column* column) {
  Vec v;
  v.column_ = column;
  return v;
}

namespace {

bool IsTrue(const Vec& v, int64_t r) {
  return v.Valid(r) && v.Get<uint8_t>(r) != 0;
}
bool IsFalse(const Vec& v, int64_t r) {
  return v.Valid(r) && v.Get<uint8_t>(r) == 0;
}

class Literal final : public Node {
 public:
  explicit Literal(Column value) : Node(value.type()), value_(Vec::Own(std::move(value), true)) {}
  bool constant() const override { return true; }
  Vec Eval(EvalContext&, const Mask&) const override { return value_; }

 private:
  Vec value_;
};

class Field final : public Node {
 public:
  Field(int slot, std::vector<int> path, TypePtr type)
      : Node(std::move(type)), slot_(slot), path_(std::move(path)) {}

  Vec Eval(EvalContext& ctx, const Mask&) const override {
    const Column* c = ctx.slots[static_cast<size_t>(slot_)];
    bool parents_null = false;
    for (int i : path_) {
      parents_null = parents_null || c->null_count() > 0;
      c = &c->child(static_cast<size_t>(i));
    }
    if (!parents_null) return Vec::Borrow(c);
    // A field of a null struct is null, whatever its child slot holds.
    Column out(type());
    for (int64_t r = 0; r < ctx.num_rows; ++r) {
      const Column* at = ctx.slots[static_cast<size_t>(slot_)];
      bool valid = at->IsValid(r);
      for (int i : path_) {
        at = &at->child(static_cast<size_t>(i));
        valid = valid && at->IsValid(r);
      }
      if (valid) {
        out.AppendFrom(*at, r);
      } else {
        out.AppendNull();
      }
    }
    return Vec::Own(std::move(out));
  }

 private:
  int slot_;
  std::vector<int> path_;
};

class CurrentTimestamp final : public Node {
 public:
  CurrentTimestamp() : Node(Type::TimestampTz()) {}
  Vec Eval(EvalContext& ctx, const Mask&) const override {
    Column c(type());
    c.Append<int64_t>(ctx.now_micros);
    return Vec::Own(std::move(c), true);
  }
};

// --- arithmetic -----------------------------------------------------------------

template <typename T>
bool Apply(char op, T a, T b, T* out, const char** error) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case '+':
        *out = a + b;
        return true;
      case '-':
        *out = a - b;
        return true;
      case '*':
        *out = a * b;
        return true;
      case '/':
        *out = a / b;
        return true;  // IEEE: x / 0 is infinity, 0 / 0 NaN
      default:
        *out = std::fmod(a, b);
        return true;
    }
  } else {
    switch (op) {
      case '+':
        if (__builtin_add_overflow(a, b, out)) break;
        return true;
      case '-':
        if (__builtin_sub_overflow(a, b, out)) break;
        return true;
      case '*':
        if (__builtin_mul_overflow(a, b, out)) break;
        return true;
      default:
        if (b == 0) {
          *error = "division by zero";
          return false;
        }
        if (a == std::numeric_limits<T>::min() && b == -1) break;
        *out = op == '/' ? a / b : a % b;
        return true;
    }
    *error = "integer overflow";
    return false;
  }
}

template <typename T>
class Arithmetic final : public Node {
 public:
  Arithmetic(char op, NodePtr a, NodePtr b)
      : Node(a->type()), op_(op), a_(std::move(a)), b_(std::move(b)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    const Vec b = b_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!a.Valid(r) || !b.Valid(r)) return out->AppendNull();
      T v{};
      const char* error = nullptr;
      if (!Apply<T>(op_, a.Get<T>(r), b.Get<T>(r), &v, &error)) {
        ctx.errors->Fail(r, error);
        return out->AppendNull();
      }
      out->Append<T>(v);
    }));
  }

 private:
  char op_;
  NodePtr a_, b_;
};

template <typename T>
class Negate final : public Node {
 public:
  explicit Negate(NodePtr a) : Node(a->type()), a_(std::move(a)) {}
  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!a.Valid(r)) return out->AppendNull();
      const T x = a.Get<T>(r);
      if constexpr (!std::is_floating_point_v<T>) {
        if (x == std::numeric_limits<T>::min()) {
          ctx.errors->Fail(r, "integer overflow");
          return out->AppendNull();
        }
      }
      out->Append<T>(-x);
    }));
  }

 private:
  NodePtr a_;
};

// --- comparison -----------------------------------------------------------------

enum class Cmp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

template <typename T>
int Order(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool Holds(Cmp op, int order) {
  switch (op) {
    case Cmp::kEq:
      return order == 0;
    case Cmp::kNe:
      return order != 0;
    case Cmp::kLt:
      return order < 0;
    case Cmp::kLe:
      return order <= 0;
    case Cmp::kGt:
      return order > 0;
    default:
      return order >= 0;
  }
}

// T: the physical value; std::string_view for byte-wise types. NaN is not
// equal to anything and compares unordered (only <> holds), as SQL has it.
template <typename T>
class Compare final : public Node {
 public:
  Compare(Cmp op, NodePtr a, NodePtr b)
      : Node(Type::Boolean()), op_(op), a_(std::move(a)), b_(std::move(b)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    const Vec b = b_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!a.Valid(r) || !b.Valid(r)) return out->AppendNull();
      if constexpr (std::is_same_v<T, std::string_view>) {
        const int c = a.Bytes(r).compare(b.Bytes(r));
        out->Append<uint8_t>(Holds(op_, c) ? 1 : 0);
      } else {
        const T x = a.Get<T>(r), y = b.Get<T>(r);
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(x) || std::isnan(y)) return out->Append<uint8_t>(op_ == Cmp::kNe ? 1 : 0);
        }
        out->Append<uint8_t>(Holds(op_, Order(x, y)) ? 1 : 0);
      }
    }));
  }

 private:
  Cmp op_;
  NodePtr a_, b_;
};

// --- logic ----------------------------------------------------------------------

// Three-valued AND / OR; the right side runs only where the left does not
// decide the row already.
class Logic final : public Node {
 public:
  Logic(bool is_and, NodePtr a, NodePtr b)
      : Node(Type::Boolean()), and_(is_and), a_(std::move(a)), b_(std::move(b)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    Mask rest(mask);
    for (int64_t r = 0; r < ctx.num_rows; ++r) {
      if (and_ ? IsFalse(a, r) : IsTrue(a, r)) rest[static_cast<size_t>(r)] = 0;
    }
    const Vec b = b_->Eval(ctx, rest);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!rest[static_cast<size_t>(r)]) return out->Append<uint8_t>(and_ ? 0 : 1);
      if (and_ ? IsFalse(b, r) : IsTrue(b, r)) return out->Append<uint8_t>(and_ ? 0 : 1);
      if (!a.Valid(r) || !b.Valid(r)) return out->AppendNull();
      out->Append<uint8_t>(and_ ? 1 : 0);
    }));
  }

 private:
  bool and_;
  NodePtr a_, b_;
};

class NotNode final : public Node {
 public:
  explicit NotNode(NodePtr a) : Node(Type::Boolean()), a_(std::move(a)) {}
  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!a.Valid(r)) return out->AppendNull();
      out->Append<uint8_t>(a.Get<uint8_t>(r) != 0 ? 0 : 1);
    }));
  }

 private:
  NodePtr a_;
};

class IsNull final : public Node {
 public:
  IsNull(NodePtr a, bool negated) : Node(Type::Boolean()), a_(std::move(a)), negated_(negated) {}
  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      out->Append<uint8_t>(a.Valid(r) == negated_ ? 1 : 0);
    }));
  }

 private:
  NodePtr a_;
  bool negated_;
};

// --- CASE and COALESCE ------------------------------------------------------------

// Branches run under the mask of the rows that take them; the result copies
// each row from its branch.
class Case final : public Node {
 public:
  Case(std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise, TypePtr type)
      : Node(std::move(type)),
        whens_(std::move(whens)),
        thens_(std::move(thens)),
        otherwise_(std::move(otherwise)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const size_t n = static_cast<size_t>(ctx.num_rows);
    std::vector<int16_t> branch(n, -1);
    std::vector<Vec> values(thens_.size() + 1);
    Mask rest(mask), take(n);
    for (size_t i = 0; i < whens_.size(); ++i) {
      const Vec when = whens_[i]->Eval(ctx, rest);
      for (size_t r = 0; r < n; ++r) {
        take[r] = rest[r] != 0 && IsTrue(when, static_cast<int64_t>(r));
        if (take[r]) {
          rest[r] = 0;
          branch[r] = static_cast<int16_t>(i);
        }
      }
      values[i] = thens_[i]->Eval(ctx, take);
    }
    if (otherwise_ != nullptr) {
      for (size_t r = 0; r < n; ++r) {
        if (rest[r]) branch[r] = static_cast<int16_t>(thens_.size());
      }
      values.back() = otherwise_->Eval(ctx, rest);
    }
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      const int b = branch[static_cast<size_t>(r)];
      if (b < 0 || !values[static_cast<size_t>(b)].Valid(r)) return out->AppendNull();
      const Vec& v = values[static_cast<size_t>(b)];
      out->AppendFrom(v.column(), v.Row(r));
    }));
  }

 private:
  std::vector<NodePtr> whens_, thens_;
  NodePtr otherwise_;
};

class Coalesce final : public Node {
 public:
  Coalesce(std::vector<NodePtr> args, TypePtr type)
      : Node(std::move(type)), args_(std::move(args)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const size_t n = static_cast<size_t>(ctx.num_rows);
    std::vector<Vec> values;
    std::vector<int16_t> from(n, -1);
    Mask rest(mask);
    for (size_t i = 0; i < args_.size(); ++i) {
      values.push_back(args_[i]->Eval(ctx, rest));
      for (size_t r = 0; r < n; ++r) {
        if (rest[r] && values.back().Valid(static_cast<int64_t>(r))) {
          rest[r] = 0;
          from[r] = static_cast<int16_t>(i);
        }
      }
    }
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      const int i = from[static_cast<size_t>(r)];
      if (i < 0) return out->AppendNull();
      out->AppendFrom(values[static_cast<size_t>(i)].column(),
                      values[static_cast<size_t>(i)].Row(r));
    }));
  }

 private:
  std::vector<NodePtr> args_;
};

class Cast final : public Node {
 public:
  Cast(NodePtr a, TypePtr to, bool try_cast)
      : Node(std::move(to)), a_(std::move(a)), try_(try_cast) {}
  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!a.Valid(r)) return out->AppendNull();
      if (Status s = CastValue(a, r, out); !s.ok()) {
        if (!try_)
          ctx.errors->Fail(r, fmt::format("CAST to {}: {}", type()->ToString(), s.message()));
        out->AppendNull();
      }
    }));
  }

 private:
  NodePtr a_;
  bool try_;
};

// --- LIKE -------------------------------------------------------------------------

// SQL LIKE over UTF-8: '%' any run of characters, '_' one character.
// Iterative with one backtrack point, so linear for patterns of one '%' run
// and never recursive.
bool Like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto next_char = [](std::string_view t, size_t i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    const size_t len = c < 0x80         ? 1
                       : (c >> 5) == 6  ? 2
                       : (c >> 4) == 14 ? 3
                       : (c >> 3) == 30 ? 4
                                        : 1;
    return std::min(t.size(), i + len);
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '_') {
      si = next_char(s, si);
      ++pi;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++si;
      ++pi;
    } else if (star_p != std::string_view::npos) {
      pi = star_p;
      si = star_s = next_char(s, star_s);
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

class LikeNode final : public Node {
 public:
  LikeNode(NodePtr a, std::string pattern, bool negated)
      : Node(Type::Boolean()), a_(std::move(a)), pattern_(std::move(pattern)), negated_(negated) {}
  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec a = a_->Eval(ctx, mask);
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!a.Valid(r)) return out->AppendNull();
      out->Append<uint8_t>(Like(a.Bytes(r), pattern_) != negated_ ? 1 : 0);
    }));
  }

 private:
  NodePtr a_;
  std::string pattern_;
  bool negated_;
};

// --- indexing ---------------------------------------------------------------------

class Index final : public Node {
 public:
  Index(NodePtr container, NodePtr key, TypePtr type)
      : Node(std::move(type)), container_(std::move(container)), key_(std::move(key)) {}

  Vec Eval(EvalContext& ctx, const Mask& mask) const override {
    const Vec c = container_->Eval(ctx, mask);
    const Vec k = key_->Eval(ctx, mask);
    const bool is_map = c.type()->id() == TypeId::kMap;
    return Vec::Own(BuildColumn(type(), ctx, mask, [&](int64_t r, Column* out) {
      if (!c.Valid(r) || !k.Valid(r)) return out->AppendNull();
      const Column& col = c.column();
      const int64_t row = c.Row(r);
      const int32_t begin = col.Offset(row), end = col.Offset(row + 1);
      if (is_map) {
        // Keys are compared as their bytes: string keys (the type check
        // allows only those).
        const std::string_view key = k.Bytes(r);
        for (int32_t e = begin; e < end; ++e) {
          if (col.child(0).Bytes(e) == key) {
            if (!col.child(1).IsValid(e)) break;
            return out->AppendFrom(col.child(1), e);
          }
        }
        return out->AppendNull();
      }
      const int64_t i = k.type()->id() == TypeId::kInt ? k.Get<int32_t>(r) : k.Get<int64_t>(r);
      if (i < 1 || i > end - begin || !col.child(0).IsValid(begin + i - 1)) {
        return out->AppendNull();
      }
      out->AppendFrom(col.child(0), begin + i - 1);
    }));
  }

 private:
  NodePtr container_, key_;
};

}  // namespace

NodePtr MakeLiteral(Column value) {
  return std::make_shared<Literal>(std::move(value));
}
NodePtr MakeNullLiteral(TypePtr type) {
  Column c(std::move(type));
  c.AppendNull();
  return MakeLiteral(std::move(c));
}
NodePtr MakeField(int slot, std::vector<int> path, TypePtr type) {
  return std::make_shared<Field>(slot, std::move(path), std::move(type));
}
NodePtr MakeCurrentTimestamp() {
  return std::make_shared<CurrentTimestamp>();
}

NodePtr MakeArithmetic(char op, NodePtr a, NodePtr b) {
  switch (a->type()->id()) {
    case TypeId::kInt:
      return std::make_shared<Arithmetic<int32_t>>(op, std::move(a), std::move(b));
    case TypeId::kLong:
      return std::make_shared<Arithmetic<int64_t>>(op, std::move(a), std::move(b));
    default:
      return std::make_shared<Arithmetic<double>>(op, std::move(a), std::move(b));
  }
}

NodePtr MakeNegate(NodePtr a) {
  switch (a->type()->id()) {
    case TypeId::kInt:
      return std::make_shared<Negate<int32_t>>(std::move(a));
    case TypeId::kLong:
      return std::make_shared<Negate<int64_t>>(std::move(a));
    default:
      return std::make_shared<Negate<double>>(std::move(a));
  }
}

NodePtr MakeCompare(std::string op, NodePtr a, NodePtr b) {
  const Cmp cmp = op == "="    ? Cmp::kEq
                  : op == "<>" ? Cmp::kNe
                  : op == "<"  ? Cmp::kLt
                  : op == "<=" ? Cmp::kLe
                  : op == ">"  ? Cmp::kGt
                               : Cmp::kGe;
  switch (a->type()->id()) {
    case TypeId::kBoolean:
      return std::make_shared<Compare<uint8_t>>(cmp, std::move(a), std::move(b));
    case TypeId::kInt:
    case TypeId::kDate:
      return std::make_shared<Compare<int32_t>>(cmp, std::move(a), std::move(b));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return std::make_shared<Compare<int64_t>>(cmp, std::move(a), std::move(b));
    case TypeId::kFloat:
      return std::make_shared<Compare<float>>(cmp, std::move(a), std::move(b));
    case TypeId::kDouble:
      return std::make_shared<Compare<double>>(cmp, std::move(a), std::move(b));
    case TypeId::kDecimal:
      return std::make_shared<Compare<Int128>>(cmp, std::move(a), std::move(b));
    default:
      return std::make_shared<Compare<std::string_view>>(cmp, std::move(a), std::move(b));
  }
}

NodePtr MakeAnd(NodePtr a, NodePtr b) {
  return std::make_shared<Logic>(true, std::move(a), std::move(b));
}
NodePtr MakeOr(NodePtr a, NodePtr b) {
  return std::make_shared<Logic>(false, std::move(a), std::move(b));
}
NodePtr MakeNot(NodePtr a) {
  return std::make_shared<NotNode>(std::move(a));
}
NodePtr MakeIsNull(NodePtr a, bool negated) {
  return std::make_shared<IsNull>(std::move(a), negated);
}
NodePtr MakeCase(std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise,
                 TypePtr type) {
  return std::make_shared<Case>(std::move(whens), std::move(thens), std::move(otherwise),
                                std::move(type));
}
NodePtr MakeCoalesce(std::vector<NodePtr> args, TypePtr type) {
  return std::make_shared<Coalesce>(std::move(args), std::move(type));
}
NodePtr MakeCast(NodePtr a, TypePtr to, bool try_cast) {
  return std::make_shared<Cast>(std::move(a), std::move(to), try_cast);
}
NodePtr MakeLike(NodePtr a, std::string pattern, bool negated) {
  return std::make_shared<LikeNode>(std::move(a), std::move(pattern), negated);
}
NodePtr MakeIndex(NodePtr container, NodePtr key) {
  const Type& t = *container->type();
  TypePtr element = t.id() == TypeId::kMap ? t.value().type : t.element().type;
  return std::make_shared<Index>(std::move(container), std::move(key), std::move(element));
}

}  // namespace floe::stream::expr
