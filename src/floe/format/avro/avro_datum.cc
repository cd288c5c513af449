#include "floe/format/avro/avro_datum.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace floe::avro {
namespace {

class Encoder {
 public:
  Encoder(const AvroSchema& schema, std::string* out) : schema_(schema), out_(out) {}

  Status Encode(int index, const AvroValue& v, int depth) {
    const AvroNode& n = schema_.node(index);
    if (depth > kMaxAvroDepth) return Fail("value nested deeper than {}", kMaxAvroDepth);
    if (v.type != n.type) {
      return Fail("value of type {} where the schema has {}", AvroTypeName(v.type),
                  AvroTypeName(n.type));
    }
    switch (n.type) {
      case AvroType::kNull:
        return Status::OK();
      case AvroType::kBoolean:
        out_->push_back(v.i != 0 ? 1 : 0);
        return Status::OK();
      case AvroType::kInt:
        if (v.i < INT32_MIN || v.i > INT32_MAX) return Fail("int {} overflows 32 bits", v.i);
        AppendLong(v.i, out_);
        return Status::OK();
      case AvroType::kLong:
        AppendLong(v.i, out_);
        return Status::OK();
      case AvroType::kFloat:
        AppendFloat(static_cast<float>(v.d), out_);
        return Status::OK();
      case AvroType::kDouble:
        AppendDouble(v.d, out_);
        return Status::OK();
      case AvroType::kBytes:
      case AvroType::kString:
        AppendBytes(v.bytes, out_);
        return Status::OK();
      case AvroType::kFixed:
        if (v.bytes.size() != static_cast<size_t>(n.fixed_size)) {
          return Fail("fixed {} needs {} bytes, not {}", n.full_name, n.fixed_size, v.bytes.size());
        }
        out_->append(v.bytes);
        return Status::OK();
      case AvroType::kEnum:
        if (v.i < 0 || static_cast<size_t>(v.i) >= n.symbols.size()) {
          return Fail("enum {} has no symbol {}", n.full_name, v.i);
        }
        AppendLong(v.i, out_);
        return Status::OK();
      case AvroType::kUnion:
        if (v.i < 0 || static_cast<size_t>(v.i) >= n.children.size() || v.items.size() != 1) {
          return Fail("union value needs a branch below {} and one value", n.children.size());
        }
        AppendLong(v.i, out_);
        return Encode(n.children[static_cast<size_t>(v.i)], v.items[0], depth + 1);
      case AvroType::kRecord:
        if (v.items.size() != n.fields.size()) {
          return Fail("record {} has {} fields, the value {}", n.full_name, n.fields.size(),
                      v.items.size());
        }
        for (size_t f = 0; f < n.fields.size(); ++f) {
          path_.push_back(n.fields[f].name);
          FLOE_RETURN_IF_ERROR(Encode(n.fields[f].node, v.items[f], depth + 1));
          path_.pop_back();
        }
        return Status::OK();
      case AvroType::kArray:
      case AvroType::kMap: {
        const bool map = n.type == AvroType::kMap;
        if (map && v.keys.size() != v.items.size()) return Fail("map with unequal keys and values");
        if (!v.items.empty()) {
          AppendLong(static_cast<int64_t>(v.items.size()), out_);
          path_.push_back(map ? "{}" : "[]");
          for (size_t k = 0; k < v.items.size(); ++k) {
            if (map) AppendBytes(v.keys[k], out_);
            FLOE_RETURN_IF_ERROR(Encode(n.children[0], v.items[k], depth + 1));
          }
          path_.pop_back();
        }
        AppendLong(0, out_);
        return Status::OK();
      }
    }
    return Fail("unknown type");
  }

 private:
  template <typename... Args>
  Status Fail(fmt::format_string<Args...> format, Args&&... args) const {
    std::string path = fmt::format("{}", fmt::join(path_, "."));
    return Status::InvalidArgument("{}: {}", path.empty() ? "datum" : path,
                                   fmt::format(format, std::forward<Args>(args)...));
  }

  const AvroSchema& schema_;
  std::string* out_;
  std::vector<std::string_view> path_;
};

}  // namespace

Status EncodeDatum(const AvroSchema& schema, const AvroValue& value, std::string* out) {
  return Encoder(schema, out).Encode(schema.root, value, 0);
}

DatumDecoder::DatumDecoder(const AvroSchema& schema)
    : schema_(schema), min_size_(MinEncodedSizes(schema)) {}

Status DatumDecoder::Decode(BinaryDecoder* in, AvroValue* out) {
  path_.clear();
  zero_size_budget_ = kMaxZeroSizeItems;
  return DecodeNode(schema_.root, 0, in, out);
}

Status DatumDecoder::Fail(Status status) const {
  if (path_.empty()) return status;
  return status.WithContext(fmt::format("field {}", fmt::join(path_, ".")));
}

Status DatumDecoder::DecodeNode(int index, int depth, BinaryDecoder* in, AvroValue* out) {
  const AvroNode& n = schema_.node(index);
  if (depth > kMaxAvroDepth) {
    return Fail(Status::Corruption("datum nested deeper than {}", kMaxAvroDepth));
  }
  // Decode into `out` in place: a reader decoding record after record of one
  // schema into the same value reuses its strings and vectors.
  out->type = n.type;
  out->i = 0;
  out->d = 0;
  out->bytes.clear();
  if (n.type != AvroType::kMap) out->keys.clear();
  if (n.type != AvroType::kRecord && n.type != AvroType::kUnion && n.type != AvroType::kArray &&
      n.type != AvroType::kMap) {
    out->items.clear();
  }
  switch (n.type) {
    case AvroType::kNull:
      return Status::OK();
    case AvroType::kBoolean: {
      auto b = in->ReadBoolean();
      if (!b.ok()) return Fail(b.status());
      out->i = *b ? 1 : 0;
      return Status::OK();
    }
    case AvroType::kInt: {
      auto v = in->ReadInt();
      if (!v.ok()) return Fail(v.status());
      out->i = *v;
      return Status::OK();
    }
    case AvroType::kLong: {
      auto v = in->ReadLong();
      if (!v.ok()) return Fail(v.status());
      out->i = *v;
      return Status::OK();
    }
    case AvroType::kFloat: {
      auto v = in->ReadFloat();
      if (!v.ok()) return Fail(v.status());
      out->d = *v;
      return Status::OK();
    }
    case AvroType::kDouble: {
      auto v = in->ReadDouble();
      if (!v.ok()) return Fail(v.status());
      out->d = *v;
      return Status::OK();
    }
    case AvroType::kBytes:
    case AvroType::kString: {
      auto v = in->ReadBytes();
      if (!v.ok()) return Fail(v.status());
      out->bytes.assign(*v);
      return Status::OK();
    }
    case AvroType::kFixed: {
      auto v = in->ReadFixed(static_cast<size_t>(n.fixed_size));
      if (!v.ok()) return Fail(v.status());
      out->bytes.assign(*v);
      return Status::OK();
    }
    case AvroType::kEnum: {
      auto v = in->ReadLong();
      if (!v.ok()) return Fail(v.status());
      if (*v < 0 || static_cast<uint64_t>(*v) >= n.symbols.size()) {
        return Fail(Status::Corruption("enum {} has no symbol {}", n.full_name, *v));
      }
      out->i = *v;
      return Status::OK();
    }
    case AvroType::kUnion: {
      auto v = in->ReadLong();
      if (!v.ok()) return Fail(v.status());
      if (*v < 0 || static_cast<uint64_t>(*v) >= n.children.size()) {
        return Fail(Status::Corruption("union branch {} of {}", *v, n.children.size()));
      }
      out->i = *v;
      out->items.resize(1);
      return DecodeNode(n.children[static_cast<size_t>(*v)], depth + 1, in, &out->items[0]);
    }
    case AvroType::kRecord:
      out->items.resize(n.fields.size());
      for (size_t f = 0; f < n.fields.size(); ++f) {
        path_.push_back(n.fields[f].name);
        FLOE_RETURN_IF_ERROR(DecodeNode(n.fields[f].node, depth + 1, in, &out->items[f]));
        path_.pop_back();
      }
      return Status::OK();
    case AvroType::kArray:
    case AvroType::kMap:
      return DecodeBlocks(n.children[0], n.type == AvroType::kMap, depth, in, out);
  }
  return Fail(Status::Corruption("unknown type"));
}

// A sequence of blocks, each a count and that many items, ended by a zero
// count. A negative count is followed by the block's size in bytes.
Status DatumDecoder::DecodeBlocks(int item_node, bool is_map, int depth, BinaryDecoder* in,
                                  AvroValue* out) {
  path_.push_back(is_map ? "{}" : "[]");
  size_t decoded = 0;  // items so far; `out` may hold more from an earlier value
  const int64_t item_min = min_size_[static_cast<size_t>(item_node)] + (is_map ? 1 : 0);
  while (true) {
    auto count = in->ReadLong();
    if (!count.ok()) return Fail(count.status());
    if (*count == 0) break;
    int64_t n = *count;
    int64_t block_bytes = -1;
    if (n < 0) {
      if (n == std::numeric_limits<int64_t>::min()) {
        return Fail(Status::Corruption("block count {} out of range", n));
      }
      n = -n;
      auto size = in->ReadLong();
      if (!size.ok()) return Fail(size.status());
      if (*size < 0 || static_cast<uint64_t>(*size) > in->remaining()) {
        return Fail(Status::Corruption("block size {} with {} bytes left", *size, in->remaining()));
      }
      block_bytes = *size;
    }
    // Checked before anything is allocated for the items.
    if (item_min > 0 && n > static_cast<int64_t>(in->remaining()) / item_min) {
      return Fail(Status::Corruption("block of {} items needs at least {} bytes each, {} left", n,
                                     item_min, in->remaining()));
    }
    if (item_min == 0) {
      if (n > zero_size_budget_) {
        return Fail(Status::Corruption("block of {} empty items exceeds the limit of {}", n,
                                       kMaxZeroSizeItems));
      }
      zero_size_budget_ -= n;
    }
    const size_t start = in->position();
    const size_t old = decoded;
    decoded += static_cast<size_t>(n);
    if (out->items.size() < decoded) out->items.resize(decoded);
    if (is_map && out->keys.size() < decoded) out->keys.resize(decoded);
    for (size_t k = old; k < decoded; ++k) {
      if (is_map) {
        auto key = in->ReadBytes();
        if (!key.ok()) return Fail(key.status());
        out->keys[k].assign(*key);
      }
      FLOE_RETURN_IF_ERROR(DecodeNode(item_node, depth + 1, in, &out->items[k]));
    }
    if (block_bytes >= 0 && in->position() - start != static_cast<size_t>(block_bytes)) {
      return Fail(Status::Corruption("block says {} bytes, its items took {}", block_bytes,
                                     in->position() - start));
    }
  }
  out->items.resize(decoded);
  if (is_map) out->keys.resize(decoded);
  path_.pop_back();
  return Status::OK();
}

}  // namespace floe::avro
