#pragma once
// Starts one of our test servers (tests/servers/*.py), which bind port 0 and print the port
// they got as their first line of output ("12345", or ending in it: "ACCEPT 127.0.0.1:12345"
// as `openssl s_server -accept 127.0.0.1:0` prints); a server with several listeners prints
// one port per line.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fetch::test {

struct ScriptServer {
  pid_t pid = -1;
  std::uint16_t port = 0;            // the first line's
  std::vector<std::uint16_t> ports;  // every line's, `port` first
};

// Spawns `argv` and waits (up to 5 s in all) for the `lines` ports it prints, one per line.
// The caller owns the process and stops it with stop_process(pid). Throws std::runtime_error
// when a port is not reported.
ScriptServer start_script_server(const std::vector<std::string>& argv, std::size_t lines = 1);

}  // namespace fetch::test
