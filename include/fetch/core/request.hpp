#pragma once
// The request fetch sends to every URL, built once from the options: method and headers.
// Per URL only the target changes (Host, path, credentials); see http1/request_writer.hpp.

#include <string>
#include <vector>

namespace fetch {

struct Header {
  std::string name;
  std::string value;  // validated: no CR, LF or other controls
};

struct RequestSpec {
  std::string method = "GET";
  // Sent after Host, in this order: User-Agent and Accept by default.
  std::vector<Header> headers;

  // A response to HEAD has no body, whatever its Content-Length says (RFC 9110 9.3.2).
  bool head() const noexcept { return method == "HEAD"; }
};

// GET (or HEAD) with fetch's default headers: User-Agent `user_agent`, Accept */*.
RequestSpec default_request(std::string user_agent, bool head);

}  // namespace fetch
