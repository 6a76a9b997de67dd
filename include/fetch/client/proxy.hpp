#pragma once
// Proxy settings as curl reads them: proxy URLs, the environment variables that name a
// proxy, and NO_PROXY lists.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "fetch/core/origin_key.hpp"
#include "fetch/core/route.hpp"

namespace fetch {

struct ProxyUrl {
  Endpoint endpoint;
  std::string authorization;  // "Basic ..." from user:password@, or empty
};

// Parses an HTTP proxy as curl takes it: "http://[user:password@]host[:port][/]", the
// scheme optional, the port 1080 when none is given (curl's default). Any other scheme
// (https://, socks5://, ...) or an unusable URL: a reason for the user, which never shows
// the credentials.
std::variant<ProxyUrl, std::string> parse_proxy_url(std::string_view text);

// Reads an environment variable: null when unset (std::getenv, or a test's table).
using Environment = std::function<const char*(const char* name)>;

// A setting from the environment, and the variable it came from (for messages).
struct EnvironmentValue {
  std::string variable;
  std::string value;
};

// The proxy curl takes from the environment for `scheme`: for http only http_proxy (the
// upper-case HTTP_PROXY can be set by a CGI request's Proxy header: "httpoxy"), for https
// https_proxy, then HTTPS_PROXY; failing those all_proxy, then ALL_PROXY. Empty values
// count as unset, as in curl.
std::optional<EnvironmentValue> proxy_from_environment(Scheme scheme,
                                                       const Environment& environment);
// The NO_PROXY list from the environment: no_proxy, then NO_PROXY.
std::optional<EnvironmentValue> no_proxy_from_environment(const Environment& environment);

// Whether `host` (a lower-case name, or an IP literal without brackets) is exempt from the
// proxy by `list`, with curl's (7.86+) rules: the list is exactly "*" (every host), or it
// holds, separated by commas or blanks, a name matching the host or a domain of it
// ("example.com" and ".example.com" match example.com and www.example.com, not
// notexample.com; case-insensitive; trailing dots ignored), or an IP address, optionally
// with a CIDR prefix ("10.0.0.0/8", "::1"), matching an IP host. Ports are not compared.
bool no_proxy_matches(std::string_view list, std::string_view host, bool host_is_ip);

}  // namespace fetch
