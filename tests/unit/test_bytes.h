// Byte helpers shared by the unit tests of binary codecs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace floe::testing {

inline std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A string of the given byte values: Bytes({0x15, 0x04}).
inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

}  // namespace floe::testing
