#include "support/delay_proxy.hpp"

#include <string>

#include "support/process.hpp"
#include "support/script_server.hpp"

namespace fetch::test {

DelayProxy::DelayProxy(std::uint16_t target_port, int rtt_ms) {
  const ScriptServer server =
      start_script_server({"/usr/bin/python3", FETCH_TEST_SOURCE_DIR "/../bench/wan_proxy.py",
                           "--target", "127.0.0.1:" + std::to_string(target_port), "--rtt-ms",
                           std::to_string(rtt_ms), "--down-mbit", "0"},
                          2);
  pid_ = server.pid;
  port_ = server.port;
}

DelayProxy::~DelayProxy() { stop_process(pid_); }

}  // namespace fetch::test
