// ParseExpression: a recursive-descent parser over a small tokenizer.
//
//   expr      := and (OR and)*
//   and       := unary (AND unary)*
//   unary     := NOT unary | '(' expr ')' | TRUE | FALSE | predicate
//   predicate := column tail | literal cmp column
//   tail      := cmp literal | IS [NOT] (NULL | NAN) | [NOT] IN '(' literal, ... ')'
//              | [NOT] LIKE 'text' | BETWEEN literal AND literal
#include <cctype>

#include "floe/iceberg/expression/expression.h"
#include "floe/util/strings.h"

namespace floe::iceberg {
namespace {

struct Token {
  enum class Kind : uint8_t { kName, kString, kNumber, kCompare, kLParen, kRParen, kComma, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;  // names and strings unquoted
  size_t offset = 0;
  bool quoted_name = false;  // "double quoted", never a keyword
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Expression> Parse() {
    FLOE_RETURN_IF_ERROR(Tokenize());
    FLOE_ASSIGN_OR_RETURN(Expression e, ParseOr());
    if (Peek().kind != Token::Kind::kEnd) return Error("unexpected '" + Peek().text + "'");
    return e;
  }

 private:
  using Kind = Token::Kind;

  Status Error(std::string_view why) const {
    const size_t at = pos_ < tokens_.size() ? tokens_[pos_].offset : text_.size();
    return Status::InvalidArgument(
        "filter '{}': {} at offset {} (expected e.g. \"site = 'S01' AND value >= 12.5\")", text_,
        why, at);
  }

  Status Tokenize() {
    size_t i = 0;
    while (true) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      Token t;
      t.offset = i;
      if (i == text_.size()) {
        tokens_.push_back(t);
        return Status::OK();
      }
      const char c = text_[i];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        // Dotted names ("a.b") name fields of structs.
        auto continues = [&](size_t k) {
          const unsigned char x = static_cast<unsigned char>(text_[k]);
          if (std::isalnum(x) || x == '_' || x == '$') return true;
          return x == '.' && k + 1 < text_.size() &&
                 (std::isalpha(static_cast<unsigned char>(text_[k + 1])) || text_[k + 1] == '_');
        };
        while (j < text_.size() && continues(j)) ++j;
        t.kind = Kind::kName;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (c == '\'' || c == '"') {
        // 'text' with '' for a quote; "name" with \" for a quote.
        t.kind = c == '\'' ? Kind::kString : Kind::kName;
        t.quoted_name = c == '"';
        size_t j = i + 1;
        for (;; ++j) {
          if (j >= text_.size()) {
            pos_ = tokens_.size();
            tokens_.push_back(t);
            return Error("unterminated quote");
          }
          if (c == '"' && text_[j] == '\\' && j + 1 < text_.size() && text_[j + 1] == '"') {
            t.text.push_back('"');
            ++j;
          } else if (text_[j] == c) {
            if (c == '\'' && j + 1 < text_.size() && text_[j + 1] == '\'') {
              t.text.push_back('\'');
              ++j;
            } else {
              break;
            }
          } else {
            t.text.push_back(text_[j]);
          }
        }
        i = j + 1;
      } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
                 ((c == '-' || c == '+') && i + 1 < text_.size() &&
                  (std::isdigit(static_cast<unsigned char>(text_[i + 1])) ||
                   text_[i + 1] == '.'))) {
        size_t j = i + 1;
        while (j < text_.size()) {
          const char d = text_[j];
          const bool exponent_sign =
              (d == '-' || d == '+') && (text_[j - 1] == 'e' || text_[j - 1] == 'E');
          if (!(std::isdigit(static_cast<unsigned char>(d)) || d == '.' || d == 'e' || d == 'E' ||
                exponent_sign)) {
            break;
          }
          ++j;
        }
        t.kind = Kind::kNumber;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (c == '(' || c == ')' || c == ',') {
        t.kind = c == '(' ? Kind::kLParen : (c == ')' ? Kind::kRParen : Kind::kComma);
        t.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        static constexpr std::string_view kOps[] = {"==", "!=", "<>", "<=", ">=", "=", "<", ">"};
        bool found = false;
        for (std::string_view op : kOps) {
          if (text_.substr(i).starts_with(op)) {
            t.kind = Kind::kCompare;
            t.text = std::string(op);
            i += op.size();
            found = true;
            break;
          }
        }
        if (!found) {
          pos_ = tokens_.size();
          tokens_.push_back(t);
          return Error(std::string("unexpected '") + c + "'");
        }
      } else {
        pos_ = tokens_.size();
        tokens_.push_back(t);
        return Error(std::string("unexpected '") + c + "'");
      }
      tokens_.push_back(std::move(t));
    }
  }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool IsKeyword(const Token& t, std::string_view word) const {
    return t.kind == Kind::kName && !t.quoted_name && EqualsIgnoreCase(t.text, word);
  }
  bool Accept(std::string_view keyword) {
    if (!IsKeyword(Peek(), keyword)) return false;
    ++pos_;
    return true;
  }
  Status Expect(Kind kind, std::string_view what) {
    if (Peek().kind != kind) return Error("expected " + std::string(what));
    ++pos_;
    return Status::OK();
  }

  Result<Expression> ParseOr() {
    FLOE_ASSIGN_OR_RETURN(Expression e, ParseAnd());
    while (Accept("or")) {
      FLOE_ASSIGN_OR_RETURN(Expression rhs, ParseAnd());
      e = Expression::Or(std::move(e), std::move(rhs));
    }
    return e;
  }

  Result<Expression> ParseAnd() {
    FLOE_ASSIGN_OR_RETURN(Expression e, ParseUnary());
    while (Accept("and")) {
      FLOE_ASSIGN_OR_RETURN(Expression rhs, ParseUnary());
      e = Expression::And(std::move(e), std::move(rhs));
    }
    return e;
  }

  Result<Expression> ParseUnary() {
    // NOT and parentheses recurse: bound the depth on hostile input.
    if (++depth_ > kMaxDepth) return Error("too deeply nested");
    auto e = ParseUnaryUnbounded();
    --depth_;
    return e;
  }

  Result<Expression> ParseUnaryUnbounded() {
    if (Accept("not")) {
      FLOE_ASSIGN_OR_RETURN(Expression e, ParseUnary());
      return Expression::Not(std::move(e));
    }
    if (Peek().kind == Kind::kLParen) {
      ++pos_;
      FLOE_ASSIGN_OR_RETURN(Expression e, ParseOr());
      FLOE_RETURN_IF_ERROR(Expect(Kind::kRParen, "')'"));
      return e;
    }
    if (IsKeyword(Peek(), "true") && !IsPredicateTail(Peek(1))) {
      ++pos_;
      return Expression::True();
    }
    if (IsKeyword(Peek(), "false") && !IsPredicateTail(Peek(1))) {
      ++pos_;
      return Expression::False();
    }
    return ParsePredicate();
  }

  // Whether `t` continues a predicate (so a preceding true/false is a literal).
  bool IsPredicateTail(const Token& t) const { return t.kind == Kind::kCompare; }

  static Op CompareOp(std::string_view op, bool flipped) {
    if (op == "=" || op == "==") return Op::kEq;
    if (op == "!=" || op == "<>") return Op::kNotEq;
    if (op == "<") return flipped ? Op::kGt : Op::kLt;
    if (op == "<=") return flipped ? Op::kGtEq : Op::kLtEq;
    if (op == ">") return flipped ? Op::kLt : Op::kGt;
    return flipped ? Op::kLtEq : Op::kGtEq;
  }

  bool AtLiteral() const {
    const Token& t = Peek();
    return t.kind == Kind::kString || t.kind == Kind::kNumber || IsKeyword(t, "true") ||
           IsKeyword(t, "false");
  }

  Result<std::string> ParseLiteral() {
    if (!AtLiteral()) return Error("expected a value ('text', a number, true or false)");
    const Token& t = tokens_[pos_++];
    if (t.kind == Kind::kName)
      return std::string(EqualsIgnoreCase(t.text, "true") ? "true" : "false");
    return t.text;
  }

  Result<std::string> ParseColumn() {
    if (Peek().kind != Kind::kName) return Error("expected a column name");
    return tokens_[pos_++].text;
  }

  Result<Expression> ParsePredicate() {
    // Trees are as deep as AND / OR chains are long: bound them for the
    // recursive passes over bound expressions.
    if (++predicates_ > kMaxPredicates) return Error("more than 1000 conditions");
    if (AtLiteral()) {  // literal op column
      FLOE_ASSIGN_OR_RETURN(std::string literal, ParseLiteral());
      if (Peek().kind != Kind::kCompare) return Error("expected a comparison operator");
      const std::string op = tokens_[pos_++].text;
      FLOE_ASSIGN_OR_RETURN(std::string column, ParseColumn());
      return Expression::Predicate(CompareOp(op, true), std::move(column), {std::move(literal)});
    }
    FLOE_ASSIGN_OR_RETURN(std::string column, ParseColumn());
    if (Peek().kind == Kind::kCompare) {
      const std::string op = tokens_[pos_++].text;
      FLOE_ASSIGN_OR_RETURN(std::string literal, ParseLiteral());
      return Expression::Predicate(CompareOp(op, false), std::move(column), {std::move(literal)});
    }
    if (Accept("is")) {
      const bool negated = Accept("not");
      if (Accept("null")) {
        return Expression::Predicate(negated ? Op::kNotNull : Op::kIsNull, std::move(column));
      }
      if (Accept("nan")) {
        return Expression::Predicate(negated ? Op::kNotNaN : Op::kIsNaN, std::move(column));
      }
      return Error("IS must be followed by [NOT] NULL or [NOT] NAN");
    }
    if (Accept("between")) {
      FLOE_ASSIGN_OR_RETURN(std::string low, ParseLiteral());
      if (!Accept("and")) return Error("expected AND in BETWEEN");
      FLOE_ASSIGN_OR_RETURN(std::string high, ParseLiteral());
      return Expression::And(Expression::Predicate(Op::kGtEq, column, {std::move(low)}),
                             Expression::Predicate(Op::kLtEq, column, {std::move(high)}));
    }
    const bool negated = Accept("not");
    if (Accept("in")) {
      FLOE_RETURN_IF_ERROR(Expect(Kind::kLParen, "'(' after IN"));
      std::vector<std::string> values;
      do {
        FLOE_ASSIGN_OR_RETURN(std::string v, ParseLiteral());
        values.push_back(std::move(v));
      } while (Peek().kind == Kind::kComma && ++pos_ > 0);
      FLOE_RETURN_IF_ERROR(Expect(Kind::kRParen, "')' closing IN"));
      return Expression::Predicate(negated ? Op::kNotIn : Op::kIn, std::move(column),
                                   std::move(values));
    }
    if (Accept("like")) {
      if (Peek().kind != Kind::kString) return Error("LIKE needs a 'quoted' pattern");
      const std::string& pattern = tokens_[pos_++].text;
      // Only a trailing % is a wildcard; \% is a literal percent sign.
      std::string prefix;
      bool wildcard = false;
      for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\' && i + 1 < pattern.size() && pattern[i + 1] == '%') {
          prefix.push_back('%');
          ++i;
        } else if (pattern[i] == '%') {
          if (i + 1 != pattern.size()) return Error("LIKE supports only a trailing '%'");
          wildcard = true;
        } else {
          prefix.push_back(pattern[i]);
        }
      }
      const Op op = wildcard ? (negated ? Op::kNotStartsWith : Op::kStartsWith)
                             : (negated ? Op::kNotEq : Op::kEq);
      return Expression::Predicate(op, std::move(column), {std::move(prefix)});
    }
    if (negated) return Error("expected IN or LIKE after NOT");
    return Error("expected an operator after '" + column + "'");
  }

  static constexpr int kMaxDepth = 100;  // bounds recursion on hostile input
  static constexpr int kMaxPredicates = 1000;

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int predicates_ = 0;
};

}  // namespace

Result<Expression> ParseExpression(std::string_view text) {
  return Parser(text).Parse();
}

}  // namespace floe::iceberg
