#include "support/json_schema.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fetch::test {
namespace {

namespace json = boost::json;

const std::set<std::string, std::less<>> kAnnotations{"$schema",     "$id",      "title",
                                                      "description", "$comment", "$defs"};
const std::set<std::string, std::less<>> kKeywords{"type",
                                                   "enum",
                                                   "const",
                                                   "properties",
                                                   "required",
                                                   "additionalProperties",
                                                   "patternProperties",
                                                   "propertyNames",
                                                   "items",
                                                   "prefixItems",
                                                   "minItems",
                                                   "maxItems",
                                                   "minimum",
                                                   "maximum",
                                                   "exclusiveMinimum",
                                                   "exclusiveMaximum",
                                                   "pattern",
                                                   "anyOf",
                                                   "oneOf",
                                                   "$ref"};

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) &&
         v.get_double() == std::floor(v.get_double());
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") return is_integer(v);
  return false;
}

// JSON equality with numbers compared by value (1 == 1.0), as JSON Schema's const and enum do.
bool equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  return a == b;
}

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

class Validator {
 public:
  explicit Validator(const json::value& root) : root_(root) {}

  void check(const json::value& schema, const json::value& v, const std::string& at) {
    if (schema.is_bool()) {
      if (!schema.get_bool()) fail(at, "no value is allowed here");
      return;
    }
    const json::object* s = schema.if_object();
    if (!s) return fail(at, "the schema is not an object or boolean");
    for (const auto& field : *s) {
      if (!kKeywords.contains(field.key()) && !kAnnotations.contains(field.key())) {
        fail(at, "unsupported schema keyword " + std::string{field.key()});
      }
    }
    if (const auto* ref = s->if_contains("$ref")) check_ref(*ref, v, at);
    check_type(*s, v, at);
    check_values(*s, v, at);
    if (v.is_object()) check_object(*s, v.get_object(), at);
    if (v.is_array()) check_array(*s, v.get_array(), at);
    if (v.is_number()) check_number(*s, v.to_number<double>(), at);
    if (v.is_string()) check_string(*s, v.get_string(), at);
    check_alternatives(*s, v, at);
  }

  std::vector<std::string> errors;

 private:
  void fail(const std::string& at, const std::string& why) {
    errors.push_back((at.empty() ? "/" : at) + ": " + why);
  }

  void check_ref(const json::value& ref, const json::value& v, const std::string& at) {
    const std::string_view text = ref.is_string() ? std::string_view{ref.get_string()} : "";
    constexpr std::string_view prefix = "#/$defs/";
    const json::value* defs = root_.is_object() ? root_.get_object().if_contains("$defs") : nullptr;
    const json::value* target = nullptr;
    if (text.starts_with(prefix) && defs && defs->is_object()) {
      target = defs->get_object().if_contains(text.substr(prefix.size()));
    }
    if (!target) return fail(at, "unresolvable $ref " + std::string{text});
    check(*target, v, at);
  }

  void check_type(const json::object& s, const json::value& v, const std::string& at) {
    const json::value* type = s.if_contains("type");
    if (!type) return;
    if (type->is_string()) {
      if (!has_type(v, type->get_string()))
        fail(at, "not of type " + std::string{type->get_string()});
      return;
    }
    for (const json::value& t : type->as_array()) {
      if (t.is_string() && has_type(v, t.get_string())) return;
    }
    fail(at, "not of any type in " + json::serialize(*type));
  }

  void check_values(const json::object& s, const json::value& v, const std::string& at) {
    if (const json::value* c = s.if_contains("const"); c && !equal(*c, v)) {
      fail(at, json::serialize(v) + " is not " + json::serialize(*c));
    }
    if (const json::value* e = s.if_contains("enum")) {
      bool found = false;
      for (const json::value& option : e->as_array()) found = found || equal(option, v);
      if (!found) fail(at, json::serialize(v) + " is not one of " + json::serialize(*e));
    }
  }

  void check_object(const json::object& s, const json::object& o, const std::string& at) {
    if (const json::value* required = s.if_contains("required")) {
      for (const json::value& name : required->as_array()) {
        if (!o.contains(name.as_string()))
          fail(at, "missing \"" + std::string{name.as_string()} + "\"");
      }
    }
    const json::value* properties = s.if_contains("properties");
    const json::value* patterns = s.if_contains("patternProperties");
    const json::value* additional = s.if_contains("additionalProperties");
    const json::value* names = s.if_contains("propertyNames");
    for (const auto& field : o) {
      const std::string key{field.key()};
      const std::string here = at + "/" + pointer_escape(key);
      if (names) check(*names, json::value(key), here + " (name)");
      bool matched = false;
      if (properties) {
        if (const json::value* p = properties->as_object().if_contains(key)) {
          matched = true;
          check(*p, field.value(), here);
        }
      }
      if (patterns) {
        for (const auto& pattern : patterns->as_object()) {
          if (std::regex_search(key, std::regex(std::string{pattern.key()}))) {
            matched = true;
            check(pattern.value(), field.value(), here);
          }
        }
      }
      if (!matched && additional) check(*additional, field.value(), here);
    }
  }

  void check_array(const json::object& s, const json::array& a, const std::string& at) {
    if (const json::value* min = s.if_contains("minItems");
        min && a.size() < min->to_number<std::size_t>()) {
      fail(at, "fewer than " + json::serialize(*min) + " items");
    }
    if (const json::value* max = s.if_contains("maxItems");
        max && a.size() > max->to_number<std::size_t>()) {
      fail(at, "more than " + json::serialize(*max) + " items");
    }
    std::size_t first = 0;
    if (const json::value* prefix = s.if_contains("prefixItems")) {
      const json::array& schemas = prefix->as_array();
      for (; first < schemas.size() && first < a.size(); ++first) {
        check(schemas[first], a[first], at + "/" + std::to_string(first));
      }
    }
    if (const json::value* items = s.if_contains("items")) {
      for (std::size_t i = first; i < a.size(); ++i)
        check(*items, a[i], at + "/" + std::to_string(i));
    }
  }

  void check_number(const json::object& s, double x, const std::string& at) {
    const auto limit = [&](const char* key) -> std::optional<double> {
      const json::value* v = s.if_contains(key);
      if (!v) return std::nullopt;
      return v->to_number<double>();
    };
    if (auto m = limit("minimum"); m && x < *m) fail(at, "below the minimum");
    if (auto m = limit("maximum"); m && x > *m) fail(at, "above the maximum");
    if (auto m = limit("exclusiveMinimum"); m && x <= *m)
      fail(at, "not above the exclusive minimum");
    if (auto m = limit("exclusiveMaximum"); m && x >= *m)
      fail(at, "not below the exclusive maximum");
  }

  void check_string(const json::object& s, json::string_view text, const std::string& at) {
    if (const json::value* pattern = s.if_contains("pattern")) {
      if (!std::regex_search(std::string{text}, std::regex(std::string{pattern->as_string()}))) {
        fail(at,
             "\"" + std::string{text} + "\" does not match " + std::string{pattern->as_string()});
      }
    }
  }

  void check_alternatives(const json::object& s, const json::value& v, const std::string& at) {
    for (const char* keyword : {"anyOf", "oneOf"}) {
      const json::value* options = s.if_contains(keyword);
      if (!options) continue;
      std::size_t passing = 0;
      std::vector<std::string> reasons;
      for (const json::value& option : options->as_array()) {
        Validator inner(root_);
        inner.check(option, v, at);
        if (inner.errors.empty()) {
          ++passing;
        } else {
          reasons.push_back(inner.errors.front());
        }
      }
      const bool ok = std::string_view{keyword} == "anyOf" ? passing > 0 : passing == 1;
      if (!ok) {
        std::string why = std::string{keyword} + " not satisfied";
        for (const std::string& reason : reasons) why += " [" + reason + "]";
        fail(at, why);
      }
    }
  }

  const json::value& root_;
};

}  // namespace

std::vector<std::string> validate_json(const json::value& schema, const json::value& document) {
  Validator validator(schema);
  validator.check(schema, document, "");
  return std::move(validator.errors);
}

std::filesystem::path summary_schema_path() {
  return std::filesystem::path{FETCH_TEST_SOURCE_DIR} / ".." / "include" / "fetch" / "report" /
         "summary.schema.json";
}

const json::value& summary_schema() {
  static const json::value schema = [] {
    std::ifstream in(summary_schema_path());
    if (!in) throw std::runtime_error("cannot read " + summary_schema_path().string());
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
  }();
  return schema;
}

}  // namespace fetch::test
