#include "fetch/http1/request_writer.hpp"

#include "fetch/core/request.hpp"
#include "fetch/input/url.hpp"

namespace fetch {

const std::string* write_request(const RequestSpec& spec, const Target& target, std::string& out) {
  out.clear();
  // Through a proxy, plain http goes in absolute form (RFC 9112 3.2.2), without credentials.
  const Route* route = target.origin.route();
  const bool forwarded = route && route->proxy && !target.origin.tls();
  out.append(spec.method()).append(" ");
  if (forwarded) out.append("http://").append(target.host_header);
  out.append(target.request_target).append(" HTTP/1.1\r\nHost: ");
  out.append(spec.host().empty() ? target.host_header : spec.host()).append("\r\n");
  out.append(spec.header_lines());
  const std::string* body = spec.body();
  if (body) out.append("Content-Length: ").append(std::to_string(body->size())).append("\r\n");
  if (!target.authorization.empty() && !spec.authorizes()) {
    out.append("Authorization: ").append(target.authorization).append("\r\n");
  }
  if (forwarded && !route->proxy_authorization.empty()) {
    out.append("Proxy-Authorization: ").append(route->proxy_authorization).append("\r\n");
  }
  out.append("\r\n");
  if (body && body->size() <= kInlineBody) {
    out.append(*body);
    return nullptr;
  }
  return body;
}

}  // namespace fetch
