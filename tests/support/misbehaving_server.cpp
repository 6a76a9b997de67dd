#include "support/misbehaving_server.hpp"

#include <cstdlib>
#include <vector>

#include "support/net.hpp"
#include "support/nginx_server.hpp"  // pki_dir()
#include "support/process.hpp"
#include "support/script_server.hpp"

namespace fetch::test {

MisbehavingServer::MisbehavingServer() : MisbehavingServer(Config{}) {}

MisbehavingServer::MisbehavingServer(Config config) : config_(std::move(config)) {
  std::vector<std::string> argv{"/usr/bin/python3",
                                FETCH_TEST_SOURCE_DIR "/servers/misbehaving_server.py", "--host",
                                config_.host};
  if (config_.tls) {
    const auto pki = pki_dir();
    argv.insert(argv.end(), {"--tls-cert", (pki / config_.cert).string(), "--tls-key",
                             (pki / config_.key).string()});
    if (!config_.tls_min.empty()) argv.insert(argv.end(), {"--tls-min", config_.tls_min});
    if (!config_.tls_max.empty()) argv.insert(argv.end(), {"--tls-max", config_.tls_max});
    if (config_.weak_crypto) argv.push_back("--tls-seclevel0");
  }
  const ScriptServer server = start_script_server(argv);
  pid_ = server.pid;
  port_ = server.port;
}
MisbehavingServer::~MisbehavingServer() { stop_process(pid_); }

std::string MisbehavingServer::url(std::string_view path) const {
  const bool v6 = config_.host.find(':') != std::string::npos;
  return std::string(config_.tls ? "https://" : "http://") +
         (v6 ? "[" + config_.host + "]" : config_.host) + ":" + std::to_string(port_) +
         std::string(path);
}

int MisbehavingServer::connections_accepted() const {
  const auto reply = http_get(config_.host, port_, "/stats");
  if (!reply || reply->status != 200) return -1;
  return std::atoi(reply->body.c_str());
}

std::optional<std::string> MisbehavingServer::requests_received() const {
  const auto reply = http_get(config_.host, port_, "/requests");
  if (!reply || reply->status != 200) return std::nullopt;
  return reply->body;
}

}  // namespace fetch::test
