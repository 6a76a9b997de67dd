#include "support/fake_dns_server.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/process.hpp"
#include "support/script_server.hpp"

namespace fetch::test {

FakeDnsServer::FakeDnsServer(double slow_seconds) {
  log_ = std::filesystem::temp_directory_path() /
         ("fetch-dns-" + std::to_string(::getpid()) + "-" +
          std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".log");
  const ScriptServer server =
      start_script_server({"/usr/bin/python3", FETCH_TEST_SOURCE_DIR "/servers/fake_dns_server.py",
                           "--slow", std::to_string(slow_seconds), "--log", log_.string()});
  pid_ = server.pid;
  port_ = server.port;
}

FakeDnsServer::~FakeDnsServer() {
  stop_process(pid_);
  std::error_code ignored;
  std::filesystem::remove(log_, ignored);
}

std::string FakeDnsServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

int FakeDnsServer::queries(const std::string& name, int qtype) const {
  std::ifstream log{log_};
  const std::string wanted = std::to_string(qtype) + " " + name;
  int count = 0;
  for (std::string line; std::getline(log, line);) {
    count += line == wanted ? 1 : 0;
  }
  return count;
}

}  // namespace fetch::test
