#include "support/http_proxy.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "support/net.hpp"
#include "support/process.hpp"
#include "support/script_server.hpp"

namespace fetch::test {
namespace {

std::string_view refusal_flag(HttpProxy::Refusal refusal) {
  switch (refusal) {
    case HttpProxy::Refusal::none:
      return "";
    case HttpProxy::Refusal::status_403:
      return "403";
    case HttpProxy::Refusal::status_407:
      return "407";
    case HttpProxy::Refusal::status_502:
      return "502";
    case HttpProxy::Refusal::close:
      return "close";
    case HttpProxy::Refusal::garbage:
      return "garbage";
    case HttpProxy::Refusal::ok_then_close:
      return "200-then-close";
    case HttpProxy::Refusal::never:
      return "never";
  }
  return "";
}

int counter(const boost::json::object& stats, std::string_view name) {
  const auto* value = stats.if_contains(name);
  return value != nullptr && value->is_int64() ? static_cast<int>(value->as_int64()) : -1;
}

}  // namespace

std::string basic_authorization(std::string_view user_colon_password) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  std::size_t i = 0;
  for (; i + 2 < user_colon_password.size(); i += 3) {
    const unsigned n = static_cast<unsigned char>(user_colon_password[i]) << 16 |
                       static_cast<unsigned char>(user_colon_password[i + 1]) << 8 |
                       static_cast<unsigned char>(user_colon_password[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  const std::size_t left = user_colon_password.size() - i;
  if (left > 0) {
    unsigned n = static_cast<unsigned char>(user_colon_password[i]) << 16;
    if (left == 2) n |= static_cast<unsigned char>(user_colon_password[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += left == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

HttpProxy::HttpProxy() : HttpProxy(Config{}) {}

HttpProxy::HttpProxy(Config config) : config_(std::move(config)) {
  std::vector<std::string> argv{"/usr/bin/python3", FETCH_TEST_SOURCE_DIR "/servers/http_proxy.py",
                                "--host", config_.host};
  if (!config_.auth.empty()) argv.insert(argv.end(), {"--auth", config_.auth});
  if (config_.refuse != Refusal::none) {
    argv.insert(argv.end(), {"--refuse", std::string(refusal_flag(config_.refuse))});
  }
  if (config_.refuse_forward) argv.push_back("--refuse-forward");
  if (config_.delay.count() > 0) {
    argv.insert(argv.end(), {"--delay-ms", std::to_string(config_.delay.count())});
  }
  for (const auto& [name, address] : config_.map_hosts) {
    argv.insert(argv.end(), {"--map-host", name + "=" + address});
  }
  const ScriptServer server = start_script_server(argv);
  pid_ = server.pid;
  port_ = server.port;
}

HttpProxy::~HttpProxy() { stop_process(pid_); }

std::string HttpProxy::url() const {
  const bool v6 = config_.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + config_.host + "]" : config_.host) + ":" + std::to_string(port_);
}

std::string HttpProxy::url_with_credentials() const {
  const std::string plain = url();
  if (config_.auth.empty()) return plain;
  return "http://" + config_.auth + "@" + plain.substr(std::string_view("http://").size());
}

std::string HttpProxy::expected_authorization() const { return basic_authorization(config_.auth); }

std::optional<HttpProxy::Stats> HttpProxy::stats() const {
  const auto reply = http_get(config_.host, port_, "/__proxy/stats");
  if (!reply || reply->status != 200) return std::nullopt;
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(reply->body, error);
  if (error || !parsed.is_object()) return std::nullopt;
  const boost::json::object& object = parsed.as_object();
  return Stats{.connections = counter(object, "connections"),
               .open = counter(object, "open"),
               .connects = counter(object, "connects"),
               .tunnels = counter(object, "tunnels"),
               .forwarded = counter(object, "forwarded"),
               .auth_failures = counter(object, "auth_failures"),
               .refused_targets = counter(object, "refused_targets")};
}

std::optional<std::vector<std::string>> HttpProxy::requests_received() const {
  const auto reply = http_get(config_.host, port_, "/__proxy/requests");
  if (!reply || reply->status != 200) return std::nullopt;
  // Each head ends in "\r\n\r\n" and is followed by one more "\r\n".
  std::vector<std::string> heads;
  std::string_view rest = reply->body;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    heads.emplace_back(rest.substr(0, end + 4));
    rest.remove_prefix(std::min(rest.size(), end + 6));
  }
  return heads;
}

}  // namespace fetch::test
