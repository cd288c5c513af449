#include "floe/format/parquet/schema_mapping.h"

#include <algorithm>
#include <optional>

#include "floe/util/decimal.h"

namespace floe::parquet {
namespace {

using Kind = LogicalType::Kind;

// --- floe -> Parquet -----------------------------------------------------------

void AppendPrimitive(const Type& t, SchemaElement* e) {
  auto set = [&](PhysicalType p, std::optional<LogicalType> logical = std::nullopt,
                 std::optional<ConvertedType> converted = std::nullopt) {
    e->type = p;
    e->logical_type = logical;
    e->converted_type = converted;
  };
  switch (t.id()) {
    case TypeId::kBoolean:
      set(PhysicalType::kBoolean);
      break;
    case TypeId::kInt:
      set(PhysicalType::kInt32);
      break;
    case TypeId::kLong:
      set(PhysicalType::kInt64);
      break;
    case TypeId::kFloat:
      set(PhysicalType::kFloat);
      break;
    case TypeId::kDouble:
      set(PhysicalType::kDouble);
      break;
    case TypeId::kDate:
      set(PhysicalType::kInt32, LogicalType::Of(Kind::kDate), ConvertedType::kDate);
      break;
    // ConvertedType TIME_MICROS / TIMESTAMP_MICROS mean UTC-adjusted values, so
    // they are written only for those (parquet-format LogicalTypes.md).
    case TypeId::kTime:
      set(PhysicalType::kInt64, LogicalType::Time(false, TimeUnit::kMicros));
      break;
    case TypeId::kTimestamp:
      set(PhysicalType::kInt64, LogicalType::Timestamp(false, TimeUnit::kMicros));
      break;
    case TypeId::kTimestampTz:
      set(PhysicalType::kInt64, LogicalType::Timestamp(true, TimeUnit::kMicros),
          ConvertedType::kTimestampMicros);
      break;
    case TypeId::kTimestampNs:
      set(PhysicalType::kInt64, LogicalType::Timestamp(false, TimeUnit::kNanos));
      break;
    case TypeId::kTimestampTzNs:
      set(PhysicalType::kInt64, LogicalType::Timestamp(true, TimeUnit::kNanos));
      break;
    case TypeId::kString:
      set(PhysicalType::kByteArray, LogicalType::Of(Kind::kString), ConvertedType::kUtf8);
      break;
    case TypeId::kBinary:
      set(PhysicalType::kByteArray);
      break;
    case TypeId::kUuid:
      set(PhysicalType::kFixedLenByteArray, LogicalType::Of(Kind::kUuid));
      e->type_length = 16;
      break;
    case TypeId::kFixed:
      set(PhysicalType::kFixedLenByteArray);
      e->type_length = t.length();
      break;
    case TypeId::kDecimal: {
      const PhysicalType p = t.precision() <= 9    ? PhysicalType::kInt32
                             : t.precision() <= 18 ? PhysicalType::kInt64
                                                   : PhysicalType::kFixedLenByteArray;
      set(p, LogicalType::Decimal(t.scale(), t.precision()), ConvertedType::kDecimal);
      e->scale = t.scale();
      e->precision = t.precision();
      if (p == PhysicalType::kFixedLenByteArray) e->type_length = DecimalByteWidth(t.precision());
      break;
    }
    default:
      break;
  }
}

void AppendField(const NestedField& f, std::vector<SchemaElement>* out, bool with_id = true) {
  SchemaElement e;
  e.name = f.name;
  e.repetition_type = f.required ? Repetition::kRequired : Repetition::kOptional;
  if (with_id) e.field_id = f.id;
  const Type& t = *f.type;
  switch (t.id()) {
    case TypeId::kStruct:
      e.num_children = static_cast<int32_t>(t.fields().size());
      out->push_back(std::move(e));
      for (const NestedField& child : t.fields()) AppendField(child, out);
      return;
    case TypeId::kList: {
      e.num_children = 1;
      e.logical_type = LogicalType::Of(Kind::kList);
      e.converted_type = ConvertedType::kList;
      out->push_back(std::move(e));
      SchemaElement repeated;
      repeated.name = "list";
      repeated.repetition_type = Repetition::kRepeated;
      repeated.num_children = 1;
      out->push_back(std::move(repeated));
      NestedField element = t.element();
      element.name = "element";
      AppendField(element, out);
      return;
    }
    case TypeId::kMap: {
      e.num_children = 1;
      e.logical_type = LogicalType::Of(Kind::kMap);
      e.converted_type = ConvertedType::kMap;
      out->push_back(std::move(e));
      SchemaElement repeated;
      repeated.name = "key_value";
      repeated.repetition_type = Repetition::kRepeated;
      repeated.num_children = 2;
      out->push_back(std::move(repeated));
      NestedField key = t.key(), value = t.value();
      key.name = "key";
      key.required = true;
      value.name = "value";
      AppendField(key, out);
      AppendField(value, out);
      return;
    }
    default:
      AppendPrimitive(t, &e);
      out->push_back(std::move(e));
      return;
  }
}

// --- Parquet -> floe -----------------------------------------------------------

struct Node {
  const SchemaElement* element;
  std::vector<Node> children;
};

class TreeBuilder {
 public:
  explicit TreeBuilder(const std::vector<SchemaElement>& elements) : elements_(elements) {}

  Result<Node> Build(int depth = 0) {
    if (depth > 64) return Status::Corruption("parquet schema: nested more than 64 levels");
    if (next_ >= elements_.size())
      return Status::Corruption("parquet schema: num_children runs past the schema");
    Node node{&elements_[next_++], {}};
    const int32_t children = node.element->num_children.value_or(0);
    if (children < 0)
      return Status::Corruption("parquet schema: {} has {} children", node.element->name, children);
    if (node.element->num_children.has_value() && children == 0 && depth > 0) {
      return Status::Corruption("parquet schema: group {} has no children", node.element->name);
    }
    if (static_cast<size_t>(children) > elements_.size() - next_) {
      return Status::Corruption("parquet schema: {} claims {} children, {} elements left",
                                node.element->name, children, elements_.size() - next_);
    }
    for (int32_t i = 0; i < children; ++i) {
      FLOE_ASSIGN_OR_RETURN(Node child, Build(depth + 1));
      node.children.push_back(std::move(child));
    }
    if (!node.element->num_children.has_value() && !node.element->type.has_value() && depth > 0) {
      return Status::Corruption("parquet schema: leaf {} has no type", node.element->name);
    }
    return node;
  }
  bool AllConsumed() const { return next_ == elements_.size(); }

 private:
  const std::vector<SchemaElement>& elements_;
  size_t next_ = 0;
};

bool IsGroup(const Node& n) {
  return n.element->num_children.has_value();
}
Repetition RepetitionOf(const Node& n) {
  return n.element->repetition_type.value_or(Repetition::kOptional);
}
bool HasLogical(const Node& n, Kind k) {
  return n.element->logical_type && n.element->logical_type->kind == k;
}
bool HasConverted(const Node& n, ConvertedType c) {
  return n.element->converted_type == c;
}

class SchemaReader {
 public:
  Result<FileSchema> Read(const Node& root) {
    // Ids present in the file are kept; the rest are numbered after the largest.
    next_id_ = int64_t{std::max(0, MaxId(root))} + 1;
    FileSchema out;
    std::vector<NestedField> fields;
    for (size_t i = 0; i < root.children.size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(NestedField f,
                            Field(root.children[i], {static_cast<int>(i)}, 0, 0, {}));
      fields.push_back(std::move(f));
    }
    if (ids_exhausted_) return Status::Corruption("parquet schema: field ids run past 2147483647");
    out.schema = Schema(std::move(fields));
    out.leaves = std::move(leaves_);
    out.has_field_ids = has_ids_;
    return out;
  }

 private:
  static int32_t MaxId(const Node& n) {
    int32_t id = n.element->field_id.value_or(0);
    for (const Node& c : n.children) id = std::max(id, MaxId(c));
    return id;
  }

  int32_t IdOf(const Node& n) {
    if (n.element->field_id) return *n.element->field_id;
    has_ids_ = false;
    return NextId();
  }

  // A field named by `n`, at definition / repetition depth (def, rep) of its parent.
  Result<NestedField> Field(const Node& n, std::vector<int> field_path, int16_t def, int16_t rep,
                            std::vector<std::string> path) {
    path.push_back(n.element->name);
    NestedField f;
    f.name = n.element->name;
    f.id = IdOf(n);
    const Repetition r = RepetitionOf(n);
    if (r == Repetition::kRepeated) {
      // A repeated field outside a LIST group is a required list of itself.
      f.required = true;
      NestedField element;
      element.id = NextId();
      element.name = "element";
      element.required = true;
      auto element_path = field_path;
      element_path.push_back(0);
      FLOE_ASSIGN_OR_RETURN(element.type, TypeOf(n, element_path, static_cast<int16_t>(def + 1),
                                                 static_cast<int16_t>(rep + 1), path));
      f.type = Type::List(std::move(element));
      return f;
    }
    f.required = r == Repetition::kRequired;
    if (!f.required) ++def;
    FLOE_ASSIGN_OR_RETURN(f.type, TypeOf(n, field_path, def, rep, path));
    return f;
  }

  // The type of node `n` whose own repetition has already been counted into (def, rep).
  Result<TypePtr> TypeOf(const Node& n, const std::vector<int>& field_path, int16_t def,
                         int16_t rep, const std::vector<std::string>& path) {
    if (!IsGroup(n)) return Leaf(n, field_path, def, rep, path);
    if (HasLogical(n, Kind::kList) || HasConverted(n, ConvertedType::kList)) {
      return ListOf(n, field_path, def, rep, path);
    }
    if (HasLogical(n, Kind::kMap) || HasConverted(n, ConvertedType::kMap) ||
        HasConverted(n, ConvertedType::kMapKeyValue)) {
      return MapOf(n, field_path, def, rep, path);
    }
    std::vector<NestedField> fields;
    for (size_t i = 0; i < n.children.size(); ++i) {
      auto child_path = field_path;
      child_path.push_back(static_cast<int>(i));
      FLOE_ASSIGN_OR_RETURN(NestedField f, Field(n.children[i], child_path, def, rep, path));
      fields.push_back(std::move(f));
    }
    return Type::Struct(std::move(fields));
  }

  // LIST groups: the standard 3-level form and the legacy forms that
  // parquet-format's backward-compatibility rules describe.
  Result<TypePtr> ListOf(const Node& n, const std::vector<int>& field_path, int16_t def,
                         int16_t rep, std::vector<std::string> path) {
    if (n.children.size() != 1 || RepetitionOf(n.children[0]) != Repetition::kRepeated) {
      return Status::Corruption("parquet schema: LIST {} must have one repeated child",
                                n.element->name);
    }
    const Node& repeated = n.children[0];
    path.push_back(repeated.element->name);
    const int16_t rdef = static_cast<int16_t>(def + 1), rrep = static_cast<int16_t>(rep + 1);
    auto element_path = field_path;
    element_path.push_back(0);
    NestedField element;
    element.name = "element";
    const bool legacy_element = !IsGroup(repeated) || repeated.children.size() != 1 ||
                                repeated.element->name == "array" ||
                                repeated.element->name == n.element->name + "_tuple";
    if (legacy_element) {
      // The repeated node itself is the (required) element.
      element.id = IdOf(repeated);
      element.required = true;
      path.pop_back();
      FLOE_ASSIGN_OR_RETURN(element.type, TypeOf(repeated, element_path, rdef, rrep, path));
    } else {
      FLOE_ASSIGN_OR_RETURN(element, Field(repeated.children[0], element_path, rdef, rrep, path));
      element.name = "element";
    }
    return Type::List(std::move(element));
  }

  Result<TypePtr> MapOf(const Node& n, const std::vector<int>& field_path, int16_t def, int16_t rep,
                        std::vector<std::string> path) {
    if (n.children.size() != 1 || RepetitionOf(n.children[0]) != Repetition::kRepeated ||
        !IsGroup(n.children[0]) || n.children[0].children.empty() ||
        n.children[0].children.size() > 2) {
      return Status::Corruption("parquet schema: MAP {} must hold one repeated key/value group",
                                n.element->name);
    }
    const Node& kv = n.children[0];
    path.push_back(kv.element->name);
    const int16_t rdef = static_cast<int16_t>(def + 1), rrep = static_cast<int16_t>(rep + 1);
    auto key_path = field_path, value_path = field_path;
    key_path.push_back(0);
    value_path.push_back(1);
    FLOE_ASSIGN_OR_RETURN(NestedField key, Field(kv.children[0], key_path, rdef, rrep, path));
    key.name = "key";
    if (!key.required) return Status::NotSupported("map {} has optional keys", n.element->name);
    NestedField value;
    if (kv.children.size() == 2) {
      FLOE_ASSIGN_OR_RETURN(value, Field(kv.children[1], value_path, rdef, rrep, path));
    } else {
      return Status::NotSupported("map {} has keys only", n.element->name);
    }
    value.name = "value";
    return Type::Map(std::move(key), std::move(value));
  }

  Result<TypePtr> Leaf(const Node& n, const std::vector<int>& field_path, int16_t def, int16_t rep,
                       const std::vector<std::string>& path) {
    const SchemaElement& e = *n.element;
    LeafColumn leaf;
    leaf.path = path;
    leaf.field_path = field_path;
    leaf.max_def = def;
    leaf.max_rep = rep;
    leaf.physical = *e.type;
    leaf.type_length = e.type_length.value_or(0);
    leaf.field_id = e.field_id.value_or(0);
    FLOE_ASSIGN_OR_RETURN(leaf.type, LeafType(e, &leaf));
    leaves_.push_back(leaf);
    return leaf.type;
  }

  static Result<TypePtr> LeafType(const SchemaElement& e, LeafColumn* leaf) {
    const std::optional<LogicalType>& lt = e.logical_type;
    const auto converted = e.converted_type;
    auto is = [&](Kind k) { return lt && lt->kind == k; };
    auto unsupported = [&](std::string_view what) {
      return Status::NotSupported("parquet column {}: {} is not supported", e.name, what);
    };
    // Decimal: from the logical type, else the converted type's scale/precision.
    if (is(Kind::kDecimal) || converted == ConvertedType::kDecimal) {
      const int precision = is(Kind::kDecimal) ? lt->precision : e.precision.value_or(0);
      const int scale = is(Kind::kDecimal) ? lt->scale : e.scale.value_or(0);
      if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
        return unsupported("decimal(" + std::to_string(precision) + "," + std::to_string(scale) +
                           ")");
      }
      switch (*e.type) {
        case PhysicalType::kInt32:
          leaf->conversion = ValueConversion::kDecimalFromInt32;
          break;
        case PhysicalType::kInt64:
          leaf->conversion = ValueConversion::kDecimalFromInt64;
          break;
        case PhysicalType::kFixedLenByteArray:
        case PhysicalType::kByteArray:
          leaf->conversion = ValueConversion::kDecimalFromBytes;
          break;
        default:
          return unsupported("a decimal of this physical type");
      }
      if (*e.type == PhysicalType::kFixedLenByteArray &&
          (leaf->type_length < 1 || leaf->type_length > 16)) {
        return unsupported("a decimal wider than 16 bytes");
      }
      return Type::Decimal(precision, scale);
    }
    switch (*e.type) {
      case PhysicalType::kBoolean:
        return Type::Boolean();
      case PhysicalType::kInt32:
        if (is(Kind::kDate) || converted == ConvertedType::kDate) return Type::Date();
        if ((is(Kind::kTime) && lt->unit == TimeUnit::kMillis) ||
            converted == ConvertedType::kTimeMillis) {
          leaf->conversion = ValueConversion::kMillisToMicros;
          return Type::Time();
        }
        if ((is(Kind::kInteger) && !lt->is_signed) || converted == ConvertedType::kUint8 ||
            converted == ConvertedType::kUint16 || converted == ConvertedType::kUint32) {
          leaf->unsigned_order = true;
          if ((is(Kind::kInteger) && lt->bit_width == 32) || converted == ConvertedType::kUint32) {
            leaf->conversion = ValueConversion::kUint32ToInt64;
            return Type::Long();
          }
        }
        return Type::Int();
      case PhysicalType::kInt64:
        if (is(Kind::kTimestamp) || converted == ConvertedType::kTimestampMicros ||
            converted == ConvertedType::kTimestampMillis) {
          const bool utc = lt ? lt->is_adjusted_to_utc : true;
          const TimeUnit unit = lt                                             ? lt->unit
                                : converted == ConvertedType::kTimestampMillis ? TimeUnit::kMillis
                                                                               : TimeUnit::kMicros;
          if (unit == TimeUnit::kNanos) return utc ? Type::TimestampTzNs() : Type::TimestampNs();
          if (unit == TimeUnit::kMillis) leaf->conversion = ValueConversion::kMillisToMicros;
          return utc ? Type::TimestampTz() : Type::Timestamp();
        }
        if (is(Kind::kTime) || converted == ConvertedType::kTimeMicros) {
          if (lt && lt->unit == TimeUnit::kNanos)
            leaf->conversion = ValueConversion::kNanosToMicros;
          return Type::Time();
        }
        if ((is(Kind::kInteger) && !lt->is_signed) || converted == ConvertedType::kUint64) {
          return unsupported("UINT64");
        }
        return Type::Long();
      case PhysicalType::kInt96:
        leaf->conversion = ValueConversion::kInt96ToNanos;
        return Type::TimestampTzNs();
      case PhysicalType::kFloat:
        return Type::Float();
      case PhysicalType::kDouble:
        return Type::Double();
      case PhysicalType::kByteArray:
        if (is(Kind::kString) || is(Kind::kEnum) || is(Kind::kJson) ||
            converted == ConvertedType::kUtf8 || converted == ConvertedType::kEnum ||
            converted == ConvertedType::kJson) {
          return Type::String();
        }
        leaf->unsigned_order = true;
        return Type::Binary();
      case PhysicalType::kFixedLenByteArray:
        if (leaf->type_length < 1)
          return Status::Corruption("parquet column {}: fixed length {}", e.name,
                                    leaf->type_length);
        leaf->unsigned_order = true;
        if (is(Kind::kUuid) && leaf->type_length == 16) return Type::Uuid();
        if (is(Kind::kFloat16)) return unsupported("FLOAT16");
        return Type::Fixed(leaf->type_length);
    }
    return Status::Corruption("parquet column {}: unknown physical type {}", e.name,
                              static_cast<int>(*e.type));
  }

  std::vector<LeafColumn> leaves_;
  // Ids for fields the file left without one, after the largest it used.
  // Past INT32_MAX they would wrap; such a schema gets id 0 for them and is
  // rejected by Read.
  int32_t NextId() {
    if (next_id_ > INT32_MAX) {
      ids_exhausted_ = true;
      return 0;
    }
    return static_cast<int32_t>(next_id_++);
  }

  int64_t next_id_ = 1;
  bool ids_exhausted_ = false;
  bool has_ids_ = true;
};

}  // namespace

Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema) {
  FLOE_RETURN_IF_ERROR(schema.Validate());
  std::vector<SchemaElement> out;
  SchemaElement root;
  root.name = "table";
  root.num_children = static_cast<int32_t>(schema.fields().size());
  out.push_back(std::move(root));
  for (const NestedField& f : schema.fields()) AppendField(f, &out);
  return out;
}

Result<FileSchema> FromParquetSchema(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status::Corruption("parquet schema: empty");
  TreeBuilder builder(elements);
  FLOE_ASSIGN_OR_RETURN(Node root, builder.Build());
  if (!builder.AllConsumed())
    return Status::Corruption("parquet schema: elements after the root's children");
  if (!IsGroup(root)) return Status::Corruption("parquet schema: the root is not a group");
  return SchemaReader().Read(root);
}

}  // namespace floe::parquet
