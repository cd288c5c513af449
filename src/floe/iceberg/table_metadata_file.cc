#include <zlib.h>

#include "floe/iceberg/table_metadata.h"
#include "floe/io/file.h"

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

}  // namespace

Result<TableMetadata> ReadTableMetadataFile(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string text, ReadMetadataFileText(location));
  auto metadata = TableMetadataFromJson(text);
  if (!metadata.ok()) return metadata.status().WithContext(location);
  return metadata;
}

Result<std::string> ReadMetadataFileText(const std::string& location) {
  Result<std::string> bytes = ReadLocalFile(LocalPath(location));
  // Java writes gzip-compressed metadata (write.metadata.compression-codec=gzip)
  // as "*.gz.metadata.json"; the gzip magic tells, whatever the name.
  if (!bytes.ok() || !std::string_view(*bytes).starts_with("\x1f\x8b")) return bytes;
  auto text = Gunzip(*bytes);
  if (!text.ok()) return text.status().WithContext(location);
  return text;
}

}  // namespace floe::iceberg
