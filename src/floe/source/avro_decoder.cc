#include "floe/source/avro_decoder.h"

#include <simdjson.h>

#include <limits>
#include <span>

#include "floe/columnar/text_rows.h"
#include "floe/format/avro/avro_binary.h"
#include "floe/format/avro/avro_datum.h"
#include "floe/source/avro_plan.h"
#include "floe/util/decimal.h"

namespace floe::source {

using avro::AvroNode;
using avro::AvroSchema;
using avro::AvroType;
using avro::BinaryDecoder;

namespace {

class DatumReader {
 public:
  DatumReader(const WriterSchema& writer, std::string_view datum)
      : schema_(writer.schema),
        min_sizes_(writer.min_sizes),
        in_(std::span(reinterpret_cast<const uint8_t*>(datum.data()), datum.size())) {}

  BinaryDecoder& in() { return in_; }

  // The fields of a writer record into columns (column_of(i): table field i's).
  template <typename ColumnOf>
  Status ReadFields(const AvroStep& record, const ColumnOf& column_of, int depth) {
    if (record.op == AvroOp::kIncompatible) return Status::InvalidArgument("{}", record.error);
    for (const AvroStep& f : record.children) {
      if (f.column < 0) {
        FLOE_RETURN_IF_ERROR(Skip(f.node, depth + 1).WithContext(f.name));
      } else {
        FLOE_RETURN_IF_ERROR(Read(f, column_of(f.column), depth + 1).WithContext(f.name));
      }
    }
    for (const int i : record.missing) column_of(i)->AppendNull();
    return Status::OK();
  }

  Status Read(const AvroStep& s, Column* c, int depth) {
    switch (s.op) {
      case AvroOp::kSkip:
        return Skip(s.node, depth);
      case AvroOp::kIncompatible:
        return Status::InvalidArgument("{}", s.error);
      case AvroOp::kNull:
        if (s.required) return Status::InvalidArgument("is required, got null");
        c->AppendNull();
        return Status::OK();
      case AvroOp::kBoolean: {
        FLOE_ASSIGN_OR_RETURN(bool v, in_.ReadBoolean());
        c->Append<uint8_t>(v ? 1 : 0);
        return Status::OK();
      }
      case AvroOp::kIntToInt: {
        FLOE_ASSIGN_OR_RETURN(int32_t v, in_.ReadInt());
        c->Append(v);
        return Status::OK();
      }
      case AvroOp::kIntToLong: {
        FLOE_ASSIGN_OR_RETURN(int32_t v, in_.ReadInt());
        c->Append(static_cast<int64_t>(v) * s.factor);  // factor <= 1000: no overflow
        return Status::OK();
      }
      case AvroOp::kIntToFloat:
      case AvroOp::kIntToDouble: {
        FLOE_ASSIGN_OR_RETURN(int32_t v, in_.ReadInt());
        AppendReal(s.op == AvroOp::kIntToFloat, static_cast<double>(v), c);
        return Status::OK();
      }
      case AvroOp::kLong: {
        FLOE_ASSIGN_OR_RETURN(int64_t v, in_.ReadLong());
        int64_t scaled = v;
        if (s.factor != 1 && __builtin_mul_overflow(v, s.factor, &scaled)) {
          return Status::InvalidArgument("{} is out of range for {}", v, c->type()->ToString());
        }
        c->Append(scaled);
        return Status::OK();
      }
      case AvroOp::kLongToFloat:
      case AvroOp::kLongToDouble: {
        FLOE_ASSIGN_OR_RETURN(int64_t v, in_.ReadLong());
        AppendReal(s.op == AvroOp::kLongToFloat, static_cast<double>(v), c);
        return Status::OK();
      }
      case AvroOp::kFloat:
      case AvroOp::kFloatToDouble: {
        FLOE_ASSIGN_OR_RETURN(float v, in_.ReadFloat());
        AppendReal(s.op == AvroOp::kFloat, v, c);
        return Status::OK();
      }
      case AvroOp::kDouble: {
        FLOE_ASSIGN_OR_RETURN(double v, in_.ReadDouble());
        c->Append(v);
        return Status::OK();
      }
      case AvroOp::kString:
      case AvroOp::kStringAsText: {
        FLOE_ASSIGN_OR_RETURN(std::string_view v, ReadString());
        if (s.op == AvroOp::kStringAsText) return AppendValueFromText(v, c);
        c->AppendBytes(v);
        return Status::OK();
      }
      case AvroOp::kBytes: {
        FLOE_ASSIGN_OR_RETURN(std::string_view v, in_.ReadBytes());
        c->AppendBytes(v);
        return Status::OK();
      }
      case AvroOp::kFixed: {
        FLOE_ASSIGN_OR_RETURN(std::string_view v, in_.ReadFixed(FixedSize(s.node)));
        c->AppendBytes(v);
        return Status::OK();
      }
      case AvroOp::kDecimalBytes:
      case AvroOp::kDecimalFixed: {
        std::string_view bytes;
        if (s.op == AvroOp::kDecimalBytes) {
          FLOE_ASSIGN_OR_RETURN(bytes, in_.ReadBytes());
        } else {
          FLOE_ASSIGN_OR_RETURN(bytes, in_.ReadFixed(FixedSize(s.node)));
        }
        if (bytes.empty() || bytes.size() > 16) {
          return Status::InvalidArgument("a decimal of {} bytes is out of range", bytes.size());
        }
        FLOE_ASSIGN_OR_RETURN(Int128 v, DecimalFromBigEndian(bytes));
        if (!FitsPrecision(v, s.precision)) {
          return Status::InvalidArgument("{} has more than {} digits",
                                         FormatDecimal(v, c->type()->scale()), s.precision);
        }
        c->Append(v);
        return Status::OK();
      }
      case AvroOp::kEnum: {
        FLOE_ASSIGN_OR_RETURN(int32_t i, in_.ReadInt());
        const std::vector<std::string>& symbols = schema_.node(s.node).symbols;
        if (i < 0 || static_cast<size_t>(i) >= symbols.size()) {
          return Status::Corruption("enum index {} of {} symbols", i, symbols.size());
        }
        c->AppendBytes(symbols[static_cast<size_t>(i)]);
        return Status::OK();
      }
      case AvroOp::kRecord:
        FLOE_RETURN_IF_ERROR(ReadFields(
            s, [c](int i) { return &c->child(static_cast<size_t>(i)); }, depth));
        c->AppendStructSlot(true);
        return Status::OK();
      case AvroOp::kArray:
      case AvroOp::kMap: {
        const bool is_map = s.op == AvroOp::kMap;
        const int item = schema_.node(s.node).children[0];
        FLOE_RETURN_IF_ERROR(ForEachItem(item, is_map, [&]() -> Status {
          if (is_map) {
            FLOE_ASSIGN_OR_RETURN(std::string_view key, ReadString());
            c->child(0).AppendBytes(key);
          }
          Column* target = &c->child(is_map ? 1 : 0);
          return Read(s.children[0], target, depth + 1).WithContext(is_map ? "value" : "element");
        }));
        c->AppendListEnd();
        return Status::OK();
      }
      case AvroOp::kUnion: {
        FLOE_ASSIGN_OR_RETURN(int64_t branch, in_.ReadLong());
        if (branch < 0 || static_cast<size_t>(branch) >= s.children.size()) {
          return Status::Corruption("union branch {} of {}", branch, s.children.size());
        }
        return Read(s.children[static_cast<size_t>(branch)], c, depth);
      }
    }
    return Status::Internal("unknown plan step");
  }

  // Reads past one value of writer node `node`.
  Status Skip(int node, int depth) {
    if (depth > avro::kMaxAvroDepth) {
      return Status::Corruption("nested deeper than {}", avro::kMaxAvroDepth);
    }
    const AvroNode& n = schema_.node(node);
    switch (n.type) {
      case AvroType::kNull:
        return Status::OK();
      case AvroType::kBoolean:
        return in_.ReadBoolean().status();
      case AvroType::kInt:
      case AvroType::kLong:
      case AvroType::kEnum:
        return in_.ReadLong().status();
      case AvroType::kFloat:
        return in_.ReadFixed(4).status();
      case AvroType::kDouble:
        return in_.ReadFixed(8).status();
      case AvroType::kBytes:
      case AvroType::kString:
        return in_.ReadBytes().status();
      case AvroType::kFixed:
        return in_.ReadFixed(FixedSize(node)).status();
      case AvroType::kRecord:
        for (const avro::AvroField& f : n.fields) FLOE_RETURN_IF_ERROR(Skip(f.node, depth + 1));
        return Status::OK();
      case AvroType::kArray:
      case AvroType::kMap: {
        const bool is_map = n.type == AvroType::kMap;
        return ForEachItem(n.children[0], is_map, [&]() -> Status {
          if (is_map) FLOE_RETURN_IF_ERROR(in_.ReadBytes().status());
          return Skip(n.children[0], depth + 1);
        });
      }
      case AvroType::kUnion: {
        FLOE_ASSIGN_OR_RETURN(int64_t branch, in_.ReadLong());
        if (branch < 0 || static_cast<size_t>(branch) >= n.children.size()) {
          return Status::Corruption("union branch {} of {}", branch, n.children.size());
        }
        return Skip(n.children[static_cast<size_t>(branch)], depth + 1);
      }
    }
    return Status::Corruption("unknown Avro type");
  }

  // The scalar at `path` (JSON pointer segments) below writer node `node`.
  std::optional<std::string> Find(int node, std::span<const std::string> path, int depth) {
    if (depth > avro::kMaxAvroDepth) return std::nullopt;
    const AvroNode* n = &schema_.node(node);
    if (n->type == AvroType::kUnion) {
      Result<int64_t> branch = in_.ReadLong();
      if (!branch.ok() || *branch < 0 || static_cast<size_t>(*branch) >= n->children.size()) {
        return std::nullopt;
      }
      node = n->children[static_cast<size_t>(*branch)];
      n = &schema_.node(node);
    }
    if (path.empty()) {
      switch (n->type) {
        case AvroType::kString:
          if (Result<std::string_view> v = ReadString(); v.ok()) return std::string(*v);
          return std::nullopt;
        case AvroType::kInt:
        case AvroType::kLong:
          if (Result<int64_t> v = in_.ReadLong(); v.ok()) return std::to_string(*v);
          return std::nullopt;
        case AvroType::kBoolean:
          if (Result<bool> v = in_.ReadBoolean(); v.ok()) return *v ? "true" : "false";
          return std::nullopt;
        case AvroType::kEnum:
          if (Result<int64_t> v = in_.ReadLong();
              v.ok() && *v >= 0 && static_cast<size_t>(*v) < n->symbols.size()) {
            return n->symbols[static_cast<size_t>(*v)];
          }
          return std::nullopt;
        default:
          return std::nullopt;
      }
    }
    if (n->type != AvroType::kRecord) return std::nullopt;
    for (const avro::AvroField& f : n->fields) {
      if (f.name == path[0]) return Find(f.node, path.subspan(1), depth + 1);
      if (!Skip(f.node, depth + 1).ok()) return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  size_t FixedSize(int node) const { return static_cast<size_t>(schema_.node(node).fixed_size); }

  Result<std::string_view> ReadString() {
    FLOE_ASSIGN_OR_RETURN(std::string_view v, in_.ReadBytes());
    if (!simdjson::validate_utf8(v.data(), v.size())) {
      return Status::InvalidArgument("a string that is not UTF-8");
    }
    return v;
  }

  static void AppendReal(bool as_float, double v, Column* c) {
    if (as_float) {
      c->Append(static_cast<float>(v));
    } else {
      c->Append(v);
    }
  }

  static bool FitsPrecision(Int128 v, int precision) {
    UInt128 limit = 1;
    for (int i = 0; i < precision; ++i) limit *= 10;
    const UInt128 magnitude = v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
    return magnitude < limit;
  }

  // Calls item() once per entry of the blocks of an array or map of
  // `item_node`. Each count is checked against the bytes left before the
  // entries are read, and entries that take no bytes are budgeted.
  template <typename F>
  Status ForEachItem(int item_node, bool is_map, const F& item) {
    const int64_t min_size = min_sizes_[static_cast<size_t>(item_node)] + (is_map ? 1 : 0);
    while (true) {
      FLOE_ASSIGN_OR_RETURN(int64_t count, in_.ReadLong());
      if (count == 0) return Status::OK();
      if (count < 0) {
        if (count == std::numeric_limits<int64_t>::min()) {
          return Status::Corruption("block count out of range");
        }
        count = -count;
        FLOE_ASSIGN_OR_RETURN(int64_t block_bytes, in_.ReadLong());
        if (block_bytes < 0) return Status::Corruption("negative block size");
      }
      if (min_size > 0) {
        if (count > static_cast<int64_t>(in_.remaining()) / min_size) {
          return Status::Corruption("{} entries cannot fit in the {} bytes left", count,
                                    in_.remaining());
        }
      } else if ((zero_size_budget_ -= count) < 0) {
        return Status::Corruption("more than {} entries that take no bytes",
                                  avro::DatumDecoder::kMaxZeroSizeItems);
      }
      for (int64_t i = 0; i < count; ++i) FLOE_RETURN_IF_ERROR(item());
    }
  }

  const AvroSchema& schema_;
  const std::vector<int64_t>& min_sizes_;
  BinaryDecoder in_;
  int64_t zero_size_budget_ = avro::DatumDecoder::kMaxZeroSizeItems;
};

}  // namespace

struct AvroDecoder::Plan {
  std::shared_ptr<const WriterSchema> writer;
  Schema table;
  AvroStep root;
  // The table schema's field storage when last matched: a cheap key for the
  // common case of the same batch record after record.
  const NestedField* fields_key = nullptr;
};

AvroDecoder::AvroDecoder(std::shared_ptr<WriterSchemas> schemas, size_t max_record_bytes)
    : schemas_(std::move(schemas)), max_record_bytes_(max_record_bytes) {}
AvroDecoder::~AvroDecoder() = default;
AvroDecoder::AvroDecoder(AvroDecoder&&) noexcept = default;
AvroDecoder& AvroDecoder::operator=(AvroDecoder&&) noexcept = default;

Status AvroDecoder::Parse(std::string_view value) {
  writer_.reset();
  if (value.size() > max_record_bytes_) {
    return Status::InvalidArgument("record of {} bytes is larger than max_record_size {}",
                                   value.size(), max_record_bytes_);
  }
  int32_t id = 0;
  std::string_view datum;
  FLOE_RETURN_IF_ERROR(SplitWireFormat(value, &id, &datum));
  FLOE_ASSIGN_OR_RETURN(writer_, schemas_->Find(id));
  datum_ = datum;
  return Status::OK();
}

std::optional<std::string> AvroDecoder::Scalar(std::string_view pointer) {
  if (!writer_ || !pointer.starts_with('/')) return std::nullopt;
  if (pointer != pointer_) {  // the route is one pointer: split once, not per record
    pointer_ = pointer;
    path_.clear();
    // JSON pointer segments, ~1 and ~0 unescaped.
    for (size_t at = 1; at <= pointer.size();) {
      const size_t end = std::min(pointer.find('/', at), pointer.size());
      std::string segment;
      for (size_t i = at; i < end; ++i) {
        if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
          segment += pointer[++i] == '0' ? '~' : '/';
        } else {
          segment += pointer[i];
        }
      }
      path_.push_back(std::move(segment));
      at = end + 1;
    }
  }
  DatumReader reader(*writer_, datum_);
  return reader.Find(writer_->schema.root, path_, 0);
}

const AvroDecoder::Plan& AvroDecoder::PlanFor(const Schema& table) {
  const NestedField* key = table.fields().data();
  if (last_plan_ != nullptr && last_plan_->writer == writer_ && last_plan_->fields_key == key &&
      last_plan_->table.schema_id() == table.schema_id() &&
      last_plan_->table.fields().size() == table.fields().size()) {
    return *last_plan_;
  }
  for (const auto& plan : plans_) {
    if (plan->writer == writer_ && plan->table == table) {
      plan->fields_key = key;
      last_plan_ = plan.get();
      return *plan;
    }
  }
  // Writer schemas are few; a registry serving thousands is not held onto.
  if (plans_.size() >= 256) plans_.clear();
  auto plan = std::make_unique<Plan>();
  plan->writer = writer_;
  plan->table = table;
  plan->fields_key = key;
  plan->root = CompileAvroPlan(writer_->schema, table.fields());
  last_plan_ = plans_.emplace_back(std::move(plan)).get();
  return *last_plan_;
}

Status AvroDecoder::AppendParsed(RecordBatch* batch, bool /*unknown_keys_fail*/) {
  if (!writer_) return Status::Internal("no parsed record to append");
  const Plan& plan = PlanFor(batch->schema);
  const int64_t row = batch->num_rows;
  DatumReader reader(*writer_, datum_);
  Column* columns = batch->columns.data();
  Status status = reader.ReadFields(
      plan.root, [columns](int i) { return &columns[static_cast<size_t>(i)]; }, 0);
  if (status.ok() && !reader.in().done()) {
    status = Status::Corruption("{} bytes after the datum", reader.in().remaining());
  }
  if (!status.ok()) {
    for (Column& c : batch->columns) c.Truncate(row);
    // A datum that does not decode is not Avro of its schema at all.
    return status;
  }
  ++batch->num_rows;
  return Status::OK();
}

}  // namespace floe::source
