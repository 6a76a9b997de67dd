#include "fetch/core/request.hpp"

#include <utility>

namespace fetch {

RequestSpec::RequestSpec(std::string method, std::vector<Header> headers)
    : method_(std::move(method)), headers_(std::move(headers)) {
  for (const Header& header : headers_) {
    header_lines_.append(header.name).append(": ").append(header.value).append("\r\n");
  }
}

RequestSpec default_request(std::string user_agent, bool head, bool compressed) {
  std::vector<Header> headers{{"User-Agent", std::move(user_agent)}, {"Accept", "*/*"}};
  if (compressed) headers.push_back({"Accept-Encoding", std::string{kAcceptEncoding}});
  return RequestSpec{head ? "HEAD" : "GET", std::move(headers)};
}

}  // namespace fetch
