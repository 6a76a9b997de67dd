#pragma once
// The few nghttp2 calls whose names later versions deprecate (mem_recv/mem_send become
// mem_recv2/mem_send2 in 1.61), wrapped in one place; Debian 12 ships 1.52. Private to
// src/http2/.

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fetch::h2 {

// Feeds received bytes to the session; a negative nghttp2 error code when it refused them.
inline long receive(nghttp2_session* session, std::string_view bytes) {
  return static_cast<long>(nghttp2_session_mem_recv(
      session, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// The next bytes the session wants sent, empty when none; a negative size is an error.
inline std::string_view next_to_send(nghttp2_session* session, long& error) {
  const std::uint8_t* data = nullptr;
  const ssize_t size = nghttp2_session_mem_send(session, &data);
  error = size < 0 ? static_cast<long>(size) : 0;
  return size > 0
             ? std::string_view{reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)}
             : std::string_view{};
}

}  // namespace fetch::h2
