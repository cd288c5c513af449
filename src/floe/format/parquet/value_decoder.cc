#include "floe/format/parquet/value_decoder.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "floe/format/parquet/encoding/byte_stream_split.h"
#include "floe/format/parquet/encoding/delta_binary_packed.h"
#include "floe/format/parquet/encoding/delta_byte_array.h"
#include "floe/format/parquet/encoding/delta_length_byte_array.h"
#include "floe/format/parquet/encoding/rle.h"
#include "floe/util/decimal.h"

namespace floe::parquet {
namespace {

constexpr int64_t kJulianEpochDay = 2440588;  // 1970-01-01 as a Julian day number
constexpr int64_t kNanosPerDay = 86'400'000'000'000;

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Makes room for `extra` more elements, growing geometrically: reserving the
// exact size on every page would copy the buffer each time.
template <typename V>
void GrowFor(V* v, size_t extra) {
  if (v->capacity() - v->size() < extra) v->reserve(std::max(v->capacity() * 2, v->size() + extra));
}

int PhysicalWidth(const LeafColumn& leaf) {
  switch (leaf.physical) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFixedLenByteArray:
      return leaf.type_length;
    default:
      return 0;  // boolean (bits) and byte arrays (length-prefixed)
  }
}

Status OutOfRange(const LeafColumn& leaf, std::string_view what) {
  return Status::Corruption("column {}: {} timestamp out of the range of {}", leaf.path.back(),
                            what, leaf.type->ToString());
}

// Appends one physical value (its PLAIN bytes without a length prefix) to
// `out`, converted to the leaf's floe type.
Status AppendPhysical(const LeafColumn& leaf, std::string_view v, Column* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  switch (leaf.conversion) {
    case ValueConversion::kNone:
      // Offsets are 32-bit, as Arrow's: a row group's strings must fit in 2 GiB.
      if (leaf.physical == PhysicalType::kByteArray &&
          out->data().size() + v.size() > size_t{INT32_MAX}) {
        return Status::NotSupported("column {}: more than 2 GiB of values in one row group",
                                    leaf.path.back());
      }
      if (leaf.physical == PhysicalType::kFixedLenByteArray &&
          static_cast<int>(v.size()) != FixedWidth(*leaf.type)) {
        return Status::Corruption("column {}: {} bytes for {}", leaf.path.back(), v.size(),
                                  leaf.type->ToString());
      }
      out->AppendBytes(v);
      return Status::OK();
    case ValueConversion::kMillisToMicros: {
      const int64_t millis =
          leaf.physical == PhysicalType::kInt32 ? Load<int32_t>(p) : Load<int64_t>(p);
      int64_t micros;
      if (__builtin_mul_overflow(millis, 1000, &micros)) return OutOfRange(leaf, "millisecond");
      out->Append<int64_t>(micros);
      return Status::OK();
    }
    case ValueConversion::kNanosToMicros:
      out->Append<int64_t>(Load<int64_t>(p) / 1000);
      return Status::OK();
    case ValueConversion::kInt96ToNanos: {
      // Any Julian day is a valid INT96, but only ~584 years fit in int64 nanoseconds.
      const int64_t nanos_of_day = Load<int64_t>(p);
      const int64_t julian_day = Load<int32_t>(p + 8);
      int64_t nanos;
      if (__builtin_mul_overflow(julian_day - kJulianEpochDay, kNanosPerDay, &nanos) ||
          __builtin_add_overflow(nanos, nanos_of_day, &nanos)) {
        return OutOfRange(leaf, "INT96");
      }
      out->Append<int64_t>(nanos);
      return Status::OK();
    }
    case ValueConversion::kUint32ToInt64:
      out->Append<int64_t>(Load<uint32_t>(p));
      return Status::OK();
    case ValueConversion::kDecimalFromInt32:
      out->Append<Int128>(Load<int32_t>(p));
      return Status::OK();
    case ValueConversion::kDecimalFromInt64:
      out->Append<Int128>(Load<int64_t>(p));
      return Status::OK();
    case ValueConversion::kDecimalFromBytes: {
      FLOE_ASSIGN_OR_RETURN(Int128 d, DecimalFromBigEndian(v));
      out->Append(d);
      return Status::OK();
    }
  }
  return Status::Internal("unknown value conversion");
}

Status TooShort(const LeafColumn& leaf, std::string_view encoding) {
  return Status::Corruption("column {}: {} values run past the end of the page", leaf.path.back(),
                            encoding);
}

Status DecodePlain(const LeafColumn& leaf, std::span<const uint8_t> data, int64_t count,
                   Column* out) {
  if (leaf.physical == PhysicalType::kBoolean) {
    if (static_cast<uint64_t>(count) > data.size() * 8) return TooShort(leaf, "PLAIN");
    for (int64_t i = 0; i < count; ++i)
      out->Append<uint8_t>((data[static_cast<size_t>(i >> 3)] >> (i & 7)) & 1);
    return Status::OK();
  }
  if (leaf.physical == PhysicalType::kByteArray && leaf.conversion == ValueConversion::kNone) {
    // Strings and binary: payloads copied back to back, offsets alongside.
    // The page's size bounds the payloads, so the buffer is sized once and
    // trimmed after.
    auto& bytes = out->mutable_data();
    auto& offsets = out->mutable_offsets();
    const size_t base = bytes.size();
    if (base + data.size() > static_cast<size_t>(INT32_MAX)) {
      return Status::NotSupported("column {}: more than 2 GiB of values in one row group",
                                  leaf.path.back());
    }
    GrowFor(&offsets, static_cast<size_t>(count));
    bytes.resize(base + data.size());
    size_t at = base, pos = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (data.size() - pos < 4) {
        bytes.resize(base);
        return TooShort(leaf, "PLAIN");
      }
      const uint32_t n = Load<uint32_t>(data.data() + pos);
      pos += 4;
      if (n > data.size() - pos) {
        bytes.resize(base);
        return TooShort(leaf, "PLAIN");
      }
      std::memcpy(bytes.data() + at, data.data() + pos, n);
      at += n;
      pos += n;
      offsets.push_back(static_cast<int32_t>(at));
    }
    bytes.resize(at);
    out->SetLength(out->length() + count, out->null_count());
    return Status::OK();
  }
  if (leaf.physical == PhysicalType::kByteArray) {
    size_t pos = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (data.size() - pos < 4) return TooShort(leaf, "PLAIN");
      const uint32_t n = Load<uint32_t>(data.data() + pos);
      pos += 4;
      if (n > data.size() - pos) return TooShort(leaf, "PLAIN");
      FLOE_RETURN_IF_ERROR(
          AppendPhysical(leaf, {reinterpret_cast<const char*>(data.data() + pos), n}, out));
      pos += n;
    }
    return Status::OK();
  }
  const auto width = static_cast<size_t>(PhysicalWidth(leaf));
  if (width == 0 || static_cast<uint64_t>(count) > data.size() / width)
    return TooShort(leaf, "PLAIN");
  if (static_cast<int>(width) == PlainColumnWidth(leaf)) {
    // Same bytes in memory as on disk: one copy for the whole page.
    auto& bytes = out->mutable_data();
    bytes.insert(bytes.end(), data.begin(),
                 data.begin() + static_cast<long>(width * static_cast<size_t>(count)));
    out->SetLength(out->length() + count, out->null_count());
    return Status::OK();
  }
  for (int64_t i = 0; i < count; ++i) {
    const auto* p = reinterpret_cast<const char*>(data.data() + static_cast<size_t>(i) * width);
    FLOE_RETURN_IF_ERROR(AppendPhysical(leaf, {p, width}, out));
  }
  return Status::OK();
}

Status DecodeDictionaryIndices(const LeafColumn& leaf, std::span<const uint8_t> data, int64_t count,
                               const Column* dictionary, Column* out) {
  if (dictionary == nullptr) {
    return Status::Corruption("column {}: dictionary-encoded page without a dictionary page",
                              leaf.path.back());
  }
  if (count == 0) return Status::OK();
  if (data.empty()) return TooShort(leaf, "RLE_DICTIONARY");
  const int width = data[0];
  if (width > 32)
    return Status::Corruption("column {}: dictionary index width {}", leaf.path.back(), width);
  RleBitPackedDecoder decoder(data.subspan(1), width);
  std::vector<uint32_t> indices(static_cast<size_t>(count));
  FLOE_RETURN_IF_ERROR(decoder.GetExactly(indices));
  // A few bytes of indices can repeat a long entry millions of times: the
  // decoded size is checked (against the limit DELTA_BYTE_ARRAY keeps too)
  // before anything is appended.
  const auto size = static_cast<uint32_t>(dictionary->length());
  const int fixed = FixedWidth(*leaf.type);
  uint64_t decoded_bytes = 0;
  for (uint32_t i : indices) {
    if (i >= size) {
      return Status::Corruption("column {}: dictionary index {} past the dictionary's {} entries",
                                leaf.path.back(), i, size);
    }
    if (fixed == 0) decoded_bytes += dictionary->Bytes(i).size();
  }
  if (fixed > 0) decoded_bytes = indices.size() * static_cast<uint64_t>(fixed);
  if (decoded_bytes > kMaxDeltaByteArrayDecodedBytes) {
    return Status::Corruption("column {}: dictionary-encoded page decodes to {} bytes, over {}",
                              leaf.path.back(), decoded_bytes, kMaxDeltaByteArrayDecodedBytes);
  }
  const uint8_t* dict_data = dictionary->data().data();
  auto& bytes = out->mutable_data();
  if (fixed > 0) {
    // Gather fixed-width entries straight into the column's buffer.
    const auto w = static_cast<size_t>(fixed);
    const size_t at = bytes.size();
    bytes.resize(at + indices.size() * w);
    uint8_t* dst = bytes.data() + at;
    if (w == 8) {
      for (uint32_t i : indices) std::memcpy(dst, dict_data + size_t{i} * 8, 8), dst += 8;
    } else if (w == 4) {
      for (uint32_t i : indices) std::memcpy(dst, dict_data + size_t{i} * 4, 4), dst += 4;
    } else {
      for (uint32_t i : indices) std::memcpy(dst, dict_data + size_t{i} * w, w), dst += w;
    }
  } else {
    // Variable width: size the data once, then copy entries and offsets.
    auto& offsets = out->mutable_offsets();
    if (bytes.size() + decoded_bytes > static_cast<size_t>(INT32_MAX)) {
      return Status::NotSupported("column {}: more than 2 GiB of values in one row group",
                                  leaf.path.back());
    }
    // Most entries are short: one fixed 16-byte copy (two moves, no libc
    // call) takes an entry whose 16 bytes from its start lie inside the
    // dictionary, into a buffer with 16 bytes of slack past the values.
    constexpr size_t kBlock = 16;
    const size_t dict_size = dictionary->data().size();
    const std::span<const int32_t> dict_offsets = dictionary->offsets();
    const size_t first_offset = offsets.size();
    offsets.resize(first_offset + indices.size());
    const size_t base = bytes.size();
    bytes.resize(base + decoded_bytes + kBlock);  // sized once; entries are copied in
    uint8_t* dst = bytes.data() + base;
    int32_t* offset = offsets.data() + first_offset;
    for (uint32_t i : indices) {
      const auto begin = static_cast<size_t>(dict_offsets[i]);
      const auto n = static_cast<size_t>(dict_offsets[i + 1]) - begin;
      if (n <= kBlock && begin + kBlock <= dict_size) {
        std::memcpy(dst, dict_data + begin, kBlock);
      } else if (n > 0) {  // empty entries may have no storage
        std::memcpy(dst, dict_data + begin, n);
      }
      dst += n;
      *offset++ = static_cast<int32_t>(dst - bytes.data());
    }
    bytes.resize(base + decoded_bytes);
  }
  out->SetLength(out->length() + count, out->null_count());
  return Status::OK();
}

Status DecodeRleBooleans(std::span<const uint8_t> data, int64_t count, Column* out) {
  size_t consumed = 0;
  FLOE_ASSIGN_OR_RETURN(auto runs, ReadLengthPrefixedRuns(data, &consumed));
  RleBitPackedDecoder decoder(runs, 1);
  std::vector<uint32_t> bits(static_cast<size_t>(count));
  FLOE_RETURN_IF_ERROR(decoder.GetExactly(bits));
  for (uint32_t b : bits) out->Append<uint8_t>(static_cast<uint8_t>(b != 0));
  return Status::OK();
}

template <typename T>
Status DecodeDeltaInts(const LeafColumn& leaf, std::span<const uint8_t> data, int64_t count,
                       Column* out) {
  std::vector<T> values;
  FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, static_cast<size_t>(count), &values));
  if (static_cast<int64_t>(values.size()) != count) {
    return Status::Corruption("column {}: DELTA_BINARY_PACKED holds {} values, page says {}",
                              leaf.path.back(), values.size(), count);
  }
  for (T v : values) {
    FLOE_RETURN_IF_ERROR(AppendPhysical(leaf, {reinterpret_cast<const char*>(&v), sizeof(T)}, out));
  }
  return Status::OK();
}

}  // namespace

Result<Column> DecodeStatisticsValue(const LeafColumn& leaf, std::string_view bytes) {
  std::string plain;
  if (leaf.physical == PhysicalType::kByteArray) {
    const auto n = static_cast<uint32_t>(bytes.size());
    plain.append(reinterpret_cast<const char*>(&n), 4);
  }
  plain += bytes;
  Column value(leaf.type);
  FLOE_RETURN_IF_ERROR(DecodeValues(leaf, Encoding::kPlain,
                                    {reinterpret_cast<const uint8_t*>(plain.data()), plain.size()},
                                    1, nullptr, &value));
  if (value.length() != 1)
    return Status::Corruption("column {}: statistics value not decodable", leaf.path.back());
  return value;
}

int PlainColumnWidth(const LeafColumn& leaf) {
  if (leaf.physical == PhysicalType::kBoolean || leaf.physical == PhysicalType::kByteArray ||
      leaf.conversion != ValueConversion::kNone)
    return 0;
  const int width = PhysicalWidth(leaf);
  return width == FixedWidth(*leaf.type) ? width : 0;
}

Status DecodeValues(const LeafColumn& leaf, Encoding encoding, std::span<const uint8_t> data,
                    int64_t count, const Column* dictionary, Column* out) {
  switch (encoding) {
    case Encoding::kPlain:
      return DecodePlain(leaf, data, count, out);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return DecodeDictionaryIndices(leaf, data, count, dictionary, out);
    case Encoding::kRle:
      if (leaf.physical != PhysicalType::kBoolean) break;
      return DecodeRleBooleans(data, count, out);
    case Encoding::kDeltaBinaryPacked:
      if (leaf.physical == PhysicalType::kInt32)
        return DecodeDeltaInts<int32_t>(leaf, data, count, out);
      if (leaf.physical == PhysicalType::kInt64)
        return DecodeDeltaInts<int64_t>(leaf, data, count, out);
      break;
    case Encoding::kDeltaLengthByteArray: {
      if (leaf.physical != PhysicalType::kByteArray) break;
      std::vector<std::string_view> values;
      FLOE_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(data, static_cast<size_t>(count), &values));
      for (std::string_view v : values) FLOE_RETURN_IF_ERROR(AppendPhysical(leaf, v, out));
      return Status::OK();
    }
    case Encoding::kDeltaByteArray: {
      if (leaf.physical != PhysicalType::kByteArray &&
          leaf.physical != PhysicalType::kFixedLenByteArray)
        break;
      ByteArrayBuffer values;
      FLOE_RETURN_IF_ERROR(DecodeDeltaByteArray(data, static_cast<size_t>(count), &values));
      for (size_t i = 0; i < values.size(); ++i)
        FLOE_RETURN_IF_ERROR(AppendPhysical(leaf, values[i], out));
      return Status::OK();
    }
    case Encoding::kByteStreamSplit: {
      const auto width = static_cast<size_t>(PhysicalWidth(leaf));
      if (width == 0 || leaf.physical == PhysicalType::kInt96) break;
      if (data.size() != width * static_cast<size_t>(count)) {
        return Status::Corruption("column {}: BYTE_STREAM_SPLIT page of {} bytes for {} values",
                                  leaf.path.back(), data.size(), count);
      }
      std::vector<uint8_t> plain(data.size());
      FLOE_RETURN_IF_ERROR(DecodeByteStreamSplit(data, width, plain));
      return DecodePlain(leaf, plain, count, out);
    }
    default:
      break;
  }
  return Status::NotSupported("column {}: encoding {} for this column type", leaf.path.back(),
                              static_cast<int>(encoding));
}

}  // namespace floe::parquet
