#include <zlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "floe/iceberg/table_metadata.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {
namespace {

// Metadata files are small; a gzip member inflating past this is hostile.
constexpr size_t kMaxMetadataBytes = size_t{512} << 20;

Result<std::string> Gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::Internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() >= kMaxMetadataBytes) {
      inflateEnd(&zs);
      return Status::Corruption("gzip metadata inflates past {} bytes", kMaxMetadataBytes);
    }
    const size_t at = out.size();
    out.resize(at + (size_t{1} << 16));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    zs.avail_out = 1 << 16;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(out.size() - zs.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::Corruption("malformed gzip metadata ({})", zs.msg ? zs.msg : "inflate failed");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::Corruption("truncated gzip metadata");
    }
  }
  inflateEnd(&zs);
  return out;
}

// Parsed metadata by file, for processes that read the same files again and
// again (floe server: every commit re-reads its table's current metadata,
// and each of the commits racing it does too). Metadata files are written
// once under unique names; an entry is still checked against the file's
// size and version (io/file.h), so a file replaced behind floe's back is
// read afresh. Keyed by FileIO too: two stores may hold one location.
class ParsedMetadataCache {
 public:
  struct Key {
    const FileIO* io = nullptr;
    std::string location;
    auto operator<=>(const Key&) const = default;
  };
  struct Stamp {
    int64_t size = -1;
    uint64_t version = 0;
    bool operator==(const Stamp&) const = default;
  };

  std::shared_ptr<const TableMetadata> Find(const Key& key, const Stamp& stamp) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !(it->second.stamp == stamp)) return nullptr;
    it->second.used = ++clock_;
    return it->second.metadata;
  }

  void Insert(Key key, const Stamp& stamp, std::shared_ptr<const TableMetadata> m) {
    std::lock_guard lock(mutex_);
    entries_[std::move(key)] = Entry{stamp, std::move(m), ++clock_};
    if (entries_.size() > kCapacity) {  // drop the least recently used
      auto oldest = std::min_element(
          entries_.begin(), entries_.end(),
          [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
      entries_.erase(oldest);
    }
  }

 private:
  static constexpr size_t kCapacity = 64;
  struct Entry {
    Stamp stamp;
    std::shared_ptr<const TableMetadata> metadata;
    uint64_t used = 0;
  };
  std::mutex mutex_;
  std::map<Key, Entry> entries_;
  uint64_t clock_ = 0;
};

ParsedMetadataCache& MetadataCache() {
  static ParsedMetadataCache cache;
  return cache;
}

Result<std::string> ReadText(const InputFile& file, const std::string& location) {
  std::string bytes(static_cast<size_t>(file.size()), '\0');
  FLOE_RETURN_IF_ERROR(
      file.ReadAt(0, std::span(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size())));
  // Java writes gzip-compressed metadata (write.metadata.compression-codec=gzip)
  // as "*.gz.metadata.json"; the gzip magic tells, whatever the name.
  if (!std::string_view(bytes).starts_with("\x1f\x8b")) return bytes;
  auto text = Gunzip(bytes);
  if (!text.ok()) return text.status().WithContext(location);
  return text;
}

}  // namespace

Status WriteTableMetadataFile(FileIO& io, const std::string& location,
                              const TableMetadata& metadata) {
  FLOE_RETURN_IF_ERROR(io.WriteAtomically(location, TableMetadataToJson(metadata)));
  // Remembered under the version the store gives the file now; a failure to
  // open it only costs a parse later.
  if (auto file = io.OpenInput(location); file.ok() && (*file)->version() != 0) {
    MetadataCache().Insert({&io, location}, {(*file)->size(), (*file)->version()},
                           std::make_shared<const TableMetadata>(metadata));
  }
  return Status::OK();
}

Result<std::shared_ptr<const TableMetadata>> ReadTableMetadataFileShared(
    FileIO& io, const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(auto file, io.OpenInput(location));
  const ParsedMetadataCache::Stamp stamp{file->size(), file->version()};
  ParsedMetadataCache::Key key{&io, location};
  if (stamp.version != 0) {
    if (auto cached = MetadataCache().Find(key, stamp)) return cached;
  }
  FLOE_ASSIGN_OR_RETURN(std::string text, ReadText(*file, location));
  auto metadata = TableMetadataFromJson(text);
  if (!metadata.ok()) return metadata.status().WithContext(location);
  auto shared = std::make_shared<const TableMetadata>(*std::move(metadata));
  if (stamp.version != 0) MetadataCache().Insert(std::move(key), stamp, shared);
  return shared;
}

Result<TableMetadata> ReadTableMetadataFile(FileIO& io, const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(auto shared, ReadTableMetadataFileShared(io, location));
  return *shared;
}

Result<std::string> ReadMetadataFileText(FileIO& io, const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(auto file, io.OpenInput(location));
  return ReadText(*file, location);
}

}  // namespace floe::iceberg
