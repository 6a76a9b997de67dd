#pragma once
// Parses one HTTP/1.1 response head and body, keeping only what fetch reports: the status and
// the Location header. Body bytes go to a BodySink as they are parsed (after chunked
// decoding). No header is stored and no body byte is copied, so a response costs no
// allocation and any body costs the same memory.

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>

#include "fetch/body/body_sink.hpp"

namespace fetch {

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  // `body` counts (and later decodes) the body; it must outlive the parser.
  explicit ResponseParser(BodySink& body);

  unsigned status() const noexcept { return status_; }
  // The first Location header, or empty.
  const std::string& location() const noexcept { return location_; }
  // Body bytes received so far (after chunked decoding).
  std::uint64_t body_bytes() const noexcept { return body_.wire_bytes(); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  unsigned status_ = 0;
  bool has_location_ = false;
  std::string location_;
  BodySink& body_;
};

}  // namespace fetch
