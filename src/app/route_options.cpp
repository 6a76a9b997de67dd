// The options that say where connections go: name overrides, other hosts, proxies.
#include <CLI/CLI.hpp>
#include <string>
#include <variant>

#include "fetch/app/options.hpp"
#include "fetch/client/proxy.hpp"
#include "fetch/client/routes.hpp"
#include "fetch/dns/resolver.hpp"

namespace fetch {
namespace {

// A validator from a parser that returns a value or a reason.
template <class Parse>
CLI::Validator parsed_by(Parse parse) {
  return CLI::Validator(
      [parse](std::string& input) -> std::string {
        auto parsed = parse(input);
        if (auto* reason = std::get_if<std::string>(&parsed)) return "'" + input + "': " + *reason;
        return {};
      },
      "");
}

}  // namespace

// Connection: where each origin's connections go.
void add_route_options(CLI::App& app, Options& options) {
  app.add_option_function<std::string>(
         "--resolve", [&options](const std::string& entry) { options.resolve.push_back(entry); },
         "Use these addresses for HOST at PORT instead of asking DNS, as curl's "
         "(repeatable; HOST '*' for any): example.org:443:127.0.0.1. TLS still "
         "verifies the URL's name")
      ->check(parsed_by(parse_resolve_override))
      ->trigger_on_parse()
      ->type_name("HOST:PORT:ADDR[,ADDR]");
  app.add_option_function<std::string>(
         "--connect-to",
         [&options](const std::string& rule) { options.connect_to.push_back(rule); },
         "Connect to HOST2:PORT2 for URLs to HOST1:PORT1, as curl's (repeatable, the "
         "first that matches applies; an empty part matches any, or keeps the URL's): "
         "example.org:443:127.0.0.1:8443. Host header and TLS name stay the URL's")
      ->check(parsed_by(parse_connect_to))
      ->trigger_on_parse()
      ->type_name("HOST1:PORT1:HOST2:PORT2");
}

// Proxy: an HTTP proxy for every URL, or the one the environment names.
void add_proxy_options(CLI::App& app, Options& options) {
  app.option_defaults()->group("Proxy");
  app.add_option("-x,--proxy", options.proxy,
                 "Send every request through this HTTP proxy: CONNECT tunnels for https, "
                 "absolute-form requests for http; credentials as http://USER:PASS@HOST:PORT "
                 "(never printed), port 1080 when none is given. '' uses no proxy, not even "
                 "one from http_proxy, HTTPS_PROXY or ALL_PROXY, read as curl reads them")
      ->check(CLI::Validator(
          [](std::string& input) -> std::string {
            if (input.empty()) return {};
            auto parsed = parse_proxy_url(input);
            if (auto* reason = std::get_if<std::string>(&parsed)) return *reason;
            return {};
          },
          ""))
      ->type_name("URL");
  app.add_option("--noproxy", options.noproxy,
                 "Connect directly to these hosts, a comma-separated list of names (which also "
                 "match their subdomains) and IP addresses or CIDR ranges, or '*' for all; "
                 "replaces NO_PROXY (--noproxy '' exempts none)")
      ->type_name("LIST");
}

}  // namespace fetch
