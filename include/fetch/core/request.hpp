#pragma once
// The request fetch sends to every URL, built once from the options: method, headers and
// body. Per URL only the target changes (Host, path, credentials); see
// http1/request_writer.hpp. A redirect may change the method and drop the body (see
// client/redirect_policy.hpp).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fetch {

struct Header {
  std::string name;
  std::string value;  // validated: no CR, LF or other controls
};

class RequestSpec {
 public:
  RequestSpec() : RequestSpec("GET", {}) {}
  // `headers` are sent after Host, in this order. `body`, when not null, is sent whole with
  // a Content-Length (0 for an empty one); `host`, when not empty, replaces the URL's Host.
  RequestSpec(std::string method, std::vector<Header> headers,
              std::shared_ptr<const std::string> body = nullptr, std::string host = {});

  const std::string& method() const noexcept { return method_; }
  const std::vector<Header>& headers() const noexcept { return headers_; }
  // The headers as HTTP/1.1 sends them, "Name: value\r\n" each: written once, copied into
  // every request.
  std::string_view header_lines() const noexcept { return header_lines_; }
  // The body, or null when the request has none (not even an empty one).
  const std::string* body() const noexcept { return body_.get(); }
  const std::shared_ptr<const std::string>& shared_body() const noexcept { return body_; }
  // The Host header the user gave (-H 'Host: ...'), or empty: the URL's.
  const std::string& host() const noexcept { return host_; }
  // An Authorization header is among the headers (-H): the URL's credentials then are not
  // sent, as curl lets a custom header replace the one it makes.
  bool authorizes() const noexcept { return authorizes_; }

  // A response to HEAD has no body, whatever its Content-Length says (RFC 9110 9.3.2).
  bool head() const noexcept { return method_ == "HEAD"; }

 private:
  std::string method_;
  std::vector<Header> headers_;
  std::string header_lines_;
  std::shared_ptr<const std::string> body_;
  std::string host_;
  bool authorizes_ = false;
};

// The codings fetch undoes (body/decoder.hpp), in the browsers' order.
inline constexpr std::string_view kAcceptEncoding = "gzip, deflate, br, zstd";

// GET (or HEAD) with fetch's default headers: User-Agent `user_agent`, Accept */*, and, when
// `compressed` (unless --no-compressed), Accept-Encoding.
RequestSpec default_request(std::string user_agent, bool head, bool compressed = true);

// One -H argument, as curl reads it: "Name: value" sends the header, replacing a default
// header of that name; "Name:" removes the header; "Name;" sends it with an empty value.
struct HeaderOption {
  std::string name;
  std::string value;
  bool remove = false;
};

// Parses `text` as -H takes it, or returns why it cannot be sent, naming the header:
// a name that is no HTTP token, CR, LF, NUL or other control characters (header
// injection), or Content-Length and Transfer-Encoding, which fetch writes itself.
std::variant<HeaderOption, std::string> parse_header_option(std::string_view text);

// Whether `text` is an HTTP token (RFC 9110 5.6.2): a method or header name.
bool is_token(std::string_view text) noexcept;

// The request the options describe.
struct RequestOptions {
  std::string user_agent;
  bool head = false;                  // -I
  bool compressed = true;             // not --no-compressed
  std::string method;                 // -X, validated; empty: HEAD, POST or GET by the rest
  std::vector<HeaderOption> headers;  // -H, in order
  std::optional<std::string> body;    // -d, --data-binary and --json, joined
  bool json = false;                  // --json: Content-Type and Accept application/json
};

// Defaults first (User-Agent, Accept, Accept-Encoding, then Content-Type when there is a
// body), each replaced in place by a -H of the same name (compared case-insensitively) or
// removed by "Name:"; further -H headers follow in order. The method is -X, else HEAD
// with -I, POST with a body, GET.
RequestSpec build_request(const RequestOptions& options);

// Case-insensitive ASCII comparison, for header names.
bool iequals_ascii(std::string_view a, std::string_view b) noexcept;

}  // namespace fetch
