#include "floe/format/parquet/dictionary.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace floe::parquet {
namespace {

// Strings of every length up to 300 (the four-lane path starts past 64),
// and for some lengths every one-byte change of one base string: the kind
// of near-duplicates a column holds.
std::vector<std::string> NearDuplicates() {
  std::vector<std::string> out;
  for (size_t n = 0; n <= 300; ++n) out.emplace_back(n, 'a');
  for (size_t n : {7, 8, 31, 64, 65, 97, 200, 1500}) {
    const std::string base(n, 'x');
    for (size_t at = 0; at < n; ++at) {
      for (char c : {'y', '\0', static_cast<char>(0x80)}) {
        std::string s = base;
        s[at] = c;
        out.push_back(std::move(s));
      }
    }
  }
  return out;
}

TEST(HashBytesTest, NearDuplicatesGetDistinctHashesAndSpreadOverSlots) {
  const std::vector<std::string> strings = NearDuplicates();
  std::set<uint64_t> hashes, low_bits;
  for (const std::string& s : strings) {
    const uint64_t h = HashBytes(s.data(), s.size());
    EXPECT_EQ(h, HashBytes(std::string(s).data(), s.size())) << "not a function of the bytes";
    hashes.insert(h);
    low_bits.insert(h & 1023);  // the slot bits of a 1024-slot dictionary
  }
  EXPECT_EQ(hashes.size(), strings.size());
  // About 1024 * (1 - e^(-strings/1024)) for a uniform hash: all but a few.
  EXPECT_GT(low_bits.size(), 1000u) << strings.size() << " strings";
}

TEST(DictionaryTest, EveryDistinctValueGetsOneIndexInFirstSeenOrder) {
  const std::vector<std::string> strings = NearDuplicates();
  Dictionary dictionary(/*byte_array=*/true);
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    ASSERT_EQ(dictionary.Insert(s, HashBytes(s.data(), s.size())), i);
  }
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    EXPECT_EQ(dictionary.Insert(s, HashBytes(s.data(), s.size())), i);
    EXPECT_EQ(dictionary.PlainEntry(static_cast<uint32_t>(i)).substr(4), s);
  }
  EXPECT_EQ(dictionary.size(), strings.size());
}

}  // namespace
}  // namespace floe::parquet
