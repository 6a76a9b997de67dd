#include "fetch/http1/response_parser.hpp"

namespace fetch {

namespace http = boost::beast::http;

// curl accepts 100 KiB of response headers; Beast's default of 8 KiB rejects real sites.
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

ResponseParser::ResponseParser(BodySink& body) : body_(body) {
  body_.start();
  header_limit(kHeaderLimit);
  // Bodies are counted, not stored: no limit unless --max-filesize sets one.
  body_limit(boost::none);
}

void ResponseParser::on_request_impl(http::verb, string_view, string_view, int, error_code&) {}

void ResponseParser::on_response_impl(int code, string_view, int, error_code& ec) {
  // The grammar allows any three digits; RFC 9110 defines 100-599 and a status below 100
  // would otherwise pass for success.
  if (code < 100 || code > 599) {
    ec = http::error::bad_status;
    return;
  }
  status_ = static_cast<unsigned>(code);
}

void ResponseParser::on_field_impl(http::field name, string_view, string_view value, error_code&) {
  if (name == http::field::location && !has_location_) {
    has_location_ = true;
    location_.assign(value.data(), value.size());
  }
}

void ResponseParser::on_header_impl(error_code&) {}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

std::size_t ResponseParser::on_body_impl(string_view body, error_code&) {
  body_.data({body.data(), body.size()});
  return body.size();
}

void ResponseParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  body_.data({body.data(), body.size()});
  return body.size();
}

void ResponseParser::on_finish_impl(error_code&) {}

}  // namespace fetch
