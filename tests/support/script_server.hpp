#pragma once
// Starts one of our test servers (tests/servers/*.py), which bind port 0 and print the port
// they got as their first line of output ("12345", or ending in it: "ACCEPT 127.0.0.1:12345"
// as `openssl s_server -accept 127.0.0.1:0` prints).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fetch::test {

struct ScriptServer {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

// Spawns `argv` and waits (up to 5 s) for the port it prints. The caller owns the process and
// stops it with stop_process(pid). Throws std::runtime_error when no port is reported.
ScriptServer start_script_server(const std::vector<std::string>& argv);

}  // namespace fetch::test
