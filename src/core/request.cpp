#include "fetch/core/request.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace fetch {

namespace {

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

// The header as a message may show it: printable ASCII as is, everything else escaped, so
// that an injected line break shows where it is instead of breaking the message.
std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

// Why `value` cannot be a header value, or nothing: line breaks and NUL would let a header
// inject others (or end the head); other controls are refused as -A refuses them.
std::optional<std::string> value_problem(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r') return "contains a CR (carriage return)";
    if (c == '\n') return "contains an LF (line feed)";
    if (c == '\0') return "contains a NUL byte";
    if ((u < 0x20 && c != '\t') || u == 0x7f) return "contains a control character";
  }
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Applies one -H to `headers` (the defaults and earlier -H ones); `replaced` lists the
// default names already replaced, so that a second -H of a name adds a line, as curl does.
void apply(std::vector<Header>& headers, std::size_t& defaults, std::vector<std::string>& replaced,
           const HeaderOption& option) {
  const auto same_name = [&](const Header& h) { return iequals_ascii(h.name, option.name); };
  if (option.remove) {
    defaults -= static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.begin() + static_cast<long>(defaults), same_name));
    std::erase_if(headers, same_name);
    return;
  }
  const auto end_of_defaults = headers.begin() + static_cast<long>(defaults);
  const auto found = std::find_if(headers.begin(), end_of_defaults, same_name);
  const bool already = std::any_of(replaced.begin(), replaced.end(), [&](const std::string& n) {
    return iequals_ascii(n, option.name);
  });
  if (found != end_of_defaults && !already) {
    *found = Header{option.name, option.value};
    replaced.push_back(option.name);
    return;
  }
  headers.push_back(Header{option.name, option.value});
}

}  // namespace

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool is_token(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
}

RequestSpec::RequestSpec(std::string method, std::vector<Header> headers,
                         std::shared_ptr<const std::string> body, std::string host)
    : method_(std::move(method)),
      headers_(std::move(headers)),
      body_(std::move(body)),
      host_(std::move(host)) {
  for (const Header& header : headers_) {
    header_lines_.append(header.name).append(": ").append(header.value).append("\r\n");
    authorizes_ = authorizes_ || iequals_ascii(header.name, "Authorization");
  }
}

RequestSpec default_request(std::string user_agent, bool head, bool compressed) {
  RequestOptions options;
  options.user_agent = std::move(user_agent);
  options.head = head;
  options.compressed = compressed;
  return build_request(options);
}

std::variant<HeaderOption, std::string> parse_header_option(std::string_view text) {
  const std::string quoted = "header '" + shown(text) + "' ";
  const std::size_t colon = text.find(':');
  const std::size_t semicolon = text.find(';');
  // "Name;" alone sends an empty header; a ';' further on is part of a value.
  const bool empty_form = semicolon != std::string_view::npos && colon == std::string_view::npos &&
                          trim(text.substr(semicolon + 1)).empty();
  const std::size_t end_of_name = empty_form ? semicolon : colon;
  if (end_of_name == std::string_view::npos) {
    return quoted + "has no ':' (write 'Name: value', 'Name:' to remove it)";
  }
  if (auto problem = value_problem(text)) return quoted + *problem;
  HeaderOption option;
  option.name = std::string{text.substr(0, end_of_name)};
  if (!is_token(option.name)) return quoted + "has no valid name before the ':'";
  if (iequals_ascii(option.name, "Content-Length") ||
      iequals_ascii(option.name, "Transfer-Encoding")) {
    return quoted + "frames the body, which fetch does itself (give the body with -d)";
  }
  const std::string_view value = empty_form ? std::string_view{} : trim(text.substr(colon + 1));
  option.value = std::string{value};
  option.remove = !empty_form && value.empty();
  return option;
}

RequestSpec build_request(const RequestOptions& options) {
  std::vector<Header> headers{{"User-Agent", options.user_agent},
                              {"Accept", options.json ? "application/json" : "*/*"}};
  if (options.compressed) headers.push_back({"Accept-Encoding", std::string{kAcceptEncoding}});
  if (options.body) {
    headers.push_back(
        {"Content-Type", options.json ? "application/json" : "application/x-www-form-urlencoded"});
  }
  std::size_t defaults = headers.size();
  std::vector<std::string> replaced;
  std::string host;
  for (const HeaderOption& option : options.headers) {
    // Host is written first by the request writer, from the URL unless given here.
    if (iequals_ascii(option.name, "Host")) {
      host = option.remove ? std::string{} : option.value;
      continue;
    }
    apply(headers, defaults, replaced, option);
  }
  std::string method = options.method;
  if (method.empty()) method = options.head ? "HEAD" : options.body ? "POST" : "GET";
  auto body = options.body ? std::make_shared<const std::string>(*options.body) : nullptr;
  return RequestSpec{std::move(method), std::move(headers), std::move(body), std::move(host)};
}

}  // namespace fetch
