#pragma once
// What a status code means to fetch, wherever it is asked.

namespace fetch {

// 301, 302, 303, 307 and 308: the responses a browser follows.
constexpr bool is_redirect(unsigned status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace fetch
