#include "floe/iceberg/expression/expression.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "floe/columnar/text_rows.h"

namespace floe::iceberg {
namespace {

// A field by dotted name: top-level first, then through struct fields.
// Returns nullptr when a part is missing or not a struct.
const NestedField* FindByPath(const Schema& schema, std::string_view name) {
  if (const NestedField* f = schema.FindByName(name)) return f;
  const std::vector<NestedField>* fields = &schema.fields();
  const NestedField* found = nullptr;
  while (true) {
    const size_t dot = name.find('.');
    const std::string_view part = name.substr(0, dot);
    found = nullptr;
    for (const NestedField& f : *fields) {
      if (f.name == part) found = &f;
    }
    if (found == nullptr || dot == std::string_view::npos) return found;
    if (found->type->id() != TypeId::kStruct) return nullptr;
    fields = &found->type->fields();
    name.remove_prefix(dot + 1);
  }
}

bool IsFloating(const Type& t) {
  return t.id() == TypeId::kFloat || t.id() == TypeId::kDouble;
}

bool IsNaNSlot(const Column& c, int64_t i) {
  if (c.type()->id() == TypeId::kFloat) return std::isnan(c.Value<float>(i));
  if (c.type()->id() == TypeId::kDouble) return std::isnan(c.Value<double>(i));
  return false;
}

bool LooksLikeNumber(std::string_view s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '-' || c == '+')) {
      return false;
    }
  }
  return true;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  out.push_back('\'');
  return out;
}

std::string Literal(const std::string& text) {
  if (LooksLikeNumber(text) || text == "true" || text == "false") return text;
  return Quote(text);
}

// Literal i of a predicate as filter text: its text as written, or for
// predicates made from values (projections) the value's JSON form.
std::string LiteralText(const Expression& e, size_t i) {
  if (i < e.literals.size()) return Literal(e.literals[i]);
  if (static_cast<int64_t>(i) >= e.values.length()) return "''";
  std::string json;
  AppendJsonValue(e.values, static_cast<int64_t>(i), &json);
  if (json.size() >= 2 && json.front() == '"') return Quote(json.substr(1, json.size() - 2));
  return json;
}

size_t LiteralCount(const Expression& e) {
  return std::max(e.literals.size(), static_cast<size_t>(std::max<int64_t>(e.values.length(), 0)));
}

std::string_view OpSpelling(Op op) {
  switch (op) {
    case Op::kLt:
      return "<";
    case Op::kLtEq:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGtEq:
      return ">=";
    case Op::kEq:
      return "=";
    case Op::kNotEq:
      return "!=";
    default:
      return "?";
  }
}

}  // namespace

Op Negate(Op op) {
  switch (op) {
    case Op::kIsNull:
      return Op::kNotNull;
    case Op::kNotNull:
      return Op::kIsNull;
    case Op::kIsNaN:
      return Op::kNotNaN;
    case Op::kNotNaN:
      return Op::kIsNaN;
    case Op::kLt:
      return Op::kGtEq;
    case Op::kLtEq:
      return Op::kGt;
    case Op::kGt:
      return Op::kLtEq;
    case Op::kGtEq:
      return Op::kLt;
    case Op::kEq:
      return Op::kNotEq;
    case Op::kNotEq:
      return Op::kEq;
    case Op::kIn:
      return Op::kNotIn;
    case Op::kNotIn:
      return Op::kIn;
    case Op::kStartsWith:
      return Op::kNotStartsWith;
    case Op::kNotStartsWith:
      return Op::kStartsWith;
    default:
      return op;
  }
}

Expression Expression::Predicate(Op op, std::string column, std::vector<std::string> literals) {
  Expression e;
  e.op = op;
  e.column = std::move(column);
  e.literals = std::move(literals);
  return e;
}

Expression Expression::And(Expression a, Expression b) {
  if (a.op == Op::kFalse || b.op == Op::kFalse) return False();
  if (a.op == Op::kTrue) return b;
  if (b.op == Op::kTrue) return a;
  Expression e;
  e.op = Op::kAnd;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

Expression Expression::Or(Expression a, Expression b) {
  if (a.op == Op::kTrue || b.op == Op::kTrue) return True();
  if (a.op == Op::kFalse) return b;
  if (b.op == Op::kFalse) return a;
  Expression e;
  e.op = Op::kOr;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

Expression Expression::Not(Expression a) {
  if (a.op == Op::kTrue) return False();
  if (a.op == Op::kFalse) return True();
  Expression e;
  e.op = Op::kNot;
  e.children.push_back(std::move(a));
  return e;
}

Result<Expression> Bind(const Expression& expr, const Schema& schema) {
  switch (expr.op) {
    case Op::kTrue:
    case Op::kFalse:
      return expr;
    case Op::kAnd:
    case Op::kOr: {
      FLOE_ASSIGN_OR_RETURN(Expression a, Bind(expr.children[0], schema));
      FLOE_ASSIGN_OR_RETURN(Expression b, Bind(expr.children[1], schema));
      return expr.op == Op::kAnd ? Expression::And(std::move(a), std::move(b))
                                 : Expression::Or(std::move(a), std::move(b));
    }
    case Op::kNot: {
      FLOE_ASSIGN_OR_RETURN(Expression a, Bind(expr.children[0], schema));
      return Expression::Not(std::move(a));
    }
    default:
      break;
  }
  const NestedField* field = FindByPath(schema, expr.column);
  if (field == nullptr) return Status::NotFound("filter: no column named '{}'", expr.column);
  const Type& type = *field->type;
  if (type.is_nested()) {
    return Status::NotSupported("filter: column '{}' is {}; only primitive columns can be compared",
                                expr.column, type.ToString());
  }
  if ((expr.op == Op::kIsNaN || expr.op == Op::kNotNaN) && !IsFloating(type)) {
    return Status::InvalidArgument("filter: IS NAN needs a float or double column; '{}' is {}",
                                   expr.column, type.ToString());
  }
  if ((expr.op == Op::kStartsWith || expr.op == Op::kNotStartsWith) &&
      type.id() != TypeId::kString) {
    return Status::InvalidArgument("filter: LIKE needs a string column; '{}' is {}", expr.column,
                                   type.ToString());
  }
  // Null checks on required fields are decided by the schema.
  if (field->required && expr.op == Op::kIsNull) return Expression::False();
  if (field->required && expr.op == Op::kNotNull) return Expression::True();
  Expression bound = expr;
  bound.field_id = field->id;
  bound.values = Column(field->type);
  for (const std::string& text : expr.literals) {
    Status s = AppendValueFromText(text, &bound.values);
    if (!s.ok()) {
      return Status::InvalidArgument("filter: '{}' is not a value of column '{}' ({}): {}", text,
                                     expr.column, type.ToString(), s.message());
    }
    if (IsNaNSlot(bound.values, bound.values.length() - 1)) {
      return Status::InvalidArgument("filter: compare '{}' with NaN using IS NAN, not {}",
                                     expr.column, ToString(expr));
    }
  }
  return bound;
}

Expression RewriteNot(const Expression& expr) {
  switch (expr.op) {
    case Op::kAnd:
      return Expression::And(RewriteNot(expr.children[0]), RewriteNot(expr.children[1]));
    case Op::kOr:
      return Expression::Or(RewriteNot(expr.children[0]), RewriteNot(expr.children[1]));
    case Op::kNot: {
      const Expression& inner = expr.children[0];
      switch (inner.op) {
        case Op::kTrue:
          return Expression::False();
        case Op::kFalse:
          return Expression::True();
        case Op::kNot:
          return RewriteNot(inner.children[0]);
        case Op::kAnd:  // De Morgan
          return Expression::Or(RewriteNot(Expression::Not(inner.children[0])),
                                RewriteNot(Expression::Not(inner.children[1])));
        case Op::kOr:
          return Expression::And(RewriteNot(Expression::Not(inner.children[0])),
                                 RewriteNot(Expression::Not(inner.children[1])));
        default: {
          Expression negated = inner;
          negated.op = Negate(inner.op);
          return negated;
        }
      }
    }
    default:
      return expr;
  }
}

std::string ToString(const Expression& expr) {
  switch (expr.op) {
    case Op::kTrue:
      return "true";
    case Op::kFalse:
      return "false";
    case Op::kAnd:
      return fmt::format("({} AND {})", ToString(expr.children[0]), ToString(expr.children[1]));
    case Op::kOr:
      return fmt::format("({} OR {})", ToString(expr.children[0]), ToString(expr.children[1]));
    case Op::kNot:
      return fmt::format("NOT {}", ToString(expr.children[0]));
    case Op::kIsNull:
      return fmt::format("{} IS NULL", expr.column);
    case Op::kNotNull:
      return fmt::format("{} IS NOT NULL", expr.column);
    case Op::kIsNaN:
      return fmt::format("{} IS NAN", expr.column);
    case Op::kNotNaN:
      return fmt::format("{} IS NOT NAN", expr.column);
    case Op::kIn:
    case Op::kNotIn: {
      std::vector<std::string> values;
      for (size_t i = 0; i < LiteralCount(expr); ++i) values.push_back(LiteralText(expr, i));
      return fmt::format("{} {}IN ({})", expr.column, expr.op == Op::kIn ? "" : "NOT ",
                         fmt::join(values, ", "));
    }
    case Op::kStartsWith:
    case Op::kNotStartsWith: {
      std::string pattern;
      const std::string prefix = !expr.literals.empty()     ? expr.literals[0]
                                 : expr.values.length() > 0 ? std::string(expr.values.Bytes(0))
                                                            : std::string();
      for (char c : prefix) {
        if (c == '%') pattern.push_back('\\');
        pattern.push_back(c);
      }
      pattern.push_back('%');
      return fmt::format("{} {}LIKE {}", expr.column, expr.op == Op::kStartsWith ? "" : "NOT ",
                         Quote(pattern));
    }
    default:
      return fmt::format("{} {} {}", expr.column, OpSpelling(expr.op), LiteralText(expr, 0));
  }
}

void CollectFieldIds(const Expression& expr, std::vector<int32_t>* ids) {
  if (expr.is_predicate()) {
    ids->push_back(expr.field_id);
    return;
  }
  for (const Expression& child : expr.children) CollectFieldIds(child, ids);
}

}  // namespace floe::iceberg
