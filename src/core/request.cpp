#include "fetch/core/request.hpp"

#include <utility>

namespace fetch {

RequestSpec default_request(std::string user_agent, bool head) {
  RequestSpec spec;
  spec.method = head ? "HEAD" : "GET";
  spec.headers.push_back({"User-Agent", std::move(user_agent)});
  spec.headers.push_back({"Accept", "*/*"});
  return spec;
}

}  // namespace fetch
