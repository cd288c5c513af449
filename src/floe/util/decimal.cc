#include "floe/util/decimal.h"

#include <algorithm>

namespace floe {

std::string FormatDecimal(Int128 unscaled, int scale) {
  const bool negative = unscaled < 0;
  // Work in unsigned space: the magnitude of INT128_MIN does not fit in Int128.
  UInt128 magnitude =
      negative ? UInt128(0) - static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return negative ? "-" + digits : digits;
}

Result<Int128> ParseDecimal(std::string_view text, int precision, int scale) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid decimal({},{}) '{}': {}", precision, scale, text, why);
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return bad("no digits");
  if (static_cast<int>(fraction.size()) > scale) return bad("too many fraction digits");
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  int digit_count = 0;
  UInt128 value = 0;
  auto add = [&](std::string_view part) {
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value != 0) ++digit_count;
    }
    return true;
  };
  if (!add(whole) || !add(fraction)) return bad("not a plain decimal number");
  for (int i = static_cast<int>(fraction.size()); i < scale; ++i) {
    value *= 10;
    if (value != 0) ++digit_count;
  }
  if (digit_count > precision) return bad("more digits than the precision");
  Int128 signed_value = static_cast<Int128>(value);
  return negative ? -signed_value : signed_value;
}

std::string DecimalToMinimalBytes(Int128 unscaled) {
  uint8_t full[16];
  DecimalToBigEndian(unscaled, 16, full);
  int start = 0;
  // Drop leading bytes that only repeat the sign of the next byte.
  while (start < 15 && ((full[start] == 0x00 && (full[start + 1] & 0x80) == 0) ||
                        (full[start] == 0xFF && (full[start + 1] & 0x80) != 0))) {
    ++start;
  }
  return std::string(reinterpret_cast<const char*>(full + start), static_cast<size_t>(16 - start));
}

void DecimalToBigEndian(Int128 unscaled, int width, uint8_t* out) {
  UInt128 bits = static_cast<UInt128>(unscaled);
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(bits & 0xFF);
    bits >>= 8;
  }
}

Result<Int128> DecimalFromBigEndian(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > 16) {
    return Status::Corruption("decimal of {} bytes (expected 1 to 16)", bytes.size());
  }
  UInt128 bits = (static_cast<uint8_t>(bytes[0]) & 0x80) ? ~UInt128(0) : 0;
  for (char c : bytes) bits = (bits << 8) | static_cast<uint8_t>(c);
  return static_cast<Int128>(bits);
}

int DecimalByteWidth(int precision) {
  // The smallest n whose signed range holds 10^precision - 1: 2^(8n-1) > 10^precision - 1.
  UInt128 largest = 1;
  for (int i = 0; i < std::clamp(precision, 0, 38); ++i) largest *= 10;
  largest -= 1;
  int n = 1;
  while (n < 16 && (UInt128(1) << (8 * n - 1)) <= largest) ++n;
  return n;
}

}  // namespace floe
