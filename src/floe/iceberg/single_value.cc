#include "floe/iceberg/single_value.h"

#include <cstring>

#include "floe/util/decimal.h"

namespace floe::iceberg {
namespace {

template <typename T>
T LoadLittleEndian(std::string_view bytes) {
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));  // floe targets little-endian hosts
  return v;
}

}  // namespace

std::string SingleValue(const Column& column, int64_t i) {
  switch (column.type()->id()) {
    case TypeId::kDecimal:
      return DecimalToMinimalBytes(column.Value<Int128>(i));
    case TypeId::kBoolean:
      return std::string(1, column.Value<uint8_t>(i) != 0 ? '\1' : '\0');
    default:
      return std::string(column.Bytes(i));  // little-endian numbers, UTF-8, raw bytes
  }
}

Status AppendSingleValue(std::string_view bytes, Column* out) {
  const Type& type = *out->type();
  auto wrong_size = [&] {
    return Status::Corruption("a {}-byte value cannot be a {}", bytes.size(), type.ToString());
  };
  switch (type.id()) {
    case TypeId::kBoolean:
      if (bytes.size() != 1) return wrong_size();
      out->Append<uint8_t>(bytes[0] != 0 ? 1 : 0);
      return Status::OK();
    case TypeId::kInt:
    case TypeId::kDate:
      if (bytes.size() != 4) return wrong_size();
      out->Append(LoadLittleEndian<int32_t>(bytes));
      return Status::OK();
    case TypeId::kLong:
      if (bytes.size() == 4) {  // written while the column was an int
        out->Append<int64_t>(LoadLittleEndian<int32_t>(bytes));
        return Status::OK();
      }
      [[fallthrough]];
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      if (bytes.size() != 8) return wrong_size();
      out->Append(LoadLittleEndian<int64_t>(bytes));
      return Status::OK();
    case TypeId::kFloat:
      if (bytes.size() != 4) return wrong_size();
      out->Append(LoadLittleEndian<float>(bytes));
      return Status::OK();
    case TypeId::kDouble:
      if (bytes.size() == 4) {  // written while the column was a float
        out->Append<double>(LoadLittleEndian<float>(bytes));
        return Status::OK();
      }
      if (bytes.size() != 8) return wrong_size();
      out->Append(LoadLittleEndian<double>(bytes));
      return Status::OK();
    case TypeId::kDecimal: {
      if (bytes.empty() || bytes.size() > 16) return wrong_size();
      FLOE_ASSIGN_OR_RETURN(Int128 v, DecimalFromBigEndian(bytes));
      out->Append(v);
      return Status::OK();
    }
    case TypeId::kUuid:
    case TypeId::kFixed:
      if (static_cast<int64_t>(bytes.size()) != FixedWidth(type)) return wrong_size();
      out->AppendBytes(bytes);
      return Status::OK();
    case TypeId::kString:
    case TypeId::kBinary:
      out->AppendBytes(bytes);
      return Status::OK();
    default:
      return Status::InvalidArgument("{} has no single-value form", type.ToString());
  }
}

}  // namespace floe::iceberg
