// Block compression of Avro object container files (specification, "Required
// Codecs" and "Optional Codecs"): null, deflate (raw RFC 1951, no zlib or gzip
// header), snappy (each block followed by the big-endian CRC-32 of its
// uncompressed bytes) and zstandard.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe::avro {

enum class AvroCodec : uint8_t { kNull, kDeflate, kSnappy, kZstandard };

// The name in "avro.codec": "null", "deflate", "snappy", "zstandard".
std::string_view AvroCodecName(AvroCodec codec);
// Parses a name as written in "avro.codec"; others (bzip2, xz, unknown) are
// NotSupported.
Result<AvroCodec> ParseAvroCodec(std::string_view name);

// Appends the compressed form of `input`. `level` applies to deflate (1..9)
// and zstandard; 0 is the library default.
Status CompressBlock(AvroCodec codec, std::span<const uint8_t> input, int level, std::string* out);

// Replaces `out` with the decompressed block. A result longer than
// `max_bytes` is Corruption (a small hostile block cannot claim gigabytes),
// as are malformed data and a snappy checksum mismatch.
Status DecompressBlock(AvroCodec codec, std::span<const uint8_t> input, size_t max_bytes,
                       std::string* out);

}  // namespace floe::avro
