#include "floe/source/avro_table_schema.h"

#include <algorithm>
#include <vector>

namespace floe::source {

using avro::AvroNode;
using avro::AvroType;

namespace {

class Converter {
 public:
  explicit Converter(const avro::AvroSchema& schema) : schema_(schema) {}

  Result<std::vector<NestedField>> Fields(int node) {
    std::vector<NestedField> out;
    const AvroNode& n = schema_.node(node);
    if (std::find(open_.begin(), open_.end(), node) != open_.end()) {
      return Status::InvalidArgument("record {} contains itself: Iceberg types are finite",
                                     n.full_name);
    }
    open_.push_back(node);
    for (const avro::AvroField& f : n.fields) {
      NestedField field;
      field.id = next_id_++;
      field.name = f.name;
      field.doc = f.doc.value_or("");
      FLOE_ASSIGN_OR_RETURN(Converted c, Convert(f.node));
      field.type = std::move(c.type);
      field.required = !c.nullable;
      out.push_back(std::move(field));
    }
    open_.pop_back();
    return out;
  }

 private:
  struct Converted {
    TypePtr type;
    bool nullable = false;
  };

  Result<NestedField> Child(int node, std::string name) {
    NestedField f;
    f.id = next_id_++;
    f.name = std::move(name);
    FLOE_ASSIGN_OR_RETURN(Converted c, Convert(node));
    f.type = std::move(c.type);
    f.required = !c.nullable;
    return f;
  }

  Result<Converted> Convert(int node) {
    const AvroNode& n = schema_.node(node);
    const std::string logical = n.logical_type.value_or("");
    switch (n.type) {
      case AvroType::kUnion: {
        int value = -1;
        bool nullable = false;
        for (const int branch : n.children) {
          if (schema_.node(branch).type == AvroType::kNull) {
            nullable = true;
          } else if (value >= 0) {
            return Status::InvalidArgument(
                "a union of several types other than null has no Iceberg type");
          } else {
            value = branch;
          }
        }
        if (value < 0) return Status::InvalidArgument("a union of null alone has no Iceberg type");
        FLOE_ASSIGN_OR_RETURN(Converted c, Convert(value));
        c.nullable = c.nullable || nullable;
        return c;
      }
      case AvroType::kNull:
        return Status::InvalidArgument("a null field has no Iceberg type");
      case AvroType::kBoolean:
        return Converted{Type::Boolean()};
      case AvroType::kInt:
        if (logical == "date") return Converted{Type::Date()};
        if (logical == "time-millis") return Converted{Type::Time()};
        return Converted{Type::Int()};
      case AvroType::kLong:
        if (logical == "time-micros") return Converted{Type::Time()};
        if (logical == "timestamp-millis" || logical == "timestamp-micros") {
          return Converted{Type::TimestampTz()};
        }
        if (logical == "local-timestamp-millis" || logical == "local-timestamp-micros") {
          return Converted{Type::Timestamp()};
        }
        if (logical == "timestamp-nanos") return Converted{Type::TimestampTzNs()};
        if (logical == "local-timestamp-nanos") return Converted{Type::TimestampNs()};
        return Converted{Type::Long()};
      case AvroType::kFloat:
        return Converted{Type::Float()};
      case AvroType::kDouble:
        return Converted{Type::Double()};
      case AvroType::kString:
        return Converted{logical == "uuid" ? Type::Uuid() : Type::String()};
      case AvroType::kBytes:
      case AvroType::kFixed:
        if (logical == "decimal") {
          const int precision = n.precision.value_or(0), scale = n.scale.value_or(0);
          if (precision < 1 || precision > 38) {
            return Status::InvalidArgument("decimal precision {} is past Iceberg's 38", precision);
          }
          return Converted{Type::Decimal(precision, scale)};
        }
        if (n.type == AvroType::kBytes) return Converted{Type::Binary()};
        if (logical == "uuid" && n.fixed_size == 16) return Converted{Type::Uuid()};
        return Converted{Type::Fixed(n.fixed_size)};
      case AvroType::kEnum:
        return Converted{Type::String()};
      case AvroType::kRecord: {
        FLOE_ASSIGN_OR_RETURN(auto fields, Fields(node));
        return Converted{Type::Struct(std::move(fields))};
      }
      case AvroType::kArray: {
        FLOE_ASSIGN_OR_RETURN(NestedField element, Child(n.children[0], "element"));
        return Converted{Type::List(std::move(element))};
      }
      case AvroType::kMap: {
        NestedField key(next_id_++, "key", true, Type::String());
        FLOE_ASSIGN_OR_RETURN(NestedField value, Child(n.children[0], "value"));
        return Converted{Type::Map(std::move(key), std::move(value))};
      }
    }
    return Status::InvalidArgument("unknown Avro type");
  }

  const avro::AvroSchema& schema_;
  int32_t next_id_ = 1;
  std::vector<int> open_;  // records being converted, to refuse recursion
};

}  // namespace

Result<Schema> TableSchemaFromAvro(const avro::AvroSchema& schema) {
  if (schema.root_node().type != AvroType::kRecord) {
    return Status::InvalidArgument("the writer schema is a {}, not a record",
                                   avro::AvroTypeName(schema.root_node().type));
  }
  FLOE_ASSIGN_OR_RETURN(auto fields, Converter(schema).Fields(schema.root));
  Schema out(std::move(fields));
  FLOE_RETURN_IF_ERROR(out.Validate());
  return out;
}

}  // namespace floe::source
