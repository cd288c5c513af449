// A recursive-descent parser over a small tokenizer (grammar in parse.h).
#include "floe/stream/expr/parse.h"

#include <cctype>

#include "floe/util/strings.h"

namespace floe::stream::expr {
namespace {

struct Token {
  enum class Kind : uint8_t { kName, kQuotedName, kString, kNumber, kSymbol, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t offset = 0;
};

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Ast> Run() {
    FLOE_RETURN_IF_ERROR(Tokenize());
    FLOE_ASSIGN_OR_RETURN(Ast e, Expr());
    if (Peek().kind != Token::Kind::kEnd) return Error("unexpected '" + Peek().text + "'");
    if (too_deep_) {
      return ErrorAt(too_deep_ - 1, fmt::format("an expression deeper than {}", kMaxTreeDepth));
    }
    return e;
  }

 private:
  using Kind = Token::Kind;

  Status Error(std::string_view why) const {
    const size_t at = pos_ < tokens_.size() ? tokens_[pos_].offset : text_.size();
    return Status::InvalidArgument("{} at column {}", why, at + 1);
  }
  Status ErrorAt(size_t offset, std::string_view why) const {
    return Status::InvalidArgument("{} at column {}", why, offset + 1);
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
      if (IsNameStart(c)) {
        size_t j = i;
        while (j < text_.size() &&
               (IsNameChar(text_[j]) ||
                (text_[j] == '.' && j + 1 < text_.size() && IsNameStart(text_[j + 1])))) {
          ++j;
        }
        t.kind = Kind::kName;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (c == '\'' || c == '"') {
        // 'text' and "name", a doubled quote standing for itself.
        t.kind = c == '\'' ? Kind::kString : Kind::kQuotedName;
        size_t j = i + 1;
        for (;; ++j) {
          if (j >= text_.size()) return ErrorAt(i, "unterminated quote");
          if (text_[j] == c) {
            if (j + 1 < text_.size() && text_[j + 1] == c) {
              t.text.push_back(c);
              ++j;
              continue;
            }
            break;
          }
          t.text.push_back(text_[j]);
        }
        i = j + 1;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < text_.size() &&
                  std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        if (j < text_.size() && text_[j] == '.') {
          ++j;
          while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        }
        if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
          size_t k = j + 1;
          if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
          if (k < text_.size() && std::isdigit(static_cast<unsigned char>(text_[k]))) {
            j = k;
            while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
          }
        }
        if (j < text_.size() && IsNameChar(text_[j])) return ErrorAt(i, "malformed number");
        t.kind = Kind::kNumber;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else {
        static constexpr std::string_view kSymbols[] = {
            "||", "::", "<>", "!=", "<=", ">=", "==", "+", "-", "*",
            "/",  "%",  "=",  "<",  ">",  "(",  ")",  "[", "]", ","};
        bool found = false;
        for (std::string_view s : kSymbols) {
          if (text_.substr(i).starts_with(s)) {
            t.kind = Kind::kSymbol;
            t.text = s == "!=" ? "<>" : (s == "==" ? "=" : std::string(s));
            i += s.size();
            found = true;
            break;
          }
        }
        if (!found) return ErrorAt(i, std::string("unexpected '") + c + "'");
      }
      tokens_.push_back(std::move(t));
    }
  }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Kind::kName && EqualsIgnoreCase(t.text, word);
  }
  bool IsSymbol(std::string_view s) const {
    return Peek().kind == Kind::kSymbol && Peek().text == s;
  }
  bool AcceptKeyword(std::string_view word) {
    if (!IsKeyword(word)) return false;
    ++pos_;
    return true;
  }
  bool AcceptSymbol(std::string_view s) {
    if (!IsSymbol(s)) return false;
    ++pos_;
    return true;
  }
  Status ExpectSymbol(std::string_view s) {
    if (AcceptSymbol(s)) return Status::OK();
    return Error(fmt::format("expected '{}'", s));
  }
  Status ExpectKeyword(std::string_view word) {
    if (AcceptKeyword(word)) return Status::OK();
    return Error(fmt::format("expected {}", word));
  }

  Ast Node(Ast::Kind kind, std::string text, std::vector<Ast> args, size_t offset) {
    Ast a;
    a.kind = kind;
    a.text = std::move(text);
    a.args = std::move(args);
    a.offset = offset;
    for (const Ast& arg : a.args) a.depth = std::max(a.depth, arg.depth + 1);
    if (a.depth > kMaxTreeDepth && !too_deep_) too_deep_ = offset + 1;
    return a;
  }

  // Guards every level that can recurse.
  struct Depth {
    explicit Depth(int* d) : depth(d) { ++*depth; }
    ~Depth() { --*depth; }
    int* depth;
  };

  Result<Ast> Expr() {
    Depth guard(&depth_);
    if (depth_ > kMaxDepth) return Error(fmt::format("nested deeper than {}", kMaxDepth));
    return Or();
  }

  Result<Ast> Or() {
    FLOE_ASSIGN_OR_RETURN(Ast left, And());
    while (IsKeyword("or")) {
      const size_t at = Peek().offset;
      ++pos_;
      FLOE_ASSIGN_OR_RETURN(Ast right, And());
      left = Node(Ast::Kind::kOperator, "or", {std::move(left), std::move(right)}, at);
    }
    return left;
  }

  Result<Ast> And() {
    FLOE_ASSIGN_OR_RETURN(Ast left, Not());
    while (IsKeyword("and")) {
      const size_t at = Peek().offset;
      ++pos_;
      FLOE_ASSIGN_OR_RETURN(Ast right, Not());
      left = Node(Ast::Kind::kOperator, "and", {std::move(left), std::move(right)}, at);
    }
    return left;
  }

  Result<Ast> Not() {
    if (IsKeyword("not")) {
      const size_t at = Peek().offset;
      ++pos_;
      Depth guard(&depth_);
      if (depth_ > kMaxDepth) return Error(fmt::format("nested deeper than {}", kMaxDepth));
      FLOE_ASSIGN_OR_RETURN(Ast x, Not());
      return Node(Ast::Kind::kOperator, "not", {std::move(x)}, at);
    }
    return Test();
  }

  Result<Ast> Test() {
    FLOE_ASSIGN_OR_RETURN(Ast left, Concat());
    const size_t at = Peek().offset;
    for (std::string_view op : {"=", "<>", "<", "<=", ">", ">="}) {
      if (AcceptSymbol(op)) {
        FLOE_ASSIGN_OR_RETURN(Ast right, Concat());
        return Node(Ast::Kind::kOperator, std::string(op), {std::move(left), std::move(right)}, at);
      }
    }
    if (AcceptKeyword("is")) {
      const bool negated = AcceptKeyword("not");
      FLOE_RETURN_IF_ERROR(ExpectKeyword("null"));
      Ast a = Node(Ast::Kind::kIsNull, "is null", {std::move(left)}, at);
      a.negated = negated;
      return a;
    }
    bool negated = false;
    if (IsKeyword("not") &&
        (IsKeyword("in", 1) || IsKeyword("between", 1) || IsKeyword("like", 1))) {
      ++pos_;
      negated = true;
    }
    Ast a;
    if (AcceptKeyword("in")) {
      FLOE_RETURN_IF_ERROR(ExpectSymbol("("));
      std::vector<Ast> args{std::move(left)};
      do {
        FLOE_ASSIGN_OR_RETURN(Ast item, Expr());
        args.push_back(std::move(item));
        if (args.size() > kMaxInItems + 1) {
          return Error(fmt::format("more than {} IN items", kMaxInItems));
        }
      } while (AcceptSymbol(","));
      FLOE_RETURN_IF_ERROR(ExpectSymbol(")"));
      a = Node(Ast::Kind::kIn, "in", std::move(args), at);
      // Bound as a chain of ORs, one level per item.
      a.depth += static_cast<int>(a.args.size());
      if (a.depth > kMaxTreeDepth && !too_deep_) too_deep_ = at + 1;
    } else if (AcceptKeyword("between")) {
      FLOE_ASSIGN_OR_RETURN(Ast low, Concat());
      FLOE_RETURN_IF_ERROR(ExpectKeyword("and"));
      FLOE_ASSIGN_OR_RETURN(Ast high, Concat());
      a = Node(Ast::Kind::kBetween, "between", {std::move(left), std::move(low), std::move(high)},
               at);
    } else if (AcceptKeyword("like")) {
      FLOE_ASSIGN_OR_RETURN(Ast pattern, Concat());
      a = Node(Ast::Kind::kLike, "like", {std::move(left), std::move(pattern)}, at);
    } else {
      return left;
    }
    a.negated = negated;
    return a;
  }

  Result<Ast> Concat() {
    FLOE_ASSIGN_OR_RETURN(Ast left, Sum());
    while (IsSymbol("||")) {
      const size_t at = Peek().offset;
      ++pos_;
      FLOE_ASSIGN_OR_RETURN(Ast right, Sum());
      left = Node(Ast::Kind::kOperator, "||", {std::move(left), std::move(right)}, at);
    }
    return left;
  }

  Result<Ast> Sum() {
    FLOE_ASSIGN_OR_RETURN(Ast left, Product());
    while (IsSymbol("+") || IsSymbol("-")) {
      const Token op = Peek();
      ++pos_;
      FLOE_ASSIGN_OR_RETURN(Ast right, Product());
      left = Node(Ast::Kind::kOperator, op.text, {std::move(left), std::move(right)}, op.offset);
    }
    return left;
  }

  Result<Ast> Product() {
    FLOE_ASSIGN_OR_RETURN(Ast left, Unary());
    while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%")) {
      const Token op = Peek();
      ++pos_;
      FLOE_ASSIGN_OR_RETURN(Ast right, Unary());
      left = Node(Ast::Kind::kOperator, op.text, {std::move(left), std::move(right)}, op.offset);
    }
    return left;
  }

  Result<Ast> Unary() {
    if (IsSymbol("-")) {
      const size_t at = Peek().offset;
      ++pos_;
      Depth guard(&depth_);
      if (depth_ > kMaxDepth) return Error(fmt::format("nested deeper than {}", kMaxDepth));
      FLOE_ASSIGN_OR_RETURN(Ast x, Unary());
      // A negative literal stays a literal (so -2147483648 is an int).
      if (x.kind == Ast::Kind::kInteger || x.kind == Ast::Kind::kNumber) {
        x.text = "-" + x.text;
        x.offset = at;
        return x;
      }
      return Node(Ast::Kind::kOperator, "neg", {std::move(x)}, at);
    }
    return Postfix();
  }

  Result<TypePtr> TypeName() {
    // Iceberg's names: "long", "decimal(9, 2)", "fixed[16]", "timestamptz".
    if (Peek().kind != Kind::kName) return Error("expected a type name");
    const size_t at = Peek().offset;
    std::string name = AsciiLower(Peek().text);
    ++pos_;
    if (IsSymbol("(") || IsSymbol("[")) {
      const std::string close = IsSymbol("(") ? ")" : "]";
      name += Peek().text;
      ++pos_;
      while (!IsSymbol(close)) {
        if (Peek().kind == Kind::kEnd) return Error("unterminated type");
        name += Peek().text;
        ++pos_;
      }
      name += close;
      ++pos_;
    }
    std::optional<TypePtr> type = ParsePrimitiveType(name);
    if (!type) return ErrorAt(at, fmt::format("unknown type '{}'", name));
    return *type;
  }

  Result<Ast> Postfix() {
    FLOE_ASSIGN_OR_RETURN(Ast x, Primary());
    while (true) {
      const size_t at = Peek().offset;
      if (AcceptSymbol("::")) {
        FLOE_ASSIGN_OR_RETURN(TypePtr type, TypeName());
        Ast cast = Node(Ast::Kind::kCast, "cast", {std::move(x)}, at);
        cast.type = std::move(type);
        x = std::move(cast);
      } else if (AcceptSymbol("[")) {
        FLOE_ASSIGN_OR_RETURN(Ast index, Expr());
        FLOE_RETURN_IF_ERROR(ExpectSymbol("]"));
        x = Node(Ast::Kind::kIndex, "[]", {std::move(x), std::move(index)}, at);
      } else {
        return x;
      }
    }
  }

  Result<Ast> Primary() {
    const Token t = Peek();
    switch (t.kind) {
      case Kind::kEnd:
        return Error("unexpected end of the expression");
      case Kind::kString:
        ++pos_;
        return Node(Ast::Kind::kString, t.text, {}, t.offset);
      case Kind::kNumber: {
        ++pos_;
        const bool integer = t.text.find_first_of(".eE") == std::string::npos;
        return Node(integer ? Ast::Kind::kInteger : Ast::Kind::kNumber, t.text, {}, t.offset);
      }
      case Kind::kQuotedName:
        ++pos_;
        return Node(Ast::Kind::kField, t.text, {}, t.offset);
      case Kind::kSymbol:
        if (AcceptSymbol("(")) {
          FLOE_ASSIGN_OR_RETURN(Ast e, Expr());
          FLOE_RETURN_IF_ERROR(ExpectSymbol(")"));
          return e;
        }
        return Error("unexpected '" + t.text + "'");
      case Kind::kName:
        break;
    }
    const std::string word = AsciiLower(t.text);
    if (word == "null" || word == "true" || word == "false") {
      ++pos_;
      return Node(word == "null" ? Ast::Kind::kNull : Ast::Kind::kBool, word, {}, t.offset);
    }
    if ((word == "date" || word == "timestamp" || word == "timestamptz" || word == "time") &&
        Peek(1).kind == Kind::kString) {
      Ast a = Node(Ast::Kind::kTyped, Peek(1).text, {}, t.offset);
      pos_ += 2;
      a.type = *ParsePrimitiveType(word);
      return a;
    }
    if (word == "case") return Case();
    if ((word == "cast" || word == "try_cast") && Peek(1).kind == Kind::kSymbol &&
        Peek(1).text == "(") {
      pos_ += 2;
      FLOE_ASSIGN_OR_RETURN(Ast x, Expr());
      FLOE_RETURN_IF_ERROR(ExpectKeyword("as"));
      FLOE_ASSIGN_OR_RETURN(TypePtr type, TypeName());
      FLOE_RETURN_IF_ERROR(ExpectSymbol(")"));
      Ast cast = Node(Ast::Kind::kCast, "cast", {std::move(x)}, t.offset);
      cast.type = std::move(type);
      cast.try_cast = word == "try_cast";
      return cast;
    }
    for (std::string_view reserved :
         {"and", "or", "not", "is", "in", "between", "like", "when", "then", "else", "end", "as"}) {
      if (word == reserved) return Error("unexpected " + t.text);
    }
    ++pos_;
    if (!AcceptSymbol("(")) return Node(Ast::Kind::kField, t.text, {}, t.offset);
    std::vector<Ast> args;
    if (!AcceptSymbol(")")) {
      do {
        FLOE_ASSIGN_OR_RETURN(Ast arg, Expr());
        args.push_back(std::move(arg));
      } while (AcceptSymbol(","));
      FLOE_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    return Node(Ast::Kind::kCall, word, std::move(args), t.offset);
  }

  Result<Ast> Case() {
    const size_t at = Peek().offset;
    ++pos_;
    // CASE x WHEN a THEN ... is CASE WHEN x = a THEN ...
    std::optional<Ast> subject;
    if (!IsKeyword("when")) {
      FLOE_ASSIGN_OR_RETURN(Ast s, Expr());
      subject = std::move(s);
    }
    std::vector<Ast> args;
    while (AcceptKeyword("when")) {
      const size_t when_at = Peek().offset;
      FLOE_ASSIGN_OR_RETURN(Ast when, Expr());
      if (subject) when = Node(Ast::Kind::kOperator, "=", {*subject, std::move(when)}, when_at);
      FLOE_RETURN_IF_ERROR(ExpectKeyword("then"));
      FLOE_ASSIGN_OR_RETURN(Ast then, Expr());
      args.push_back(std::move(when));
      args.push_back(std::move(then));
    }
    if (args.empty()) return Error("expected WHEN");
    Ast a = Node(Ast::Kind::kCase, "case", {}, at);
    if (AcceptKeyword("else")) {
      FLOE_ASSIGN_OR_RETURN(Ast otherwise, Expr());
      args.push_back(std::move(otherwise));
      a.has_else = true;
    }
    FLOE_RETURN_IF_ERROR(ExpectKeyword("end"));
    a.args = std::move(args);
    return a;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  size_t too_deep_ = 0;  // 1 + the offset of the first node past kMaxTreeDepth
};

}  // namespace

Result<Ast> Parse(std::string_view text) {
  return Parser(text).Run();
}

}  // namespace floe::stream::expr
