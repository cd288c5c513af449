// Small string helpers shared by floe's text parsers.
#pragma once

#include <string>
#include <string_view>

namespace floe {

// `s` without leading and trailing whitespace (std::isspace in the C locale).
std::string_view TrimSpace(std::string_view s);

// ASCII case-insensitive equality (keywords such as AND, NULL, IS).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// `text` with ASCII letters lowercased (SQL dialect names, as Java's toLowerCase(Locale.ROOT)
// lowercases them for ASCII).
std::string AsciiLower(std::string_view text);

// The length of the valid UTF-8 sequence starting at s[i] (i < s.size()),
// or 0 when none starts there.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// `text` with every byte that is not part of valid UTF-8, and every control
// character but tab, written as \xNN, so it is safe to print.
std::string PrintableText(std::string_view text);

}  // namespace floe
