#include "fetch/http1/request_writer.hpp"

#include "fetch/input/url.hpp"

namespace fetch {

void write_request(const Target& target, std::string_view user_agent, bool head, std::string& out) {
  out.clear();
  out.append(head ? "HEAD " : "GET ").append(target.request_target).append(" HTTP/1.1\r\nHost: ");
  out.append(target.host_header).append("\r\nUser-Agent: ").append(user_agent);
  out.append("\r\nAccept: */*\r\n");
  if (!target.authorization.empty()) {
    out.append("Authorization: ").append(target.authorization).append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace fetch
