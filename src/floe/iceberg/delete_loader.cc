#include "floe/iceberg/delete_loader.h"

#include <algorithm>
#include <cstring>

#include "floe/iceberg/data_file_reader.h"

namespace floe::iceberg {
namespace {

constexpr int64_t kBatchRows = 64 * 1024;

// Column `c` of `batch` by field id, at the top level; -1 when absent.
int TopLevelColumn(const Schema& schema, int32_t id) {
  const auto& fields = schema.fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

// Slot r of `c` as key bytes: a null marker, or the value with integers
// widened to 64 bits and floats to doubles (a column promoted since the
// delete file was written compares equal), strings after their length.
void AppendKey(const Column& c, int64_t r, std::string* key) {
  if (!c.IsValid(r)) {
    key->push_back('\0');
    return;
  }
  key->push_back('\1');
  switch (c.type()->id()) {
    case TypeId::kInt:
    case TypeId::kDate: {
      const int64_t v = c.Value<int32_t>(r);
      key->append(reinterpret_cast<const char*>(&v), sizeof v);
      return;
    }
    case TypeId::kFloat: {
      const double v = c.Value<float>(r);
      key->append(reinterpret_cast<const char*>(&v), sizeof v);
      return;
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      const std::string_view b = c.Bytes(r);
      const auto n = static_cast<uint32_t>(b.size());
      key->append(reinterpret_cast<const char*>(&n), sizeof n);
      key->append(b);
      return;
    }
    default:
      key->append(c.Bytes(r));  // fixed width: long, double, timestamps, decimal, uuid, fixed
      return;
  }
}

// Whether values of `type` are compared as one int64 (integer_key_).
bool IsIntegerLike(TypeId id) {
  switch (id) {
    case TypeId::kInt:
    case TypeId::kDate:
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return true;
    default:
      return false;
  }
}

// Slot r of an integer-like column, widened. REQUIRES: valid.
int64_t IntegerAt(const Column& c, int64_t r) {
  const TypeId id = c.type()->id();
  return id == TypeId::kInt || id == TypeId::kDate ? c.Value<int32_t>(r) : c.Value<int64_t>(r);
}

}  // namespace

Result<std::vector<NestedField>> EqualityFields(const Schema& schema,
                                                const std::vector<int32_t>& ids) {
  std::vector<NestedField> out;
  for (int32_t id : ids) {
    const int at = TopLevelColumn(schema, id);
    if (at < 0) {
      if (schema.FindById(id) != nullptr) {
        return Status::NotSupported(
            "equality deletes on nested field {} (not implemented yet: top-level columns only)",
            id);
      }
      return Status::NotSupported("equality deletes on field {}, which the schema lacks", id);
    }
    const NestedField& f = schema.fields()[static_cast<size_t>(at)];
    if (f.type->is_nested()) {
      return Status::Corruption("equality deletes on {}, a {} column", f.name, f.type->ToString());
    }
    out.push_back(f);
  }
  return out;
}

Status EqualityDeletes::Apply(const RecordBatch& batch, std::span<uint8_t> keep) const {
  std::vector<const Column*> columns;
  for (int32_t id : field_ids_) {
    const int at = TopLevelColumn(batch.schema, id);
    if (at < 0) return Status::Internal("equality delete column {} was not read", id);
    columns.push_back(&batch.columns[static_cast<size_t>(at)]);
  }
  if (integer_key_) {  // one column of int64s: no key bytes, no string hashing
    const Column& c = *columns[0];
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      uint8_t& k = keep[static_cast<size_t>(r)];
      if (k && (c.IsValid(r) ? integers_.contains(IntegerAt(c, r)) : deletes_null_)) k = 0;
    }
    return Status::OK();
  }
  std::string key;
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    if (!keep[static_cast<size_t>(r)]) continue;
    key.clear();
    for (const Column* c : columns) AppendKey(*c, r, &key);
    if (keys_.contains(key)) keep[static_cast<size_t>(r)] = 0;
  }
  return Status::OK();
}

Status DeleteLoader::ReadPositionFile(const DataFile& file) {
  if (position_files_.contains(file.file_path)) return Status::OK();
  const Schema columns({NestedField(kDeleteFilePathId, "file_path", true, Type::String()),
                        NestedField(kDeletePosId, "pos", true, Type::Long())});
  std::map<std::string, std::vector<int64_t>> by_file;
  const bool never = false;
  Status s = ReadDataFile(io_, file, columns, nullptr, kBatchRows, &never, [&](RecordBatch b) {
    const Column& paths = b.columns[0];
    const Column& positions = b.columns[1];
    std::vector<int64_t>* into = nullptr;
    std::string_view last;
    for (int64_t r = 0; r < b.num_rows; ++r) {
      if (!paths.IsValid(r) || !positions.IsValid(r)) {
        return Status::Corruption("a null file_path or pos in row {}", r);
      }
      const std::string_view path = paths.Bytes(r);
      if (into == nullptr || path != last) {  // files are sorted by path: runs of one
        into = &by_file[std::string(path)];
        last = path;
      }
      into->push_back(positions.Value<int64_t>(r));
    }
    return Status::OK();
  });
  if (!s.ok()) return s.WithContext("position delete file " + file.file_path);
  position_files_.emplace(file.file_path, std::move(by_file));
  return Status::OK();
}

Result<DeletedRows> DeleteLoader::Positions(const DataFile& data,
                                            const DeleteIndex::ForFile& deletes) {
  const std::string what = "deletes of " + data.file_path;
  if (deletes.vector != nullptr) {
    const DataFile& dv = deletes.vector->data_file;
    const int64_t size = dv.content_size_in_bytes.value_or(-1);
    if (size < 12 || size > (int64_t{1} << 31)) {
      return Status::Corruption("deletion vector in {}: content_size_in_bytes {}", dv.file_path,
                                size);
    }
    FLOE_ASSIGN_OR_RETURN(auto input, io_.OpenInput(dv.file_path));
    if (*dv.content_offset < 0 || *dv.content_offset + size > input->size()) {
      return Status::Corruption("deletion vector in {}: bytes {}..{} are outside its {} bytes",
                                dv.file_path, *dv.content_offset, *dv.content_offset + size,
                                input->size());
    }
    std::string blob(static_cast<size_t>(size), '\0');
    FLOE_RETURN_IF_ERROR(
        input->ReadAt(*dv.content_offset, {reinterpret_cast<uint8_t*>(blob.data()), blob.size()}));
    Result<DeletedRows> rows = DecodeDeletionVector(blob, data.record_count, dv.record_count);
    if (!rows.ok()) {
      return rows.status().WithContext(
          fmt::format("{} at {} (for {})", dv.file_path, *dv.content_offset, data.file_path));
    }
    return rows;
  }
  DeletedRows rows;
  for (const ManifestEntry* e : deletes.positions) {
    FLOE_RETURN_IF_ERROR(ReadPositionFile(e->data_file));
    const auto& by_file = position_files_.at(e->data_file.file_path);
    auto it = by_file.find(data.file_path);
    if (it == by_file.end()) continue;
    for (int64_t p : it->second) {
      if (p < 0 || p >= data.record_count) {
        return Status::Corruption("position delete file {}: position {} of {}, which has {} rows",
                                  e->data_file.file_path, p, data.file_path, data.record_count);
      }
      rows.Add(p);
    }
  }
  rows.Finish();
  return rows;
}

Result<const EqualityDeletes*> DeleteLoader::ReadEqualityFile(const DataFile& file) {
  if (auto it = equality_files_.find(file.file_path); it != equality_files_.end()) {
    return &it->second;
  }
  EqualityDeletes deletes;
  deletes.field_ids_ = file.equality_ids;
  FLOE_ASSIGN_OR_RETURN(std::vector<NestedField> fields,
                        EqualityFields(schema_, file.equality_ids));
  // Read as the delete file has them: optional, so a null deletes null rows.
  for (NestedField& f : fields) f.required = false;
  const Schema columns(fields);
  const bool never = false;
  deletes.integer_key_ = fields.size() == 1 && IsIntegerLike(fields[0].type->id());
  if (file.record_count > 0) {
    const auto expected = static_cast<size_t>(std::min<int64_t>(file.record_count, 1 << 20));
    deletes.integer_key_ ? deletes.integers_.reserve(expected) : deletes.keys_.reserve(expected);
  }
  std::string key;
  Status s = ReadDataFile(io_, file, columns, nullptr, kBatchRows, &never, [&](RecordBatch b) {
    if (deletes.integer_key_) {
      const Column& c = b.columns[0];
      for (int64_t r = 0; r < b.num_rows; ++r) {
        if (c.IsValid(r)) {
          deletes.integers_.insert(IntegerAt(c, r));
        } else {
          deletes.deletes_null_ = true;
        }
      }
      return Status::OK();
    }
    for (int64_t r = 0; r < b.num_rows; ++r) {
      key.clear();
      for (const Column& c : b.columns) AppendKey(c, r, &key);
      deletes.keys_.insert(key);
    }
    return Status::OK();
  });
  if (!s.ok()) return s.WithContext("equality delete file " + file.file_path);
  return &equality_files_.emplace(file.file_path, std::move(deletes)).first->second;
}

Result<std::vector<const EqualityDeletes*>> DeleteLoader::Equalities(
    const DeleteIndex::ForFile& deletes) {
  std::vector<const EqualityDeletes*> out;
  for (const ManifestEntry* e : deletes.equalities) {
    FLOE_ASSIGN_OR_RETURN(const EqualityDeletes* d, ReadEqualityFile(e->data_file));
    out.push_back(d);
  }
  return out;
}

}  // namespace floe::iceberg
