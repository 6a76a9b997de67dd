#include "fetch/http1/request_writer.hpp"

#include "fetch/core/request.hpp"
#include "fetch/input/url.hpp"

namespace fetch {

void write_request(const RequestSpec& spec, const Target& target, std::string& out) {
  out.clear();
  out.append(spec.method()).append(" ").append(target.request_target).append(" HTTP/1.1\r\nHost: ");
  out.append(spec.host().empty() ? target.host_header : spec.host()).append("\r\n");
  out.append(spec.header_lines());
  if (const std::string* body = spec.body()) {
    out.append("Content-Length: ").append(std::to_string(body->size())).append("\r\n");
  }
  if (!target.authorization.empty() && !spec.authorizes()) {
    out.append("Authorization: ").append(target.authorization).append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace fetch
