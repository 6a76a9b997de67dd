#include "fetch/core/error.hpp"

#include <array>
#include <string>

namespace fetch {

std::string_view to_string(Stage stage) noexcept {
  switch (stage) {
    case Stage::input:
      return "input";
    case Stage::resolve:
      return "resolve";
    case Stage::connect:
      return "connect";
    case Stage::tls:
      return "tls";
    case Stage::write:
      return "write";
    case Stage::read:
      return "read";
    case Stage::redirect:
      return "redirect";
    case Stage::timeout:
      return "timeout";
    case Stage::proxy:
      return "proxy";
  }
  return "unknown";
}

namespace {

struct CodeText {
  errc code;
  std::string_view name;         // stable, for programs
  std::string_view description;  // for error_code::message()
};

// In enum order, so that a code is its own index (checked below).
constexpr std::array kCodes{
    CodeText{errc::bad_url, "bad_url", "not a usable http(s) URL"},
    CodeText{errc::line_too_long, "line_too_long", "input line too long"},
    CodeText{errc::host_not_found, "host_not_found", "host not found"},
    CodeText{errc::resolve_failed, "resolve_failed", "name resolution failed"},
    CodeText{errc::connect_refused, "connect_refused", "connection refused"},
    CodeText{errc::connect_failed, "connect_failed", "cannot connect"},
    CodeText{errc::tls_verify_failed, "tls_verify_failed", "certificate verification failed"},
    CodeText{errc::tls_handshake_failed, "tls_handshake_failed", "TLS handshake failed"},
    CodeText{errc::tls_setup_failed, "tls_setup_failed", "cannot set up TLS"},
    CodeText{errc::write_failed, "write_failed", "cannot send the request"},
    CodeText{errc::empty_reply, "empty_reply", "connection closed before any response byte"},
    CodeText{errc::bad_response, "bad_response", "malformed response head"},
    CodeText{errc::bad_body, "bad_body", "malformed response body"},
    CodeText{errc::body_truncated, "body_truncated", "body truncated"},
    CodeText{errc::body_too_large, "body_too_large", "body larger than --max-filesize"},
    CodeText{errc::too_many_redirects, "too_many_redirects", "too many redirects"},
    CodeText{errc::redirect_loop, "redirect_loop", "redirect loop"},
    CodeText{errc::bad_redirect_location, "bad_redirect_location", "invalid redirect location"},
    CodeText{errc::unsupported_redirect_scheme, "unsupported_redirect_scheme",
             "redirect to an unsupported scheme"},
    CodeText{errc::timeout_connect, "timeout_connect", "connect timed out (--connect-timeout)"},
    CodeText{errc::timeout_max_time, "timeout_max_time", "timed out (--max-time)"},
    CodeText{errc::decode_corrupt, "decode_corrupt", "corrupt content coding"},
    CodeText{errc::decode_bomb, "decode_bomb", "decompression bomb"},
    CodeText{errc::decode_memory, "decode_memory", "decoder memory budget spent"},
    CodeText{errc::decode_too_many_codings, "decode_too_many_codings", "too many content codings"},
    CodeText{errc::h2_protocol_error, "h2_protocol_error", "HTTP/2 PROTOCOL_ERROR"},
    CodeText{errc::h2_internal_error, "h2_internal_error", "HTTP/2 INTERNAL_ERROR"},
    CodeText{errc::h2_flow_control_error, "h2_flow_control_error", "HTTP/2 FLOW_CONTROL_ERROR"},
    CodeText{errc::h2_settings_timeout, "h2_settings_timeout", "HTTP/2 SETTINGS_TIMEOUT"},
    CodeText{errc::h2_stream_closed, "h2_stream_closed", "HTTP/2 STREAM_CLOSED"},
    CodeText{errc::h2_frame_size_error, "h2_frame_size_error", "HTTP/2 FRAME_SIZE_ERROR"},
    CodeText{errc::h2_refused_stream, "h2_refused_stream", "HTTP/2 REFUSED_STREAM"},
    CodeText{errc::h2_cancel, "h2_cancel", "HTTP/2 CANCEL"},
    CodeText{errc::h2_compression_error, "h2_compression_error", "HTTP/2 COMPRESSION_ERROR"},
    CodeText{errc::h2_connect_error, "h2_connect_error", "HTTP/2 CONNECT_ERROR"},
    CodeText{errc::h2_enhance_your_calm, "h2_enhance_your_calm", "HTTP/2 ENHANCE_YOUR_CALM"},
    CodeText{errc::h2_inadequate_security, "h2_inadequate_security", "HTTP/2 INADEQUATE_SECURITY"},
    CodeText{errc::h2_http_1_1_required, "h2_http_1_1_required", "HTTP/2 HTTP_1_1_REQUIRED"},
    CodeText{errc::save_failed, "save_failed", "cannot save the body (--output-dir)"},
    CodeText{errc::proxy_connect_failed, "proxy_connect_failed", "cannot connect to the proxy"},
    CodeText{errc::proxy_auth_required, "proxy_auth_required", "proxy authentication required"},
    CodeText{errc::proxy_refused, "proxy_refused", "the proxy refused the tunnel"},
    CodeText{errc::proxy_bad_response, "proxy_bad_response", "bad answer from the proxy"},
};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kCodes.size(); ++i) {
    if (static_cast<std::size_t>(kCodes[i].code) != i + 1) return false;
  }
  return true;
}
static_assert(in_enum_order(), "kCodes lists every errc, in enum order");

const CodeText* find(errc code) noexcept {
  const auto index = static_cast<std::size_t>(code) - 1;
  return index < kCodes.size() ? &kCodes[index] : nullptr;
}

class FetchCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "fetch"; }

  std::string message(int value) const override {
    const CodeText* text = find(static_cast<errc>(value));
    return text ? std::string{text->description} : "unknown fetch error";
  }
};

}  // namespace

std::string_view to_name(errc code) noexcept {
  const CodeText* text = find(code);
  return text ? text->name : "unknown";
}

const boost::system::error_category& error_category() noexcept {
  static const FetchCategory category;
  return category;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace fetch
