#include "support/h2_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <string>

#include "support/net.hpp"
#include "support/nginx_server.hpp"  // pki_dir()
#include "support/process.hpp"
#include "support/records.hpp"  // split_lines()
#include "support/script_server.hpp"

namespace fetch::test {
namespace {

// The value of key `name` when `object` is a JSON object holding an integer there, else -1.
long integer_at(const boost::json::value& object, std::string_view name) {
  const auto* fields = object.if_object();
  const auto* value = fields ? fields->if_contains(name) : nullptr;
  const auto* number = value ? value->if_int64() : nullptr;
  return number ? static_cast<long>(*number) : -1;
}

std::string string_at(const boost::json::value& object, std::string_view name) {
  const auto* fields = object.if_object();
  const auto* value = fields ? fields->if_contains(name) : nullptr;
  const auto* text = value ? value->if_string() : nullptr;
  return text ? std::string(*text) : std::string();
}

std::optional<boost::json::value> parse(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) return std::nullopt;
  return value;
}

}  // namespace

H2Server::H2Server() : H2Server(Config{}) {}

H2Server::H2Server(Config config) : config_(std::move(config)) {
  std::vector<std::string> argv{"/usr/bin/python3", FETCH_TEST_SOURCE_DIR "/servers/h2_server.py",
                                "--host", config_.host};
  std::size_t lines = 2;  // the HTTP/2 port, the control port
  if (config_.tls) {
    const auto pki = pki_dir();
    argv.insert(argv.end(), {"--tls-cert", (pki / config_.cert).string(), "--tls-key",
                             (pki / config_.key).string()});
    if (config_.also_h2c) {
      argv.push_back("--h2c");
      lines = 3;
    }
  }
  if (!config_.alpn.empty()) argv.insert(argv.end(), {"--alpn", config_.alpn});
  if (!config_.mode.empty()) argv.insert(argv.end(), {"--mode", config_.mode});
  if (config_.max_concurrent_streams) {
    argv.insert(argv.end(),
                {"--max-concurrent-streams", std::to_string(*config_.max_concurrent_streams)});
  }
  if (config_.initial_window_size) {
    argv.insert(argv.end(), {"--window", std::to_string(*config_.initial_window_size)});
  }
  if (config_.window_update_delay_seconds > 0) {
    char delay[32];
    std::snprintf(delay, sizeof delay, "%.3f", config_.window_update_delay_seconds);
    argv.insert(argv.end(), {"--window-update-delay", delay});
  }
  const ScriptServer server = start_script_server(argv, lines);
  pid_ = server.pid;
  port_ = server.ports.at(0);
  control_port_ = server.ports.at(1);
  if (lines == 3) h2c_port_ = server.ports.at(2);
}

H2Server::~H2Server() { stop_process(pid_); }

std::string H2Server::base(bool tls, std::uint16_t port) const {
  const bool v6 = config_.host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") +
         (v6 ? "[" + config_.host + "]" : config_.host) + ":" + std::to_string(port);
}

std::string H2Server::url(std::string_view path) const {
  return base(config_.tls, port_) + std::string(path);
}

std::string H2Server::h2c_url(std::string_view path) const {
  return base(false, h2c_port_) + std::string(path);
}

std::optional<H2Server::Stats> H2Server::stats() const {
  const auto reply = http_get(config_.host, control_port_, "/stats");
  if (!reply || reply->status != 200) return std::nullopt;
  const auto json = parse(reply->body);
  if (!json || !json->is_object()) return std::nullopt;
  Stats stats;
  const std::pair<std::string_view, long Stats::*> fields[] = {
      {"connections", &Stats::connections},
      {"h2_connections", &Stats::h2_connections},
      {"h1_connections", &Stats::h1_connections},
      {"streams", &Stats::streams},
      {"max_concurrent_streams", &Stats::max_concurrent_streams},
      {"rst_stream_received", &Stats::rst_stream_received},
      {"goaway_received", &Stats::goaway_received},
      {"ping_received", &Stats::ping_received},
      {"settings_received", &Stats::settings_received},
      {"window_update_received", &Stats::window_update_received},
      {"data_bytes_received", &Stats::data_bytes_received},
  };
  for (const auto& [name, member] : fields) {
    const long value = integer_at(*json, name);
    if (value < 0) return std::nullopt;
    stats.*member = value;
  }
  return stats;
}

std::optional<std::vector<H2Server::Request>> H2Server::requests() const {
  const auto reply = http_get(config_.host, control_port_, "/requests");
  if (!reply || reply->status != 200) return std::nullopt;
  std::vector<Request> requests;
  for (const std::string& line : split_lines(reply->body)) {
    if (line.empty()) continue;
    const auto json = parse(line);
    if (!json || !json->is_object()) return std::nullopt;
    Request request;
    request.connection = integer_at(*json, "connection");
    request.stream = integer_at(*json, "stream");
    request.protocol = string_at(*json, "protocol");
    request.method = string_at(*json, "method");
    request.path = string_at(*json, "path");
    const auto* headers = json->as_object().if_contains("headers");
    if (headers && headers->is_array()) {
      for (const auto& pair : headers->as_array()) {
        const auto* items = pair.if_array();
        if (!items || items->size() != 2 || !(*items)[0].is_string() || !(*items)[1].is_string())
          return std::nullopt;
        request.headers.emplace_back(std::string((*items)[0].as_string()),
                                     std::string((*items)[1].as_string()));
      }
    }
    requests.push_back(std::move(request));
  }
  return requests;
}

bool H2Server::reset() const {
  const auto reply = http_get(config_.host, control_port_, "/reset");
  return reply && reply->status == 200;
}

}  // namespace fetch::test
