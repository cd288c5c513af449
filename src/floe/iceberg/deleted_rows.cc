#include "floe/iceberg/deleted_rows.h"

#include <roaring/roaring.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace floe::iceberg {
namespace {

constexpr uint8_t kMagic[4] = {0xD1, 0xD3, 0x39, 0x64};

uint32_t LoadBig32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 | u[3];
}
void PutBig32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift & 0xFF));
}
template <typename T>
T LoadLittle(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // little-endian hosts only (floe builds for x86-64 and arm64)
  return v;
}
template <typename T>
void PutLittle(T v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

uint32_t Crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

struct RoaringFree {
  void operator()(roaring_bitmap_t* r) const { roaring_bitmap_free(r); }
};
using Roaring = std::unique_ptr<roaring_bitmap_t, RoaringFree>;

}  // namespace

void DeletedRows::Finish() {
  std::sort(positions_.begin(), positions_.end());
  positions_.erase(std::unique(positions_.begin(), positions_.end()), positions_.end());
}

bool DeletedRows::Contains(int64_t position) const {
  return std::binary_search(positions_.begin(), positions_.end(), position);
}

void DeletedRows::Apply(int64_t first, std::span<uint8_t> keep) const {
  const int64_t end = first + static_cast<int64_t>(keep.size());
  for (auto it = std::lower_bound(positions_.begin(), positions_.end(), first);
       it != positions_.end() && *it < end; ++it) {
    keep[static_cast<size_t>(*it - first)] = 0;
  }
}

Result<DeletedRows> DecodeDeletionVector(std::string_view blob, int64_t rows, int64_t cardinality) {
  if (blob.size() < 12)
    return Status::Corruption("deletion vector: {} bytes is too short", blob.size());
  const uint32_t length = LoadBig32(blob.data());
  if (uint64_t{length} + 8 != blob.size()) {
    return Status::Corruption("deletion vector: its length says {} bytes, the blob has {}",
                              uint64_t{length} + 8, blob.size());
  }
  const std::string_view checked = blob.substr(4, length);  // magic and vector
  if (std::memcmp(checked.data(), kMagic, 4) != 0) {
    return Status::Corruption("deletion vector: bad magic");
  }
  if (Crc32(checked) != LoadBig32(blob.data() + 4 + length)) {
    return Status::Corruption("deletion vector: CRC mismatch");
  }
  std::string_view vector = checked.substr(4);
  if (vector.size() < 8) return Status::Corruption("deletion vector: no bitmap count");
  const auto bitmaps = LoadLittle<uint64_t>(vector.data());
  vector.remove_prefix(8);
  // Each bitmap takes at least its key and a cookie: a count past that is a lie.
  if (bitmaps > vector.size() / 8) {
    return Status::Corruption("deletion vector: {} bitmaps in {} bytes", bitmaps, vector.size());
  }
  std::vector<std::pair<uint32_t, Roaring>> parts;
  uint64_t total = 0;
  for (uint64_t i = 0; i < bitmaps; ++i) {
    if (vector.size() < 4) return Status::Corruption("deletion vector: truncated");
    const auto key = LoadLittle<uint32_t>(vector.data());
    vector.remove_prefix(4);
    if (key >> 31 != 0) return Status::Corruption("deletion vector: negative positions");
    if (!parts.empty() && key <= parts.back().first) {
      return Status::Corruption("deletion vector: bitmap keys out of order");
    }
    const size_t size = roaring_bitmap_portable_deserialize_size(vector.data(), vector.size());
    if (size == 0) return Status::Corruption("deletion vector: damaged bitmap {}", i);
    Roaring bitmap(roaring_bitmap_portable_deserialize_safe(vector.data(), size));
    if (bitmap == nullptr) return Status::Corruption("deletion vector: damaged bitmap {}", i);
    vector.remove_prefix(size);
    total += roaring_bitmap_get_cardinality(bitmap.get());
    parts.emplace_back(key, std::move(bitmap));
  }
  if (!vector.empty()) {
    return Status::Corruption("deletion vector: {} bytes after the bitmaps", vector.size());
  }
  // Counted before anything is expanded: positions cost memory only when
  // the manifest and the data file vouch for as many.
  if (static_cast<int64_t>(total) != cardinality) {
    return Status::Corruption("deletion vector: holds {} positions, the manifest says {}", total,
                              cardinality);
  }
  if (static_cast<int64_t>(total) > rows) {
    return Status::Corruption("deletion vector: {} positions in a file of {} rows", total, rows);
  }
  std::vector<int64_t> positions;
  positions.reserve(total);
  std::vector<uint32_t> low;
  for (const auto& [key, bitmap] : parts) {
    low.resize(roaring_bitmap_get_cardinality(bitmap.get()));
    roaring_bitmap_to_uint32_array(bitmap.get(), low.data());
    for (uint32_t l : low) {
      const int64_t p = static_cast<int64_t>(uint64_t{key} << 32 | l);
      // Checked here, not trusted from the bitmap's own claims of order.
      if (!positions.empty() && p <= positions.back()) {
        return Status::Corruption("deletion vector: positions out of order");
      }
      if (p >= rows) {
        return Status::Corruption("deletion vector: position {} is past the file's {} rows", p,
                                  rows);
      }
      positions.push_back(p);
    }
  }
  return DeletedRows(std::move(positions));
}

std::string EncodeDeletionVector(const DeletedRows& deleted) {
  std::string vector(reinterpret_cast<const char*>(kMagic), 4);
  const std::span<const int64_t> positions = deleted.positions();
  std::vector<std::pair<uint32_t, Roaring>> parts;
  std::vector<uint32_t> low;
  for (size_t i = 0; i < positions.size();) {
    const auto key = static_cast<uint32_t>(static_cast<uint64_t>(positions[i]) >> 32);
    low.clear();
    for (; i < positions.size() && static_cast<uint64_t>(positions[i]) >> 32 == key; ++i) {
      low.push_back(static_cast<uint32_t>(positions[i]));
    }
    Roaring bitmap(roaring_bitmap_of_ptr(low.size(), low.data()));
    roaring_bitmap_run_optimize(bitmap.get());
    parts.emplace_back(key, std::move(bitmap));
  }
  PutLittle<uint64_t>(parts.size(), &vector);
  for (const auto& [key, bitmap] : parts) {
    PutLittle<uint32_t>(key, &vector);
    const size_t at = vector.size();
    vector.resize(at + roaring_bitmap_portable_size_in_bytes(bitmap.get()));
    roaring_bitmap_portable_serialize(bitmap.get(), vector.data() + at);
  }
  std::string blob;
  PutBig32(static_cast<uint32_t>(vector.size()), &blob);
  blob += vector;
  PutBig32(Crc32(vector), &blob);
  return blob;
}

}  // namespace floe::iceberg
