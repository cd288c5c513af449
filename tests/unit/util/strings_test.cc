#include "floe/util/strings.h"

#include <gtest/gtest.h>

namespace floe {
namespace {

TEST(StringsTest, EqualsIgnoreCaseIsAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("NoT", "not"));
  EXPECT_FALSE(EqualsIgnoreCase("not", "nott"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));  // É and é are different bytes
}

TEST(StringsTest, PrintableTextEscapesWhatIsNotUtf8OrIsControl) {
  EXPECT_EQ(PrintableText("plain text\tand é ✓ 😀"), "plain text\tand é ✓ 😀");
  EXPECT_EQ(PrintableText("codec \"\x9b"
                          "eflate\""),
            "codec \"\\x9beflate\"");
  EXPECT_EQ(PrintableText("a\nb\x1b[31m"), "a\\x0ab\\x1b[31m");
  EXPECT_EQ(PrintableText("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(PrintableText("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(PrintableText("\xe2\x9c"), "\\xe2\\x9c");           // cut short
  EXPECT_EQ(PrintableText(std::string("a\0b", 3)), "a\\x00b");
}

}  // namespace
}  // namespace floe
