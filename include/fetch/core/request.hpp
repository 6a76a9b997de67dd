#pragma once
// The request fetch sends to every URL, built once from the options: method and headers.
// Per URL only the target changes (Host, path, credentials); see http1/request_writer.hpp.

#include <string>
#include <string_view>
#include <vector>

namespace fetch {

struct Header {
  std::string name;
  std::string value;  // validated: no CR, LF or other controls
};

class RequestSpec {
 public:
  RequestSpec() : RequestSpec("GET", {}) {}
  // `headers` are sent after Host, in this order.
  RequestSpec(std::string method, std::vector<Header> headers);

  const std::string& method() const noexcept { return method_; }
  const std::vector<Header>& headers() const noexcept { return headers_; }
  // The headers as HTTP/1.1 sends them, "Name: value\r\n" each: written once, copied into
  // every request.
  std::string_view header_lines() const noexcept { return header_lines_; }

  // A response to HEAD has no body, whatever its Content-Length says (RFC 9110 9.3.2).
  bool head() const noexcept { return method_ == "HEAD"; }

 private:
  std::string method_;
  std::vector<Header> headers_;
  std::string header_lines_;
};

// The codings fetch undoes (body/decoder.hpp), in the browsers' order.
inline constexpr std::string_view kAcceptEncoding = "gzip, deflate, br, zstd";

// GET (or HEAD) with fetch's default headers: User-Agent `user_agent`, Accept */*, and, when
// `compressed` (unless --no-compressed), Accept-Encoding.
RequestSpec default_request(std::string user_agent, bool head, bool compressed = true);

}  // namespace fetch
