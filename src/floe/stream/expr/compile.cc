// Binding: from the syntax tree to typed nodes. Names resolve against the
// Scope; operands get the casts SQL applies implicitly; subtrees of
// literals are evaluated once here (constant folding), so an error in them
// (CAST('x' AS int), 1 / 0) is a compile error rather than a row error.
#include <charconv>
#include <cstdlib>

#include "floe/stream/expr/functions.h"
#include "floe/stream/expr/node.h"
#include "floe/util/strings.h"

namespace floe::stream::expr {

int Scope::Add(std::string name, TypePtr type) {
  slots_.push_back({std::move(name), std::move(type)});
  used_.push_back(0);
  return static_cast<int>(slots_.size()) - 1;
}

int Scope::Find(std::string_view name) const {
  for (size_t i = slots_.size(); i-- > 0;) {
    if (slots_[i].name == name) {
      used_[i] = 1;
      return static_cast<int>(i);
    }
  }
  return -1;
}

namespace {

// A bound operand; `null_literal` marks a bare NULL, which takes the type
// of whatever it meets.
struct Bound {
  NodePtr node;
  bool null_literal = false;
  const TypePtr& type() const { return node->type(); }
};

bool IsIntegral(TypeId id) {
  return id == TypeId::kInt || id == TypeId::kLong;
}
bool IsFloating(TypeId id) {
  return id == TypeId::kFloat || id == TypeId::kDouble;
}
// Layout-equal: the same types at every level, whatever the field ids.
bool SameShape(const Type& a, const Type& b) {
  if (a.id() != b.id() || a.precision() != b.precision() || a.scale() != b.scale() ||
      a.length() != b.length() || a.fields().size() != b.fields().size()) {
    return false;
  }
  for (size_t i = 0; i < a.fields().size(); ++i) {
    if (a.id() == TypeId::kStruct && a.fields()[i].name != b.fields()[i].name) return false;
    if (!SameShape(*a.fields()[i].type, *b.fields()[i].type)) return false;
  }
  return true;
}

Vec EvalConstant(const NodePtr& node, RowErrors* errors) {
  EvalContext ctx;
  errors->Reset(1);
  ctx.num_rows = 1;
  ctx.errors = errors;
  return node->Eval(ctx, Mask{1});
}

class Binder {
 public:
  Binder(std::string_view text, const Scope& scope) : text_(text), scope_(scope) {}

  Status Error(size_t offset, std::string_view why) const {
    return Status::InvalidArgument("{} at column {}", why, offset + 1);
  }

  // Replaces a node whose operands are all literals by its value.
  Result<Bound> Fold(NodePtr node, const std::vector<Bound>& operands, size_t offset) {
    if (operands.empty()) return Bound{std::move(node)};
    for (const Bound& b : operands) {
      if (!b.node->constant()) return Bound{std::move(node)};
    }
    RowErrors errors;
    const Vec v = EvalConstant(node, &errors);
    if (errors.count() > 0) return Error(offset, errors.message(0));
    Column value(node->type());
    value.AppendFrom(v.column(), v.Row(0));
    return Bound{MakeLiteral(std::move(value))};
  }

  // `b` as type `to` (REQUIRES: CanCast), folded when it is a literal.
  Result<Bound> Convert(Bound b, const TypePtr& to, size_t offset) {
    if (b.null_literal) return Bound{MakeNullLiteral(to)};
    if (SameShape(*b.type(), *to)) return b;
    NodePtr cast = MakeCast(b.node, to, false);
    return Fold(std::move(cast), {b}, offset);
  }

  // The type two operands meet in (comparison, CASE, COALESCE, arithmetic).
  Result<TypePtr> CommonType(const Bound& a, const Bound& b, size_t offset) {
    if (a.null_literal) return b.type();
    if (b.null_literal) return a.type();
    const Type& x = *a.type();
    const Type& y = *b.type();
    if (SameShape(x, y)) return a.type();
    const TypeId i = x.id(), j = y.id();
    if (IsIntegral(i) && IsIntegral(j)) return Type::Long();
    if ((IsIntegral(i) || IsFloating(i)) && (IsIntegral(j) || IsFloating(j))) {
      return Type::Double();
    }
    if (i == TypeId::kDecimal || j == TypeId::kDecimal) {
      if (IsFloating(i) || IsFloating(j)) return Type::Double();
      const int scale = std::max(x.scale(), y.scale());
      if ((i == TypeId::kDecimal || IsIntegral(i)) && (j == TypeId::kDecimal || IsIntegral(j))) {
        return Type::Decimal(38, scale);
      }
    }
    // A string literal meets a typed value as that type: ts >= '2026-01-01'.
    if (i == TypeId::kString && a.node->constant() && CanCast(x, y)) return b.type();
    if (j == TypeId::kString && b.node->constant() && CanCast(y, x)) return a.type();
    if (i == TypeId::kDate && IsTimestamp(j)) return b.type();
    if (j == TypeId::kDate && IsTimestamp(i)) return a.type();
    return Error(
        offset, fmt::format("{} and {} do not mix (CAST one of them)", x.ToString(), y.ToString()));
  }

  Result<Bound> Bind(const Ast& ast) {
    switch (ast.kind) {
      case Ast::Kind::kNull:
        return Bound{MakeNullLiteral(Type::String()), true};
      case Ast::Kind::kBool: {
        Column c(Type::Boolean());
        c.Append<uint8_t>(ast.text == "true" ? 1 : 0);
        return Bound{MakeLiteral(std::move(c))};
      }
      case Ast::Kind::kInteger: {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(ast.text.data(), ast.text.data() + ast.text.size(), v);
        if (ec != std::errc() || end != ast.text.data() + ast.text.size()) {
          return Error(ast.offset, "integer " + ast.text + " is too large (write it as " +
                                       ast.text + ".0 for a double)");
        }
        Column c(v >= INT32_MIN && v <= INT32_MAX ? Type::Int() : Type::Long());
        if (c.type()->id() == TypeId::kInt) {
          c.Append<int32_t>(static_cast<int32_t>(v));
        } else {
          c.Append<int64_t>(v);
        }
        return Bound{MakeLiteral(std::move(c))};
      }
      case Ast::Kind::kNumber: {
        double v = 0;
        auto [end, ec] = std::from_chars(ast.text.data(), ast.text.data() + ast.text.size(), v);
        if (ec != std::errc() || end != ast.text.data() + ast.text.size()) {
          return Error(ast.offset, "number " + ast.text + " is out of range");
        }
        Column c(Type::Double());
        c.Append<double>(v);
        return Bound{MakeLiteral(std::move(c))};
      }
      case Ast::Kind::kString:
        return StringLiteral(ast.text);
      case Ast::Kind::kTyped:
        return Convert(StringLiteral(ast.text), ast.type, ast.offset);
      case Ast::Kind::kField:
        return BindField(ast);
      case Ast::Kind::kCast:
        return BindCast(ast);
      case Ast::Kind::kIsNull: {
        FLOE_ASSIGN_OR_RETURN(Bound x, Bind(ast.args[0]));
        return Fold(MakeIsNull(x.node, ast.negated), {x}, ast.offset);
      }
      case Ast::Kind::kIn:
        return BindIn(ast);
      case Ast::Kind::kBetween: {
        FLOE_ASSIGN_OR_RETURN(Bound x, Bind(ast.args[0]));
        FLOE_ASSIGN_OR_RETURN(Bound lo, Bind(ast.args[1]));
        FLOE_ASSIGN_OR_RETURN(Bound hi, Bind(ast.args[2]));
        FLOE_ASSIGN_OR_RETURN(Bound ge, Comparison(">=", x, lo, ast.offset));
        FLOE_ASSIGN_OR_RETURN(Bound le, Comparison("<=", x, hi, ast.offset));
        FLOE_ASSIGN_OR_RETURN(Bound both, Fold(MakeAnd(ge.node, le.node), {ge, le}, ast.offset));
        if (!ast.negated) return both;
        return Fold(MakeNot(both.node), {both}, ast.offset);
      }
      case Ast::Kind::kLike: {
        FLOE_ASSIGN_OR_RETURN(Bound x, Bind(ast.args[0]));
        FLOE_ASSIGN_OR_RETURN(Bound p, Bind(ast.args[1]));
        if (x.type()->id() != TypeId::kString && !x.null_literal) {
          return Error(ast.offset, "LIKE needs a string, not " + x.type()->ToString());
        }
        if (!p.node->constant() || p.type()->id() != TypeId::kString) {
          return Error(ast.args[1].offset, "the LIKE pattern must be a constant string");
        }
        RowErrors errors;
        const Vec v = EvalConstant(p.node, &errors);
        if (!v.Valid(0)) return Bound{MakeNullLiteral(Type::Boolean())};
        return Fold(MakeLike(x.node, std::string(v.Bytes(0)), ast.negated), {x}, ast.offset);
      }
      case Ast::Kind::kCase:
        return BindCase(ast);
      case Ast::Kind::kIndex:
        return BindIndex(ast);
      case Ast::Kind::kOperator:
        return BindOperator(ast);
      case Ast::Kind::kCall:
        return BindCall(ast);
    }
    return Error(ast.offset, "unsupported expression");
  }

 private:
  static Bound StringLiteral(std::string_view text) {
    Column c(Type::String());
    c.AppendBytes(text);
    return Bound{MakeLiteral(std::move(c))};
  }

  Result<Bound> BindField(const Ast& ast) {
    // The longest leading part of the dotted name that is a slot, then
    // struct fields: "vitals.hr", "_kafka.topic", "a.b.c".
    const std::string& name = ast.text;
    for (size_t end = name.size(); end != std::string::npos && end > 0;
         end = end == 0 ? std::string::npos : name.rfind('.', end - 1)) {
      const int slot = scope_.Find(std::string_view(name).substr(0, end));
      if (slot < 0) continue;
      TypePtr type = scope_.slots()[static_cast<size_t>(slot)].type;
      std::vector<int> path;
      size_t at = end;
      while (at < name.size()) {
        const size_t next = std::min(name.find('.', at + 1), name.size());
        const std::string_view part = std::string_view(name).substr(at + 1, next - at - 1);
        if (type->id() != TypeId::kStruct) {
          return Error(ast.offset, fmt::format("'{}' is a {}, which has no field '{}'",
                                               name.substr(0, at), type->ToString(), part));
        }
        int found = -1;
        for (size_t f = 0; f < type->fields().size(); ++f) {
          if (type->fields()[f].name == part) found = static_cast<int>(f);
        }
        if (found < 0) {
          return Error(ast.offset, fmt::format("'{}' has no field '{}'", name.substr(0, at), part));
        }
        path.push_back(found);
        type = type->fields()[static_cast<size_t>(found)].type;
        at = next;
      }
      return Bound{MakeField(slot, std::move(path), std::move(type))};
    }
    return Error(ast.offset, fmt::format("unknown field '{}'", name));
  }

  Result<Bound> BindCast(const Ast& ast) {
    FLOE_ASSIGN_OR_RETURN(Bound x, Bind(ast.args[0]));
    if (x.null_literal) return Bound{MakeNullLiteral(ast.type)};
    if (!CanCast(*x.type(), *ast.type)) {
      return Error(ast.offset,
                   fmt::format("cannot CAST {} to {}", x.type()->ToString(), ast.type->ToString()));
    }
    if (SameShape(*x.type(), *ast.type)) return x;
    return Fold(MakeCast(x.node, ast.type, ast.try_cast), {x}, ast.offset);
  }

  Result<Bound> Comparison(const std::string& op, Bound a, Bound b, size_t offset) {
    if (a.null_literal || b.null_literal) return Bound{MakeNullLiteral(Type::Boolean())};
    FLOE_ASSIGN_OR_RETURN(TypePtr common, CommonType(a, b, offset));
    if (common->is_nested()) {
      return Error(offset, "cannot compare " + common->ToString() + " values");
    }
    FLOE_ASSIGN_OR_RETURN(a, Convert(std::move(a), common, offset));
    FLOE_ASSIGN_OR_RETURN(b, Convert(std::move(b), common, offset));
    return Fold(MakeCompare(op, a.node, b.node), {a, b}, offset);
  }

  Result<Bound> BindIn(const Ast& ast) {
    FLOE_ASSIGN_OR_RETURN(Bound x, Bind(ast.args[0]));
    std::optional<Bound> any;
    for (size_t i = 1; i < ast.args.size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(Bound item, Bind(ast.args[i]));
      FLOE_ASSIGN_OR_RETURN(Bound eq, Comparison("=", x, item, ast.args[i].offset));
      if (!any) {
        any = std::move(eq);
      } else {
        FLOE_ASSIGN_OR_RETURN(any, Fold(MakeOr(any->node, eq.node), {*any, eq}, ast.offset));
      }
    }
    if (!ast.negated) return *any;
    return Fold(MakeNot(any->node), {*any}, ast.offset);
  }

  Result<Bound> Boolean(const Ast& ast) {
    FLOE_ASSIGN_OR_RETURN(Bound b, Bind(ast));
    if (b.null_literal) return Bound{MakeNullLiteral(Type::Boolean())};
    if (b.type()->id() != TypeId::kBoolean) {
      return Error(ast.offset, "expected a boolean, not " + b.type()->ToString());
    }
    return b;
  }

  // The common type of `values` and each converted to it.
  Result<TypePtr> Unify(std::vector<Bound>& values, size_t offset) {
    std::optional<Bound> acc;
    for (const Bound& v : values) {
      if (!acc) {
        acc = v;
        continue;
      }
      FLOE_ASSIGN_OR_RETURN(TypePtr t, CommonType(*acc, v, offset));
      acc = Bound{MakeNullLiteral(t), false};
    }
    TypePtr type = acc->type();
    for (Bound& v : values) {
      FLOE_ASSIGN_OR_RETURN(v, Convert(std::move(v), type, offset));
    }
    return type;
  }

  Result<Bound> BindCase(const Ast& ast) {
    std::vector<NodePtr> whens;
    std::vector<Bound> values;
    const size_t pairs = (ast.args.size() - (ast.has_else ? 1 : 0)) / 2;
    for (size_t i = 0; i < pairs; ++i) {
      FLOE_ASSIGN_OR_RETURN(Bound when, Boolean(ast.args[2 * i]));
      whens.push_back(when.node);
      FLOE_ASSIGN_OR_RETURN(Bound then, Bind(ast.args[2 * i + 1]));
      values.push_back(std::move(then));
    }
    if (ast.has_else) {
      FLOE_ASSIGN_OR_RETURN(Bound otherwise, Bind(ast.args.back()));
      values.push_back(std::move(otherwise));
    }
    FLOE_ASSIGN_OR_RETURN(TypePtr type, Unify(values, ast.offset));
    std::vector<NodePtr> thens;
    for (size_t i = 0; i < pairs; ++i) thens.push_back(values[i].node);
    NodePtr otherwise = ast.has_else ? values.back().node : nullptr;
    return Bound{MakeCase(std::move(whens), std::move(thens), std::move(otherwise), type)};
  }

  Result<Bound> BindIndex(const Ast& ast) {
    FLOE_ASSIGN_OR_RETURN(Bound c, Bind(ast.args[0]));
    FLOE_ASSIGN_OR_RETURN(Bound k, Bind(ast.args[1]));
    const Type& t = *c.type();
    if (t.id() == TypeId::kMap) {
      if (t.key().type->id() != TypeId::kString || k.type()->id() != TypeId::kString) {
        return Error(ast.offset, "map[key] needs a map with string keys and a string key");
      }
    } else if (t.id() == TypeId::kList) {
      if (!IsIntegral(k.type()->id())) {
        return Error(ast.offset, "list[index] needs an integer index (1 is the first)");
      }
    } else {
      return Error(ast.offset, "[...] indexes a list or a map, not " + t.ToString());
    }
    return Bound{MakeIndex(c.node, k.node)};
  }

  Result<Bound> BindOperator(const Ast& ast) {
    const std::string& op = ast.text;
    if (op == "not") {
      FLOE_ASSIGN_OR_RETURN(Bound x, Boolean(ast.args[0]));
      return Fold(MakeNot(x.node), {x}, ast.offset);
    }
    if (op == "and" || op == "or") {
      FLOE_ASSIGN_OR_RETURN(Bound a, Boolean(ast.args[0]));
      FLOE_ASSIGN_OR_RETURN(Bound b, Boolean(ast.args[1]));
      return Fold(op == "and" ? MakeAnd(a.node, b.node) : MakeOr(a.node, b.node), {a, b},
                  ast.offset);
    }
    if (op == "neg") {
      FLOE_ASSIGN_OR_RETURN(Bound x, Bind(ast.args[0]));
      const TypeId id = x.type()->id();
      if (!IsIntegral(id) && !IsFloating(id)) {
        return Error(ast.offset, "cannot negate " + x.type()->ToString());
      }
      if (id == TypeId::kFloat) {
        FLOE_ASSIGN_OR_RETURN(x, Convert(x, Type::Double(), ast.offset));
      }
      return Fold(MakeNegate(x.node), {x}, ast.offset);
    }
    FLOE_ASSIGN_OR_RETURN(Bound a, Bind(ast.args[0]));
    FLOE_ASSIGN_OR_RETURN(Bound b, Bind(ast.args[1]));
    if (op == "||") {
      std::vector<NodePtr> args;
      std::vector<Bound> operands{a, b};
      for (Bound& x : operands) {
        if (x.null_literal) return Bound{MakeNullLiteral(Type::String())};
        if (x.type()->is_nested()) {
          return Error(ast.offset, "|| takes scalars, not " + x.type()->ToString());
        }
        FLOE_ASSIGN_OR_RETURN(x, Convert(x, Type::String(), ast.offset));
        args.push_back(x.node);
      }
      NodePtr node = MakeRowFunction(Type::String(), std::move(args),
                                     [](const Args& v, int64_t r, Column* out, EvalContext&) {
                                       std::string s(v[0].Bytes(r));
                                       s += v[1].Bytes(r);
                                       out->AppendBytes(s);
                                     });
      return Fold(std::move(node), operands, ast.offset);
    }
    if (op.size() == 1 && std::string_view("+-*/%").find(op[0]) != std::string_view::npos) {
      if (a.null_literal || b.null_literal) {
        const Bound& other = a.null_literal ? b : a;
        return Bound{MakeNullLiteral(other.null_literal ? Type::Long() : other.type())};
      }
      const TypeId i = a.type()->id(), j = b.type()->id();
      if (!(IsIntegral(i) || IsFloating(i)) || !(IsIntegral(j) || IsFloating(j))) {
        const bool decimal = i == TypeId::kDecimal || j == TypeId::kDecimal;
        return Error(ast.offset,
                     fmt::format("'{}' needs numbers, not {} and {}{}", op, a.type()->ToString(),
                                 b.type()->ToString(),
                                 decimal ? " (decimal arithmetic: CAST to double)" : ""));
      }
      TypePtr type = i == TypeId::kInt && j == TypeId::kInt ? Type::Int()
                     : IsIntegral(i) && IsIntegral(j)       ? Type::Long()
                                                            : Type::Double();
      FLOE_ASSIGN_OR_RETURN(a, Convert(a, type, ast.offset));
      FLOE_ASSIGN_OR_RETURN(b, Convert(b, type, ast.offset));
      return Fold(MakeArithmetic(op[0], a.node, b.node), {a, b}, ast.offset);
    }
    return Comparison(op, std::move(a), std::move(b), ast.offset);
  }

  Result<Bound> BindCall(const Ast& ast) {
    const std::string& name = ast.text;
    if (name == "current_timestamp" || name == "now") {
      if (!ast.args.empty()) return Error(ast.offset, name + "() takes no arguments");
      return Bound{MakeCurrentTimestamp()};
    }
    if (name == "env") {
      // env('NAME'): the environment variable, read once when compiled.
      if (ast.args.size() != 1 || ast.args[0].kind != Ast::Kind::kString) {
        return Error(ast.offset, "env() takes one string literal, the variable's name");
      }
      const char* value = std::getenv(ast.args[0].text.c_str());
      if (value == nullptr) {
        return Error(ast.offset,
                     fmt::format("env('{}'): the variable is not set", ast.args[0].text));
      }
      return StringLiteral(value);
    }
    std::vector<Bound> args;
    for (const Ast& a : ast.args) {
      FLOE_ASSIGN_OR_RETURN(Bound b, Bind(a));
      args.push_back(std::move(b));
    }
    if (name == "coalesce") {
      if (args.empty()) return Error(ast.offset, "coalesce() needs arguments");
      FLOE_ASSIGN_OR_RETURN(TypePtr type, Unify(args, ast.offset));
      std::vector<NodePtr> nodes;
      for (const Bound& b : args) nodes.push_back(b.node);
      return Fold(MakeCoalesce(std::move(nodes), type), args, ast.offset);
    }
    if (name == "nullif") {
      // nullif(a, b): null where a = b, else a.
      if (args.size() != 2) return Error(ast.offset, "nullif() takes 2 arguments");
      FLOE_ASSIGN_OR_RETURN(Bound eq, Comparison("=", args[0], args[1], ast.offset));
      TypePtr type = args[0].null_literal ? args[1].type() : args[0].type();
      return Fold(MakeCase({eq.node}, {MakeNullLiteral(type)}, args[0].node, type), {args[0], eq},
                  ast.offset);
    }
    std::vector<NodePtr> nodes;
    for (Bound& b : args) {
      // A bare NULL argument of a function is a null string.
      nodes.push_back(b.node);
    }
    FLOE_ASSIGN_OR_RETURN(NodePtr node, BindFunction(name, std::move(nodes), ast.offset));
    return Fold(std::move(node), args, ast.offset);
  }

  std::string_view text_;
  const Scope& scope_;
};

}  // namespace

Result<Expression> Expression::Compile(std::string_view text, const Scope& scope) {
  FLOE_ASSIGN_OR_RETURN(Ast ast, Parse(text));
  Binder binder(text, scope);
  FLOE_ASSIGN_OR_RETURN(Bound bound, binder.Bind(ast));
  Expression e;
  e.text_ = std::string(text);
  e.root_ = bound.null_literal ? MakeNullLiteral(Type::String()) : bound.node;
  e.null_literal_ = bound.null_literal;
  return e;
}

const TypePtr& Expression::type() const {
  return root_->type();
}

bool Expression::constant() const {
  return root_->constant();
}

Result<Expression> Expression::AssignTo(const TypePtr& target) const {
  Expression e = *this;
  const Type& from = *root_->type();
  const Type& to = *target;
  if (null_literal_) {
    e.root_ = MakeNullLiteral(target);
    return e;
  }
  if (SameShape(from, to)) return e;
  const bool widens =
      (from.id() == TypeId::kInt && (to.id() == TypeId::kLong || to.id() == TypeId::kDouble)) ||
      (from.id() == TypeId::kFloat && to.id() == TypeId::kDouble) ||
      (from.id() == TypeId::kDecimal && to.id() == TypeId::kDecimal && to.scale() == from.scale() &&
       to.precision() >= from.precision());
  // A literal of another type converts when its value fits: 0 into a long,
  // 'VS' into a string, '2026-01-01' into a date.
  if (widens || (root_->constant() && CanCast(from, to))) {
    NodePtr cast = MakeCast(root_, target, false);
    if (root_->constant()) {
      RowErrors errors;
      const Vec v = EvalConstant(cast, &errors);
      if (errors.count() > 0) return Status::InvalidArgument("{}", errors.message(0));
      Column value(target);
      value.AppendFrom(v.column(), v.Row(0));
      cast = MakeLiteral(std::move(value));
    }
    e.root_ = std::move(cast);
    return e;
  }
  return Status::InvalidArgument("is a {}, and the column a {} (CAST it: CAST(... AS {}))",
                                 from.ToString(), to.ToString(), to.ToString());
}

Vec Expression::Evaluate(EvalContext& ctx, const Mask& mask) const {
  return root_->Eval(ctx, mask);
}

Vec Expression::Evaluate(EvalContext& ctx) const {
  return root_->Eval(ctx, Mask(static_cast<size_t>(ctx.num_rows), 1));
}

}  // namespace floe::stream::expr
