// Pipeline expressions, parsed: the syntax tree of one expression text.
//
// The grammar (SQL's, as the people writing pipelines know it), loosest first:
//   expr     := or
//   or       := and (OR and)*
//   and      := not (AND not)*
//   not      := NOT not | test
//   test     := concat [cmp concat | IS [NOT] NULL | [NOT] IN '(' expr, ... ')'
//                       | [NOT] BETWEEN concat AND concat | [NOT] LIKE concat]
//   concat   := sum ('||' sum)*
//   sum      := product (('+' | '-') product)*
//   product  := unary (('*' | '/' | '%') unary)*
//   unary    := '-' unary | postfix
//   postfix  := primary ('::' type | '[' expr ']')*
//   primary  := literal | name | name '(' [expr, ...] ')' | '(' expr ')'
//             | CASE [expr] (WHEN expr THEN expr)+ [ELSE expr] END
//             | CAST '(' expr AS type ')' | TRY_CAST '(' expr AS type ')'
//             | DATE 'text' | TIMESTAMP 'text' | TIMESTAMPTZ 'text'
//   literal  := 'text' ('' for a quote) | 42 | 4.5 | 1e3 | TRUE | FALSE | NULL
//   name     := identifier ('.' identifier)* | "quoted name"
// Keywords and function names are case-insensitive; field names are not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/schema/type.h"
#include "floe/util/status.h"

namespace floe::stream::expr {

struct Ast {
  enum class Kind : uint8_t {
    kNull,
    kBool,      // text "true" / "false"
    kInteger,   // text: the digits
    kNumber,    // text: a number with a fraction or exponent
    kString,    // text: the unquoted value
    kTyped,     // DATE '...' etc.: text the value, type the type
    kField,     // text: the dotted name
    kCall,      // text: the function's lowercase name; args
    kOperator,  // text: "+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=",
                //       "and", "or", "not", "neg"; args the operands
    kIsNull,    // args {x}; negated: IS NOT NULL
    kIn,        // args {x, item...}
    kBetween,   // args {x, low, high}
    kLike,      // args {x, pattern}
    kCase,      // args {when, then, when, then, ..., [else]}; has_else
    kCast,      // args {x}; type; try_cast: TRY_CAST
    kIndex,     // args {x, index}: x[index]
  };
  Kind kind = Kind::kNull;
  std::string text;
  std::vector<Ast> args;
  TypePtr type;
  bool negated = false;
  bool has_else = false;
  bool try_cast = false;
  size_t offset = 0;  // where it starts in the text, for errors
  int depth = 1;      // of the tree under it
};

// Parses one expression; kInvalidArgument says what is wrong and at which
// column (1-based). Parentheses, NOT and unary minus nested deeper than
// kMaxDepth, trees deeper than kMaxTreeDepth (a + b + ... is as deep as it
// is long) and IN lists longer than kMaxInItems are refused: binding and
// evaluation recurse over the tree.
inline constexpr int kMaxDepth = 64;
inline constexpr int kMaxTreeDepth = 256;
inline constexpr size_t kMaxInItems = 256;
Result<Ast> Parse(std::string_view text);

}  // namespace floe::stream::expr
