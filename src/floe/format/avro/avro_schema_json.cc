// Avro schema JSON: parsing into AvroSchema and writing it back.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "floe/format/avro/avro_schema.h"

namespace floe::avro {
namespace {

// ordered_json keeps attributes in the order the writer gave them.
using Json = nlohmann::ordered_json;

struct Primitive {
  std::string_view name;
  AvroType type;
};
constexpr Primitive kPrimitives[] = {
    {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
    {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
    {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
};

std::optional<AvroType> PrimitiveType(std::string_view name) {
  for (const Primitive& p : kPrimitives) {
    if (p.name == name) return p.type;
  }
  return std::nullopt;
}

AvroNode Node(AvroType type) {
  AvroNode n;
  n.type = type;
  return n;
}

bool IsNamed(AvroType t) {
  return t == AvroType::kRecord || t == AvroType::kEnum || t == AvroType::kFixed;
}

// [A-Za-z_][A-Za-z0-9_]*
bool ValidName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

// Dot-separated valid names; the empty namespace is allowed.
bool ValidFullName(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (!ValidName(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

size_t Utf8CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class Parser {
 public:
  Result<AvroSchema> Run(const Json& j) {
    FLOE_ASSIGN_OR_RETURN(schema_.root, Parse(j, "", "schema", 0));
    return std::move(schema_);
  }

 private:
  int Add(AvroNode node) {
    schema_.nodes.push_back(std::move(node));
    return static_cast<int>(schema_.nodes.size() - 1);
  }

  Result<int> Parse(const Json& j, const std::string& ns, const std::string& where, int depth) {
    if (depth > kMaxAvroDepth) {
      return Status::InvalidArgument("{}: schema nested deeper than {}", where, kMaxAvroDepth);
    }
    if (j.is_string()) return ParseName(j.get<std::string>(), ns, where);
    if (j.is_array()) return ParseUnion(j, ns, where, depth);
    if (!j.is_object()) {
      return Status::InvalidArgument("{}: a type must be a string, object or array, not {}", where,
                                     j.dump());
    }
    auto type = j.find("type");
    if (type == j.end()) return Status::InvalidArgument("{}: type object without \"type\"", where);
    if (!type->is_string()) {
      // {"type": {...}} or {"type": [...]}: a wrapped type, allowed by most readers.
      return Parse(*type, ns, where, depth + 1);
    }
    const std::string t = type->get<std::string>();
    if (auto p = PrimitiveType(t)) return ParsePrimitive(j, *p, where);
    if (t == "record" || t == "error") return ParseRecord(j, ns, where, depth);
    if (t == "enum") return ParseEnum(j, ns, where);
    if (t == "fixed") return ParseFixed(j, ns, where);
    if (t == "array" || t == "map") return ParseContainer(j, t == "array", ns, where, depth);
    // {"type": "some.Name"}: a reference in object form.
    return ParseName(t, ns, where);
  }

  Result<int> ParseName(const std::string& name, const std::string& ns, const std::string& where) {
    if (auto p = PrimitiveType(name)) return Add(Node(*p));
    if (name.find('.') == std::string::npos && !ns.empty()) {
      if (auto it = named_.find(ns + "." + name); it != named_.end()) return it->second;
    }
    if (auto it = named_.find(name); it != named_.end()) return it->second;
    return Status::InvalidArgument("{}: unknown type \"{}\"", where, name);
  }

  Result<int> ParseUnion(const Json& j, const std::string& ns, const std::string& where,
                         int depth) {
    AvroNode node = Node(AvroType::kUnion);
    std::set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string branch_where = fmt::format("{} union branch {}", where, i);
      FLOE_ASSIGN_OR_RETURN(int child, Parse(j[i], ns, branch_where, depth + 1));
      const AvroNode& c = schema_.node(child);
      if (c.type == AvroType::kUnion) {
        return Status::InvalidArgument("{}: a union may not contain a union", branch_where);
      }
      const std::string key = IsNamed(c.type) ? c.full_name : std::string(AvroTypeName(c.type));
      if (!seen.insert(key).second) {
        return Status::InvalidArgument("{}: union has \"{}\" twice", where, key);
      }
      node.children.push_back(child);
    }
    if (node.children.empty()) return Status::InvalidArgument("{}: empty union", where);
    return Add(std::move(node));
  }

  // Keys every type object may carry besides its own: logical types and
  // anything else, kept verbatim.
  void TakeAttributes(const Json& j, std::initializer_list<std::string_view> known,
                      AvroNode* node) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      bool is_known = key == "type";
      for (std::string_view k : known) is_known = is_known || key == k;
      if (is_known) continue;
      if (key == "logicalType" && it->is_string()) {
        node->logical_type = it->get<std::string>();
      } else if ((key == "precision" || key == "scale") && it->is_number_integer() && *it >= 0 &&
                 *it <= INT32_MAX) {
        (key == "precision" ? node->precision : node->scale) = it->get<int32_t>();
      } else {
        node->attributes.push_back({key, it->dump()});
      }
    }
  }

  Result<int> ParsePrimitive(const Json& j, AvroType type, const std::string& where) {
    AvroNode node = Node(type);
    TakeAttributes(j, {}, &node);
    FLOE_RETURN_IF_ERROR(CheckDecimal(node, where));
    return Add(std::move(node));
  }

  // A decimal's precision and scale must make sense; other logical types are
  // annotations that readers may ignore, so they are kept as they are.
  Status CheckDecimal(const AvroNode& node, const std::string& where) {
    if (node.logical_type != "decimal") return Status::OK();
    if (node.type != AvroType::kBytes && node.type != AvroType::kFixed) {
      return Status::InvalidArgument("{}: decimal must annotate bytes or fixed", where);
    }
    if (!node.precision || *node.precision < 1) {
      return Status::InvalidArgument("{}: decimal needs a positive integer precision", where);
    }
    if (node.scale.value_or(0) > *node.precision) {
      return Status::InvalidArgument("{}: decimal scale {} exceeds precision {}", where,
                                     *node.scale, *node.precision);
    }
    return Status::OK();
  }

  // Fills name, namespace and full name of a named type and registers it.
  Status Name(const Json& j, const std::string& ns, const std::string& where, AvroNode* node,
              std::string* own_ns) {
    auto name = j.find("name");
    if (name == j.end() || !name->is_string()) {
      return Status::InvalidArgument("{}: {} without a string \"name\"", where,
                                     AvroTypeName(node->type));
    }
    node->name = name->get<std::string>();
    if (auto n = j.find("namespace"); n != j.end() && !n->is_null()) {
      if (!n->is_string())
        return Status::InvalidArgument("{}: \"namespace\" must be a string", where);
      node->name_space = n->get<std::string>();
    }
    if (!ValidFullName(node->name, false) || !ValidFullName(node->name_space.value_or(""), true)) {
      return Status::InvalidArgument("{}: invalid name \"{}\"", where, node->name);
    }
    const size_t dot = node->name.rfind('.');
    if (dot != std::string::npos) {
      node->full_name = node->name;
      *own_ns = node->name.substr(0, dot);
    } else {
      *own_ns = node->name_space.value_or(ns);
      node->full_name = own_ns->empty() ? node->name : *own_ns + "." + node->name;
    }
    if (PrimitiveType(node->full_name)) {
      return Status::InvalidArgument("{}: \"{}\" may not be redefined", where, node->full_name);
    }
    if (named_.count(node->full_name) != 0) {
      return Status::InvalidArgument("{}: duplicate name \"{}\"", where, node->full_name);
    }
    if (auto d = j.find("doc"); d != j.end() && d->is_string()) node->doc = d->get<std::string>();
    return Status::OK();
  }

  Result<int> ParseRecord(const Json& j, const std::string& ns, const std::string& where,
                          int depth) {
    AvroNode node = Node(AvroType::kRecord);
    std::string own_ns;
    FLOE_RETURN_IF_ERROR(Name(j, ns, where, &node, &own_ns));
    const std::string rwhere = "record " + node.full_name;
    TakeAttributes(j, {"name", "namespace", "doc", "fields"}, &node);
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) {
      return Status::InvalidArgument("{}: \"fields\" must be an array", rwhere);
    }
    // Registered before the fields are parsed so they may refer to it.
    const int index = Add(std::move(node));
    named_[schema_.node(index).full_name] = index;
    std::vector<AvroField> out;
    std::set<std::string> names;
    for (const Json& f : *fields) {
      FLOE_ASSIGN_OR_RETURN(AvroField field, ParseField(f, own_ns, rwhere, depth));
      if (!names.insert(field.name).second) {
        return Status::InvalidArgument("{}: duplicate field \"{}\"", rwhere, field.name);
      }
      out.push_back(std::move(field));
    }
    schema_.nodes[static_cast<size_t>(index)].fields = std::move(out);
    return index;
  }

  Result<AvroField> ParseField(const Json& f, const std::string& ns, const std::string& rwhere,
                               int depth) {
    if (!f.is_object()) return Status::InvalidArgument("{}: a field must be an object", rwhere);
    AvroField field;
    auto name = f.find("name");
    if (name == f.end() || !name->is_string() || !ValidName(name->get<std::string>())) {
      return Status::InvalidArgument("{}: field without a valid \"name\"", rwhere);
    }
    field.name = name->get<std::string>();
    const std::string where = rwhere + " field " + field.name;
    auto type = f.find("type");
    if (type == f.end()) return Status::InvalidArgument("{}: missing \"type\"", where);
    FLOE_ASSIGN_OR_RETURN(field.node, Parse(*type, ns, where, depth + 1));
    for (auto it = f.begin(); it != f.end(); ++it) {
      const std::string& key = it.key();
      if (key == "name" || key == "type") continue;
      if (key == "doc" && it->is_string()) {
        field.doc = it->get<std::string>();
      } else if (key == "default") {
        FLOE_RETURN_IF_ERROR(CheckDefault(*it, field.node, where, 0));
        field.default_json = it->dump();
      } else {
        field.attributes.push_back({key, it->dump()});
      }
    }
    return field;
  }

  Result<int> ParseEnum(const Json& j, const std::string& ns, const std::string& where) {
    AvroNode node = Node(AvroType::kEnum);
    std::string own_ns;
    FLOE_RETURN_IF_ERROR(Name(j, ns, where, &node, &own_ns));
    const std::string ewhere = "enum " + node.full_name;
    TakeAttributes(j, {"name", "namespace", "doc", "symbols", "default"}, &node);
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array()) {
      return Status::InvalidArgument("{}: \"symbols\" must be an array", ewhere);
    }
    std::set<std::string> seen;
    for (const Json& s : *symbols) {
      if (!s.is_string() || !ValidName(s.get<std::string>())) {
        return Status::InvalidArgument("{}: invalid symbol {}", ewhere, s.dump());
      }
      if (!seen.insert(s.get<std::string>()).second) {
        return Status::InvalidArgument("{}: duplicate symbol {}", ewhere, s.dump());
      }
      node.symbols.push_back(s.get<std::string>());
    }
    if (auto d = j.find("default"); d != j.end()) {
      if (!d->is_string() || seen.count(d->get<std::string>()) == 0) {
        return Status::InvalidArgument("{}: default {} is not a symbol", ewhere, d->dump());
      }
      node.enum_default = d->get<std::string>();
    }
    const int index = Add(std::move(node));
    named_[schema_.node(index).full_name] = index;
    return index;
  }

  Result<int> ParseFixed(const Json& j, const std::string& ns, const std::string& where) {
    AvroNode node = Node(AvroType::kFixed);
    std::string own_ns;
    FLOE_RETURN_IF_ERROR(Name(j, ns, where, &node, &own_ns));
    const std::string fwhere = "fixed " + node.full_name;
    TakeAttributes(j, {"name", "namespace", "doc", "size"}, &node);
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || *size < 0 || *size > INT32_MAX) {
      return Status::InvalidArgument("{}: \"size\" must be a non-negative 32-bit integer", fwhere);
    }
    node.fixed_size = size->get<int32_t>();
    FLOE_RETURN_IF_ERROR(CheckDecimal(node, fwhere));
    const int index = Add(std::move(node));
    named_[schema_.node(index).full_name] = index;
    return index;
  }

  Result<int> ParseContainer(const Json& j, bool array, const std::string& ns,
                             const std::string& where, int depth) {
    AvroNode node = Node(array ? AvroType::kArray : AvroType::kMap);
    const char* key = array ? "items" : "values";
    auto child = j.find(key);
    if (child == j.end()) return Status::InvalidArgument("{}: missing \"{}\"", where, key);
    FLOE_ASSIGN_OR_RETURN(int c, Parse(*child, ns, where + (array ? "[]" : "{}"), depth + 1));
    node.children.push_back(c);
    TakeAttributes(j, {key}, &node);
    return Add(std::move(node));
  }

  // A field default in Avro's JSON encoding must fit the field's type (for a
  // union: any of its branches).
  Status CheckDefault(const Json& v, int node, const std::string& where, int depth) {
    if (depth > kMaxAvroDepth) return Status::InvalidArgument("{}: default nested too deep", where);
    const AvroNode& n = schema_.node(node);
    auto bad = [&] {
      return Status::InvalidArgument("{}: default {} does not fit type {}", where, v.dump(),
                                     AvroTypeName(n.type));
    };
    switch (n.type) {
      case AvroType::kNull:
        return v.is_null() ? Status::OK() : bad();
      case AvroType::kBoolean:
        return v.is_boolean() ? Status::OK() : bad();
      case AvroType::kInt:
        return v.is_number_integer() && v >= INT32_MIN && v <= INT32_MAX ? Status::OK() : bad();
      case AvroType::kLong:
        return v.is_number_integer() ? Status::OK() : bad();
      case AvroType::kFloat:
      case AvroType::kDouble:
        if (v.is_number()) return Status::OK();
        return v.is_string() && (v == "NaN" || v == "Infinity" || v == "-Infinity") ? Status::OK()
                                                                                    : bad();
      case AvroType::kBytes:
      case AvroType::kString:
        return v.is_string() ? Status::OK() : bad();
      case AvroType::kFixed:
        return v.is_string() && Utf8CodePoints(v.get_ref<const std::string&>()) ==
                                    static_cast<size_t>(n.fixed_size)
                   ? Status::OK()
                   : bad();
      case AvroType::kEnum:
        for (const std::string& s : n.symbols) {
          if (v.is_string() && v.get_ref<const std::string&>() == s) return Status::OK();
        }
        return bad();
      case AvroType::kArray:
        if (!v.is_array()) return bad();
        for (const Json& e : v)
          FLOE_RETURN_IF_ERROR(CheckDefault(e, n.children[0], where, depth + 1));
        return Status::OK();
      case AvroType::kMap:
        if (!v.is_object()) return bad();
        for (const auto& e : v.items()) {
          FLOE_RETURN_IF_ERROR(CheckDefault(e.value(), n.children[0], where, depth + 1));
        }
        return Status::OK();
      case AvroType::kUnion:
        for (int c : n.children) {
          if (CheckDefault(v, c, where, depth + 1).ok()) return Status::OK();
        }
        return bad();
      case AvroType::kRecord: {
        if (!v.is_object()) return bad();
        // Copy: the record may still be growing (a default inside its own fields).
        const std::vector<AvroField> fields = n.fields;
        for (const AvroField& f : fields) {
          auto it = v.find(f.name);
          if (it == v.end()) {
            if (!f.default_json) return bad();
            continue;
          }
          FLOE_RETURN_IF_ERROR(CheckDefault(*it, f.node, where + "." + f.name, depth + 1));
        }
        return Status::OK();
      }
    }
    return bad();
  }

  AvroSchema schema_;
  std::map<std::string, int> named_;
};

// --- writing ------------------------------------------------------------------

void AppendString(std::string_view s, std::string* out) {
  // Avro strings need not be UTF-8: show bad bytes as U+FFFD rather than throw.
  *out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  AppendString(key, out);
  out->push_back(':');
}

void AppendAttributes(const std::vector<Attribute>& attributes, std::string* out) {
  for (const Attribute& a : attributes) {
    AppendKey(a.key, out);
    *out += a.json;
  }
}

void AppendLogical(const AvroNode& n, std::string* out) {
  if (n.logical_type) {
    AppendKey("logicalType", out);
    AppendString(*n.logical_type, out);
  }
  if (n.precision) *out += fmt::format(",\"precision\":{}", *n.precision);
  if (n.scale) *out += fmt::format(",\"scale\":{}", *n.scale);
  AppendAttributes(n.attributes, out);
}

void AppendNamed(const AvroNode& n, std::string* out) {
  *out += fmt::format("{{\"type\":\"{}\"", AvroTypeName(n.type));
  AppendKey("name", out);
  AppendString(n.name, out);
  if (n.name_space) {
    AppendKey("namespace", out);
    AppendString(*n.name_space, out);
  }
  if (n.doc) {
    AppendKey("doc", out);
    AppendString(*n.doc, out);
  }
}

// The namespace part of a full name ("a.b" of "a.b.C").
std::string_view NamespaceOf(std::string_view full_name) {
  const size_t dot = full_name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : full_name.substr(0, dot);
}

// `ns` is the enclosing namespace: references within it are written short,
// as writers usually do.
void WriteNode(const AvroSchema& s, int index, std::string_view ns, std::vector<bool>* defined,
               std::string* out) {
  const AvroNode& n = s.node(index);
  const bool plain = !n.logical_type && !n.precision && !n.scale && n.attributes.empty();
  switch (n.type) {
    case AvroType::kRecord:
    case AvroType::kEnum:
    case AvroType::kFixed:
      if ((*defined)[static_cast<size_t>(index)]) {
        const std::string_view own = NamespaceOf(n.full_name);
        AppendString(own == ns && !own.empty() ? n.full_name.substr(own.size() + 1) : n.full_name,
                     out);
        return;
      }
      ns = NamespaceOf(n.full_name);
      (*defined)[static_cast<size_t>(index)] = true;
      AppendNamed(n, out);
      if (n.type == AvroType::kRecord) {
        *out += ",\"fields\":[";
        for (size_t i = 0; i < n.fields.size(); ++i) {
          const AvroField& f = n.fields[i];
          if (i > 0) out->push_back(',');
          *out += "{\"name\":";
          AppendString(f.name, out);
          *out += ",\"type\":";
          WriteNode(s, f.node, ns, defined, out);
          if (f.doc) {
            AppendKey("doc", out);
            AppendString(*f.doc, out);
          }
          if (f.default_json) *out += ",\"default\":" + *f.default_json;
          AppendAttributes(f.attributes, out);
          out->push_back('}');
        }
        out->push_back(']');
      } else if (n.type == AvroType::kEnum) {
        *out += ",\"symbols\":[";
        for (size_t i = 0; i < n.symbols.size(); ++i) {
          if (i > 0) out->push_back(',');
          AppendString(n.symbols[i], out);
        }
        out->push_back(']');
        if (n.enum_default) {
          AppendKey("default", out);
          AppendString(*n.enum_default, out);
        }
      } else {
        *out += fmt::format(",\"size\":{}", n.fixed_size);
      }
      AppendLogical(n, out);
      out->push_back('}');
      return;
    case AvroType::kArray:
    case AvroType::kMap:
      *out += n.type == AvroType::kArray ? "{\"type\":\"array\",\"items\":"
                                         : "{\"type\":\"map\",\"values\":";
      WriteNode(s, n.children[0], ns, defined, out);
      AppendLogical(n, out);
      out->push_back('}');
      return;
    case AvroType::kUnion:
      out->push_back('[');
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out->push_back(',');
        WriteNode(s, n.children[i], ns, defined, out);
      }
      out->push_back(']');
      return;
    default:
      if (plain) {
        *out += fmt::format("\"{}\"", AvroTypeName(n.type));
      } else {
        *out += fmt::format("{{\"type\":\"{}\"", AvroTypeName(n.type));
        AppendLogical(n, out);
        out->push_back('}');
      }
      return;
  }
}

}  // namespace

Result<AvroSchema> ParseAvroSchema(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("Avro schema is not valid JSON");
  return Parser().Run(j);
}

std::string AvroSchemaToJson(const AvroSchema& schema) {
  std::string out;
  std::vector<bool> defined(schema.nodes.size(), false);
  if (schema.root >= 0) WriteNode(schema, schema.root, "", &defined, &out);
  return out;
}

}  // namespace floe::avro
