#include "support/openssl_server.hpp"

#include <vector>

#include "support/nginx_server.hpp"  // pki_dir()
#include "support/process.hpp"
#include "support/script_server.hpp"

namespace fetch::test {

OpensslServer::OpensslServer(std::string_view protocol, std::string_view cert,
                             std::string_view key) {
  const auto pki = pki_dir();
  // Port 0: s_server prints "ACCEPT 127.0.0.1:PORT" once it listens (as its first line only
  // with -no_dhe, which skips a note about DH parameters; ECDHE suites remain).
  const ScriptServer server =
      start_script_server({"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
                           "-no_dhe", "-" + std::string(protocol), "-cipher", "DEFAULT:@SECLEVEL=0",
                           "-cert", (pki / cert).string(), "-key", (pki / key).string()});
  pid_ = server.pid;
  port_ = server.port;
}

OpensslServer::~OpensslServer() { stop_process(pid_); }

std::string OpensslServer::url(std::string_view path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

}  // namespace fetch::test
