// Page compression (parquet-format Compression.md). A page's bytes are handed
// to the codec as they are, with no framing, except for the deprecated
// Hadoop-framed LZ4. The page header carries both sizes, so decompression
// writes into a buffer of exactly the uncompressed size and checks it fills.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "floe/format/parquet/parquet_types.h"
#include "floe/util/status.h"

namespace floe::parquet {

// Compresses input with codec and appends the result to out. level applies to
// ZSTD (its levels, negatives included), GZIP (1..9) and BROTLI (1..11); 0
// means the library's default (zstd 3, gzip 6, brotli 11). Supported:
// UNCOMPRESSED, SNAPPY, GZIP (RFC 1952 gzip framing, as parquet-java and
// pyarrow write), ZSTD, LZ4_RAW, BROTLI. LZ4 (Hadoop framing) and LZO are
// NotSupported; a level out of range is InvalidArgument.
Status Compress(CompressionCodec codec, std::span<const uint8_t> input, int level,
                std::string* out);

// Decompresses one page into output, whose size is the page header's
// uncompressed size: producing fewer or more bytes is Corruption. Never writes
// outside output; malformed input is Corruption, never a crash. GZIP accepts
// zlib or gzip headers and concatenated members; LZ4 accepts Hadoop framing
// and falls back to a raw LZ4 block; LZO is NotSupported.
Status Decompress(CompressionCodec codec, std::span<const uint8_t> input,
                  std::span<uint8_t> output);

// "zstd", "snappy", "gzip", "brotli", "lz4_raw", "none"/"uncompressed", any
// case. Everything else (the deprecated "lz4" and "lzo" included) is
// InvalidArgument: floe does not write those.
Result<CompressionCodec> ParseCompressionCodec(std::string_view name);

// Lower-case name of a codec ("zstd", "lz4_raw", ...), "unknown" for a value
// outside the enum (it may come from a file).
std::string_view CompressionCodecName(CompressionCodec codec);

}  // namespace floe::parquet
