// Puffin files (format/puffin-spec.md): blobs that do not fit in manifests,
// such as v3 deletion vectors and column statistics. A file is the magic
// "PFA1", the blobs, then a footer: magic, a UTF-8 JSON payload describing
// each blob (type, field ids, snapshot, offset, length, properties), the
// payload's 4-byte little-endian length, 4 bytes of flags and the magic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "floe/io/file.h"
#include "floe/util/status.h"

namespace floe::puffin {

inline constexpr char kDeletionVectorV1[] = "deletion-vector-v1";

struct BlobMetadata {
  std::string type;
  std::vector<int32_t> fields;  // field ids the blob was computed for
  // Unknown when a blob is written for a commit still to come: -1, as the
  // spec requires of deletion vectors.
  int64_t snapshot_id = -1;
  int64_t sequence_number = -1;
  int64_t offset = 0;  // from the start of the file
  int64_t length = 0;
  std::optional<std::string> compression_codec;
  std::map<std::string, std::string> properties;
};

struct FileMetadata {
  std::vector<BlobMetadata> blobs;
  std::map<std::string, std::string> properties;
};

// Writes a Puffin file front to back: Add each blob (uncompressed), then
// Finish writes the footer and closes the file. Not thread-safe. After an
// error the file is incomplete and the writer must not be used again.
class PuffinWriter {
 public:
  static Result<PuffinWriter> Open(std::unique_ptr<OutputFile> out);

  // Appends `bytes` as a blob described by `blob` (type, fields, snapshot,
  // properties); returns its metadata with offset and length filled.
  Result<BlobMetadata> Add(BlobMetadata blob, std::span<const uint8_t> bytes);
  // Writes the footer with the blobs added and `properties` (the spec
  // recommends "created-by"), and closes the file. Returns its size.
  Result<int64_t> Finish(std::map<std::string, std::string> properties);

 private:
  explicit PuffinWriter(std::unique_ptr<OutputFile> out) : out_(std::move(out)) {}
  std::unique_ptr<OutputFile> out_;
  std::vector<BlobMetadata> blobs_;
};

// The footer of a Puffin file of `file_size` bytes, from `tail`, the file's
// last bytes (the whole file will do): kCorruption naming what is wrong when
// the magic, payload length, flags or JSON do not describe blobs lying
// between the leading magic and the footer, or `tail` is shorter than the
// footer; kNotSupported for a compressed footer.
Result<FileMetadata> ParseFooter(std::span<const uint8_t> tail, int64_t file_size);

// Reads and parses the footer of `file` (two ranged reads at most).
Result<FileMetadata> ReadFooter(const InputFile& file);

}  // namespace floe::puffin
