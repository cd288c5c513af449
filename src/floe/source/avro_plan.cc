#include "floe/source/avro_plan.h"

#include <optional>

namespace floe::source {

using avro::AvroNode;
using avro::AvroSchema;
using avro::AvroType;

std::string AvroTypeText(const AvroNode& n) {
  std::string out(avro::AvroTypeName(n.type));
  if (n.logical_type) out += " (" + *n.logical_type + ")";
  return out;
}

namespace {

// Units per second of a timestamp logical type (0: not one).
int64_t TimestampUnits(const std::optional<std::string>& logical) {
  if (!logical) return 0;
  if (*logical == "timestamp-millis" || *logical == "local-timestamp-millis") return 1000;
  if (*logical == "timestamp-micros" || *logical == "local-timestamp-micros") return 1000000;
  if (*logical == "timestamp-nanos" || *logical == "local-timestamp-nanos") return 1000000000;
  return 0;
}

class PlanCompiler {
 public:
  explicit PlanCompiler(const AvroSchema& schema) : schema_(schema) {}

  // The step reading writer node `node` into a column of `field`'s type; a
  // pair that cannot convert is a kIncompatible step, not an error, so only
  // the datums that reach it fail.
  AvroStep Compile(int node, const NestedField& field) {
    AvroStep step;
    step.node = node;
    step.required = field.required;
    const AvroNode& n = schema_.node(node);
    const Type& t = *field.type;
    const TypeId id = t.id();
    auto incompatible = [&](std::string why = {}) {
      step.op = AvroOp::kIncompatible;
      step.error = why.empty() ? "the writer's " + AvroTypeText(n) + " cannot go into a " +
                                     t.ToString() + " column"
                               : std::move(why);
      return step;
    };
    const std::optional<std::string>& logical = n.logical_type;
    switch (n.type) {
      case AvroType::kNull:
        step.op = AvroOp::kNull;
        return step;
      case AvroType::kUnion:
        step.op = AvroOp::kUnion;
        for (const int branch : n.children) step.children.push_back(Compile(branch, field));
        return step;
      case AvroType::kBoolean:
        if (id != TypeId::kBoolean) return incompatible();
        step.op = AvroOp::kBoolean;
        return step;
      case AvroType::kInt:
        if (logical == "date") {
          if (id != TypeId::kDate) return incompatible();
          step.op = AvroOp::kIntToInt;
        } else if (logical == "time-millis") {
          if (id != TypeId::kTime) return incompatible();
          step.op = AvroOp::kIntToLong;
          step.factor = 1000;
        } else if (id == TypeId::kInt) {
          step.op = AvroOp::kIntToInt;
        } else if (id == TypeId::kLong) {
          step.op = AvroOp::kIntToLong;
        } else if (id == TypeId::kFloat) {
          step.op = AvroOp::kIntToFloat;
        } else if (id == TypeId::kDouble) {
          step.op = AvroOp::kIntToDouble;
        } else {
          return incompatible();
        }
        return step;
      case AvroType::kLong:
        if (const int64_t units = TimestampUnits(logical); units != 0) {
          if (!IsTimestamp(id)) return incompatible();
          const bool nanos = id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
          const int64_t column_units = nanos ? 1000000000 : 1000000;
          if (units > column_units) {
            return incompatible("the writer's " + *logical + " would lose digits in a " +
                                t.ToString() + " column");
          }
          step.op = AvroOp::kLong;
          step.factor = column_units / units;
        } else if (logical == "time-micros") {
          if (id != TypeId::kTime) return incompatible();
          step.op = AvroOp::kLong;
        } else if (id == TypeId::kLong) {
          step.op = AvroOp::kLong;
        } else if (id == TypeId::kFloat) {
          step.op = AvroOp::kLongToFloat;
        } else if (id == TypeId::kDouble) {
          step.op = AvroOp::kLongToDouble;
        } else if (IsTimestamp(id)) {
          return incompatible("a plain long cannot go into a " + t.ToString() +
                              " column: give the writer's field a timestamp logical type");
        } else {
          return incompatible();
        }
        return step;
      case AvroType::kFloat:
        if (id != TypeId::kFloat && id != TypeId::kDouble) return incompatible();
        step.op = id == TypeId::kFloat ? AvroOp::kFloat : AvroOp::kFloatToDouble;
        return step;
      case AvroType::kDouble:
        if (id != TypeId::kDouble) return incompatible();
        step.op = AvroOp::kDouble;
        return step;
      case AvroType::kString:
        if (id == TypeId::kString) {
          step.op = AvroOp::kString;
        } else if (!t.is_nested()) {
          step.op = AvroOp::kStringAsText;
        } else {
          return incompatible();
        }
        return step;
      case AvroType::kBytes:
      case AvroType::kFixed:
        if (logical == "decimal") {
          if (id != TypeId::kDecimal || n.scale.value_or(0) != t.scale() ||
              n.precision.value_or(0) > t.precision()) {
            return incompatible();
          }
          step.op = n.type == AvroType::kBytes ? AvroOp::kDecimalBytes : AvroOp::kDecimalFixed;
          step.precision = t.precision();
        } else if (n.type == AvroType::kBytes) {
          if (id != TypeId::kBinary) return incompatible();
          step.op = AvroOp::kBytes;
        } else if (id == TypeId::kBinary || (id == TypeId::kFixed && t.length() == n.fixed_size) ||
                   (id == TypeId::kUuid && n.fixed_size == 16)) {
          step.op = AvroOp::kFixed;
        } else {
          return incompatible();
        }
        return step;
      case AvroType::kEnum:
        if (id != TypeId::kString) return incompatible();
        step.op = AvroOp::kEnum;
        return step;
      case AvroType::kRecord:
        if (id != TypeId::kStruct) return incompatible();
        return CompileRecord(node, t.fields());
      case AvroType::kArray:
        if (id != TypeId::kList) return incompatible();
        step.op = AvroOp::kArray;
        step.children.push_back(Compile(n.children[0], t.element()));
        return step;
      case AvroType::kMap:
        if (id != TypeId::kMap || t.key().type->id() != TypeId::kString) return incompatible();
        step.op = AvroOp::kMap;
        step.children.push_back(Compile(n.children[0], t.value()));
        return step;
    }
    return incompatible();
  }

  // A writer record into the fields of a struct (or of the table).
  AvroStep CompileRecord(int node, const std::vector<NestedField>& fields) {
    AvroStep step;
    step.op = AvroOp::kRecord;
    step.node = node;
    std::vector<bool> found(fields.size(), false);
    for (const avro::AvroField& f : schema_.node(node).fields) {
      size_t i = 0;
      while (i < fields.size() && fields[i].name != f.name) ++i;
      AvroStep child;
      if (i < fields.size()) {
        child = Compile(f.node, fields[i]);
        child.column = static_cast<int>(i);
        found[i] = true;
      } else {
        child.node = f.node;  // kSkip
      }
      child.name = f.name;
      step.children.push_back(std::move(child));
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (found[i]) continue;
      if (fields[i].required) {
        step.op = AvroOp::kIncompatible;
        step.error = "required field " + fields[i].name + " is not in the writer's schema";
        step.children.clear();
        return step;
      }
      step.missing.push_back(static_cast<int>(i));
    }
    return step;
  }

 private:
  const AvroSchema& schema_;
};

// Reads datums of one writer schema along a plan's steps.

}  // namespace

AvroStep CompileAvroPlan(const avro::AvroSchema& schema, const std::vector<NestedField>& fields) {
  if (schema.root_node().type != AvroType::kRecord) {
    AvroStep step;
    step.op = AvroOp::kIncompatible;
    step.error = "the writer's schema is a " + AvroTypeText(schema.root_node()) + ", not a record";
    return step;
  }
  return PlanCompiler(schema).CompileRecord(schema.root, fields);
}

}  // namespace floe::source
