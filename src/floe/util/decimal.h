// Decimal values as 128-bit unscaled integers (value = unscaled * 10^-scale),
// their text form and the big-endian two's-complement bytes Parquet and
// Iceberg store them in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// "-12.345" for (-12345, 3); "0.05" for (5, 2); "123" for scale 0.
std::string FormatDecimal(Int128 unscaled, int scale);

// Parses "-12.3", "12.345", "1e3"-free plain decimal text into an unscaled
// value at `scale` (fewer fraction digits are padded; more are an error, as is
// exceeding `precision` digits).
Result<Int128> ParseDecimal(std::string_view text, int precision, int scale);

// Minimal big-endian two's complement bytes (at least one), as Iceberg's
// single-value serialization and Avro decimals use.
std::string DecimalToMinimalBytes(Int128 unscaled);
// Exactly `width` big-endian bytes (Parquet FIXED_LEN_BYTE_ARRAY decimals).
// REQUIRES: the value fits.
void DecimalToBigEndian(Int128 unscaled, int width, uint8_t* out);
// Sign-extending read of 1..16 big-endian bytes.
Result<Int128> DecimalFromBigEndian(std::string_view bytes);

// Bytes Parquet uses for a decimal of this precision in FIXED_LEN_BYTE_ARRAY.
int DecimalByteWidth(int precision);

}  // namespace floe
