#include "fetch/core/error.hpp"

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
  }
  return "unknown";
}

namespace {

class FetchCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "fetch"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::too_many_redirects:
        return "too many redirects";
      case errc::redirect_loop:
        return "redirect loop";
      case errc::bad_redirect_location:
        return "missing or invalid Location header";
      case errc::unsupported_redirect_scheme:
        return "redirect to an unsupported scheme";
      case errc::truncated_body:
        return "body shorter than its Content-Length (truncated)";
      case errc::body_too_large:
        return "body larger than --max-filesize";
      case errc::connect_timeout:
        return "connect timed out";
      case errc::deadline_exceeded:
        return "deadline exceeded";
      case errc::host_not_found:
        return "host not found";
    }
    return "unknown fetch error";
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const FetchCategory category;
  return category;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace fetch
