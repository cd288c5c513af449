#include "floe/iceberg/expression/projection.h"

#include <limits>

#include "floe/util/decimal.h"

namespace floe::iceberg {
namespace {

using Kind = Transform::Kind;

// Slot `i` of `v` moved by `delta` (+1 or -1) in an integer-like type; nullopt
// when that overflows (no such value exists).
template <typename T>
std::optional<Column> StepBy(const Column& v, int64_t i, int delta) {
  const T x = v.Value<T>(i);
  if (delta < 0 && x == std::numeric_limits<T>::min()) return std::nullopt;
  if (delta > 0 && x == std::numeric_limits<T>::max()) return std::nullopt;
  Column out(v.type());
  out.Append<T>(delta < 0 ? x - 1 : x + 1);
  return out;
}

std::optional<Column> Step(const Column& v, int64_t i, int delta) {
  switch (v.type()->id()) {
    case TypeId::kInt:
    case TypeId::kDate:
      return StepBy<int32_t>(v, i, delta);
    case TypeId::kDecimal: {
      // Unscaled values stay far inside Int128 (38 digits): no overflow.
      Column out(v.type());
      out.Append<Int128>(v.Value<Int128>(i) + delta);
      return out;
    }
    default:
      return StepBy<int64_t>(v, i, delta);
  }
}

bool IsOrderPreserving(Kind kind) {
  return kind == Kind::kTruncate || kind == Kind::kYear || kind == Kind::kMonth ||
         kind == Kind::kDay || kind == Kind::kHour;
}

bool IsText(const Type& t) {
  return t.id() == TypeId::kString || t.id() == TypeId::kBinary;
}

int64_t CodePoints(std::string_view utf8) {
  int64_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class Projector {
 public:
  Projector(const PartitionField& field, TypePtr result_type)
      : field_(field), result_type_(std::move(result_type)) {}

  Result<Expression> Project(const Expression& pred) const {
    const Kind kind = field_.transform.kind();
    const Column& v = pred.values;
    if (kind == Kind::kVoid) return Expression::True();
    switch (pred.op) {
      case Op::kIsNull:
      case Op::kNotNull:  // every transform maps null, and only null, to null
        return Make(pred.op, Column(result_type_));
      case Op::kIsNaN:
      case Op::kNotNaN:
        return kind == Kind::kIdentity ? Make(pred.op, Column(result_type_)) : Expression::True();
      default:
        break;
    }
    if (kind == Kind::kIdentity) return Make(pred.op, Transformed(v));
    if (pred.op == Op::kEq || pred.op == Op::kIn) return Make(pred.op, Transformed(v));
    if (!IsOrderPreserving(kind)) return Expression::True();  // bucket
    const bool text = IsText(*v.type());
    switch (pred.op) {
      case Op::kLt:
      case Op::kGt: {
        // x < v means x <= v - 1 for integers (a tighter partition bound);
        // text has no predecessor, so x < v only gives T(x) <= T(v).
        const bool lt = pred.op == Op::kLt;
        const Op op = lt ? Op::kLtEq : Op::kGtEq;
        if (text) return Make(op, Transformed(v));
        std::optional<Column> stepped = Step(v, 0, lt ? -1 : 1);
        if (!stepped) return Expression::False();
        return Make(op, Transformed(*stepped));
      }
      case Op::kLtEq:
      case Op::kGtEq:
        return Make(pred.op, Transformed(v));
      case Op::kStartsWith: {
        if (kind != Kind::kTruncate || v.type()->id() != TypeId::kString) return Expression::True();
        // A prefix at least W code points long fixes the truncated value.
        if (CodePoints(v.Bytes(0)) >= field_.transform.parameter()) {
          return Make(Op::kEq, Transformed(v));
        }
        return Make(Op::kStartsWith, Transformed(v));
      }
      default:
        return Expression::True();
    }
  }

 private:
  // The transform of every literal. (Apply cannot fail: the result type
  // was checked when the projector was made.)
  Column Transformed(const Column& values) const {
    Column out(result_type_);
    (void)field_.transform.Apply(values, &out);
    return out;
  }

  Expression Make(Op op, Column values) const {
    Expression e;
    e.op = op;
    e.column = field_.name;
    e.field_id = field_.field_id;
    e.values = std::move(values);
    return e;
  }

  const PartitionField& field_;
  TypePtr result_type_;
};

}  // namespace

Result<Expression> ProjectInclusive(const Expression& expr, const PartitionSpec& spec) {
  switch (expr.op) {
    case Op::kTrue:
    case Op::kFalse:
      return expr;
    case Op::kAnd:
    case Op::kOr: {
      FLOE_ASSIGN_OR_RETURN(Expression a, ProjectInclusive(expr.children[0], spec));
      FLOE_ASSIGN_OR_RETURN(Expression b, ProjectInclusive(expr.children[1], spec));
      return expr.op == Op::kAnd ? Expression::And(std::move(a), std::move(b))
                                 : Expression::Or(std::move(a), std::move(b));
    }
    case Op::kNot:
      return Status::InvalidArgument("ProjectInclusive needs NOTs rewritten");
    default:
      break;
  }
  // Every partition field of the source column narrows the partitions.
  Expression out = Expression::True();
  for (const PartitionField& field : spec.fields) {
    if (field.source_id != expr.field_id) continue;
    auto result_type = field.transform.ResultType(expr.values.type());
    if (!result_type.ok()) continue;  // e.g. a source type changed since: no narrowing
    FLOE_ASSIGN_OR_RETURN(Expression projected,
                          Projector(field, *std::move(result_type)).Project(expr));
    out = Expression::And(std::move(out), std::move(projected));
  }
  return out;
}

}  // namespace floe::iceberg
