#include "fetch/http1/request_writer.hpp"

#include "fetch/core/request.hpp"
#include "fetch/input/url.hpp"

namespace fetch {

void write_request(const RequestSpec& spec, const Target& target, std::string& out) {
  out.clear();
  out.append(spec.method()).append(" ").append(target.request_target).append(" HTTP/1.1\r\nHost: ");
  out.append(target.host_header).append("\r\n").append(spec.header_lines());
  if (!target.authorization.empty()) {
    out.append("Authorization: ").append(target.authorization).append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace fetch
