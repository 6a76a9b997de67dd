#include "support/single_threaded_server.hpp"

#include <vector>

#include "support/nginx_server.hpp"  // pki_dir()
#include "support/process.hpp"
#include "support/script_server.hpp"

namespace fetch::test {

SingleThreadedServer::SingleThreadedServer(bool tls) : tls_(tls) {
  std::vector<std::string> argv{"/usr/bin/python3",
                                FETCH_TEST_SOURCE_DIR "/servers/single_threaded_server.py"};
  if (tls_) {
    const auto pki = pki_dir();
    argv.insert(argv.end(), {"--tls", (pki / "good.pem").string(), (pki / "good.key").string()});
  }
  const ScriptServer server = start_script_server(argv);
  pid_ = server.pid;
  port_ = server.port;
}

SingleThreadedServer::~SingleThreadedServer() { stop_process(pid_); }

std::string SingleThreadedServer::url(std::string_view path) const {
  return std::string(tls_ ? "https://" : "http://") + "127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

}  // namespace fetch::test
