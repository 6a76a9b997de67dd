// Command-line options parsed from vectors of arguments, as a shell would pass them.
#include "fetch/app/options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace fetch {
namespace {

// Parses `args` (without the program name) into a fresh Options.
Options parse(std::vector<std::string> args) {
  CLI::App app{"fetch"};
  Options options;
  add_options(app, options);
  // CLI11 consumes the vector from the back.
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return options;
}

void expect_rejected(std::vector<std::string> args) {
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_THROW((void)parse(args), CLI::ParseError) << joined;
}

TEST(Options, Defaults) {
  const Options o = parse({});
  EXPECT_TRUE(o.inputs.empty());
  EXPECT_EQ(o.concurrency, 50u);
  EXPECT_EQ(o.connect_timeout_s, 10);
  EXPECT_EQ(o.max_time_s, 30);
  EXPECT_EQ(o.max_redirects, 10u);
  EXPECT_FALSE(o.max_filesize.has_value());
  EXPECT_EQ(o.dns_servers, "");
  EXPECT_EQ(o.cacert, "");
  EXPECT_FALSE(o.insecure);
  EXPECT_FALSE(o.no_session_reuse);
  EXPECT_EQ(o.format, OutputFormat::automatic);
  EXPECT_EQ(o.colour, ColourMode::automatic);
  EXPECT_TRUE(o.progress);
  EXPECT_FALSE(o.quiet);
  EXPECT_EQ(o.user_agent, "fetch/" FETCH_VERSION);
}

TEST(Options, Inputs) {
  const Options o = parse({"urls.txt", "-", "https://example.com/", "http://a/?x=1"});
  EXPECT_EQ(o.inputs,
            (std::vector<std::string>{"urls.txt", "-", "https://example.com/", "http://a/?x=1"}));
  // Options may come between and after inputs; "--" ends options.
  const Options mixed = parse({"a.txt", "-j", "3", "b.txt", "--", "-q"});
  EXPECT_EQ(mixed.inputs, (std::vector<std::string>{"a.txt", "b.txt", "-q"}));
  EXPECT_EQ(mixed.concurrency, 3u);
  EXPECT_FALSE(mixed.quiet);
}

TEST(Options, Concurrency) {
  EXPECT_EQ(parse({"-j", "1"}).concurrency, 1u);
  EXPECT_EQ(parse({"-j8"}).concurrency, 8u);
  EXPECT_EQ(parse({"--concurrency", "10000"}).concurrency, 10000u);
  EXPECT_EQ(parse({"--concurrency=200"}).concurrency, 200u);
  expect_rejected({"-j", "0"});
  expect_rejected({"-j", "10001"});
  expect_rejected({"-j", "-5"});
  expect_rejected({"-j", "many"});
  expect_rejected({"-j", "1.5"});
  expect_rejected({"-j"});
}

TEST(Options, Timeouts) {
  const Options o = parse({"--connect-timeout", "2.5", "-m", "60"});
  EXPECT_DOUBLE_EQ(o.connect_timeout_s, 2.5);
  EXPECT_DOUBLE_EQ(o.max_time_s, 60);
  EXPECT_DOUBLE_EQ(parse({"--max-time=0.25"}).max_time_s, 0.25);
  EXPECT_DOUBLE_EQ(parse({"--connect-timeout", "1000000"}).connect_timeout_s, 1000000);
  for (const char* bad : {"0", "-1", "abc", "nan", "inf", "1e300", "1000001", ""}) {
    expect_rejected({"--connect-timeout", bad});
    expect_rejected({"--max-time", bad});
  }
}

TEST(Options, Redirects) {
  EXPECT_EQ(parse({"--max-redirects", "0"}).max_redirects, 0u);
  EXPECT_EQ(parse({"--max-redirects", "3"}).max_redirects, 3u);
  expect_rejected({"--max-redirects", "-1"});
  expect_rejected({"--max-redirects", "lots"});
}

TEST(Options, MaxFilesize) {
  EXPECT_EQ(parse({"--max-filesize", "1000"}).max_filesize, 1000u);
  EXPECT_EQ(parse({"--max-filesize", "0"}).max_filesize, 0u);
  EXPECT_EQ(parse({"--max-filesize", "10k"}).max_filesize, 10u * 1024);
  EXPECT_EQ(parse({"--max-filesize", "2M"}).max_filesize, 2u * 1024 * 1024);
  EXPECT_EQ(parse({"--max-filesize", "1G"}).max_filesize, 1024u * 1024 * 1024);
  EXPECT_EQ(parse({"--max-filesize", "3KiB"}).max_filesize, 3u * 1024);
  EXPECT_EQ(parse({"--max-filesize", "3kb"}).max_filesize, 3u * 1024);
  EXPECT_EQ(parse({"--max-filesize", "7b"}).max_filesize, 7u);
  EXPECT_EQ(parse({"--max-filesize", "1T"}).max_filesize, 1ull << 40);
  EXPECT_EQ(parse({"--max-filesize", "18446744073709551615"}).max_filesize, UINT64_MAX);
  expect_rejected({"--max-filesize", "18446744073709551616"});
  expect_rejected({"--max-filesize", "16777216T"});
  expect_rejected({"--max-filesize", "1.5M"});
  expect_rejected({"--max-filesize", "10ib"});
  expect_rejected({"--max-filesize", "M"});
  expect_rejected({"--max-filesize", ""});
  expect_rejected({"--max-filesize", "-1"});
  expect_rejected({"--max-filesize", "big"});
  expect_rejected({"--max-filesize", "10 parsecs"});
  expect_rejected({"--max-filesize", "99999999999999999999999"});
}

TEST(Options, DnsServers) {
  EXPECT_EQ(parse({"--dns-servers", "127.0.0.1"}).dns_servers, "127.0.0.1");
  EXPECT_EQ(parse({"--dns-servers", "127.0.0.1:5353,::1,[::1]:53,8.8.8.8"}).dns_servers,
            "127.0.0.1:5353,::1,[::1]:53,8.8.8.8");
  for (const char* bad :
       {"", "dns.example", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4,", ",1.2.3.4", "[::1",
        "[::1]:", "[1.2.3.4]:53", "::1:53x", "1.2.3.4 ", "1.2.3.4;5.6.7.8"}) {
    expect_rejected({"--dns-servers", bad});
  }
}

TEST(Options, Cacert) {
  EXPECT_EQ(parse({"--cacert", "/dev/null"}).cacert, "/dev/null");
  expect_rejected({"--cacert", "/nonexistent/ca.pem"});
  expect_rejected({"--cacert", "/"});  // a directory is not a bundle
}

TEST(Options, Flags) {
  const Options o = parse({"-k", "-q", "--no-progress"});
  EXPECT_TRUE(o.insecure);
  EXPECT_TRUE(o.quiet);
  EXPECT_FALSE(o.progress);
  const Options combined = parse({"-kq"});
  EXPECT_TRUE(combined.insecure);
  EXPECT_TRUE(combined.quiet);
  EXPECT_TRUE(combined.progress);
  EXPECT_TRUE(parse({"--insecure", "--quiet"}).insecure);
  expect_rejected({"--no-progress=yes"});
  expect_rejected({"--quiet=no"});
  expect_rejected({"--insecure=false"});
  EXPECT_TRUE(parse({"--no-sessionid"}).no_session_reuse);
  expect_rejected({"--no-sessionid=false"});
}

TEST(Options, Format) {
  EXPECT_EQ(parse({"-f", "text"}).format, OutputFormat::text);
  EXPECT_EQ(parse({"--format", "tsv"}).format, OutputFormat::tsv);
  EXPECT_EQ(parse({"--format=json"}).format, OutputFormat::json);
  EXPECT_EQ(parse({"-f", "JSON"}).format, OutputFormat::json);
  expect_rejected({"-f", "xml"});
  expect_rejected({"-f", "1"});  // the enum's number is not a format name
  expect_rejected({"-f"});
}

TEST(Options, WriteOut) {
  EXPECT_FALSE(parse({}).write_out);
  const Options o = parse({"-w", "%{http_code} %{url}\\n"});
  ASSERT_TRUE(o.write_out);
  Result r;
  r.status = 204;
  r.url = "http://a/";
  std::string out;
  o.write_out->render(out, r);
  EXPECT_EQ(out, "204 http://a/\n");
  EXPECT_TRUE(parse({"--write-out=%{json}"}).write_out);
  EXPECT_TRUE(parse({"-w", ""}).write_out);  // writes nothing per URL, as curl's
  expect_rejected({"-w", "%{nope}"});
  expect_rejected({"-w", "%{http_code"});
  expect_rejected({"-w"});
}

TEST(Options, WriteOutFromAFile) {
  char name[] = "/tmp/fetch-options-test-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  const std::string text = "code=%{http_code}\n";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  const Options o = parse({"-w", std::string("@") + name});
  ::unlink(name);
  ASSERT_TRUE(o.write_out);
  Result r;
  r.status = 200;
  std::string out;
  o.write_out->render(out, r);
  EXPECT_EQ(out, "code=200\n");
  expect_rejected({"-w", "@/nonexistent/format.txt"});
}

TEST(Options, RepeatedOptionsTakeTheLastValue) {
  EXPECT_EQ(parse({"-f", "text", "-f", "json"}).format, OutputFormat::json);
  EXPECT_EQ(parse({"-j", "3", "--concurrency", "7"}).concurrency, 7u);
  EXPECT_EQ(parse({"-A", "one", "-A", "two"}).user_agent, "two");
  EXPECT_EQ(parse({"--color", "never", "--color", "always"}).colour, ColourMode::always);
  EXPECT_DOUBLE_EQ(parse({"-m", "5", "-m", "2"}).max_time_s, 2);
  EXPECT_EQ(parse({"--max-filesize", "1k", "--max-filesize", "2k"}).max_filesize, 2048u);
  EXPECT_TRUE(parse({"-q", "-q"}).quiet);
  EXPECT_TRUE(parse({"-k", "--insecure"}).insecure);
  // A rejected value is rejected wherever it comes.
  expect_rejected({"-j", "0", "-j", "5"});
  // The inputs are all kept.
  EXPECT_EQ(parse({"a", "-j", "2", "b"}).inputs, (std::vector<std::string>{"a", "b"}));
}

TEST(Options, OptionsThatUndoEachOtherFollowTheCommandLine) {
  EXPECT_FALSE(parse({"--compressed", "--no-compressed"}).compressed);
  EXPECT_TRUE(parse({"--no-compressed", "--compressed"}).compressed);
  // -f and -w both choose what a record looks like.
  const Options template_last = parse({"-f", "json", "-w", "%{url}"});
  EXPECT_TRUE(template_last.write_out);
  const Options format_last = parse({"-w", "%{url}", "-f", "json"});
  EXPECT_FALSE(format_last.write_out);
  EXPECT_EQ(format_last.format, OutputFormat::json);
  EXPECT_TRUE(parse({"-w", "a", "-w", "%{url}"}).write_out);
}

TEST(Options, Colour) {
  EXPECT_EQ(parse({"--color", "always"}).colour, ColourMode::always);
  EXPECT_EQ(parse({"--colour", "never"}).colour, ColourMode::never);
  EXPECT_EQ(parse({"--color=auto"}).colour, ColourMode::automatic);
  EXPECT_EQ(parse({"--colour=Always"}).colour, ColourMode::always);
  expect_rejected({"--color", "sometimes"});
  expect_rejected({"--color", "2"});
}

TEST(Options, UserAgent) {
  EXPECT_EQ(parse({"-A", "probe/1.0 (+https://example.com)"}).user_agent,
            "probe/1.0 (+https://example.com)");
  EXPECT_EQ(parse({"--user-agent=x"}).user_agent, "x");
  expect_rejected({"-A", "x\r\nX-Injected: 1"});
  expect_rejected({"-A", "x\ny"});
}

TEST(Options, RequestMethodAndHeaders) {
  const Options o = parse({"-X", "PUT", "-H", "X-A: 1", "--header", "Accept:", "-H", "X-B;"});
  EXPECT_EQ(o.method, "PUT");
  EXPECT_EQ(o.headers, (std::vector<std::string>{"X-A: 1", "Accept:", "X-B;"}));
  EXPECT_EQ(parse({"--request=DELETE"}).method, "DELETE");
  expect_rejected({"-X", "GET /evil HTTP/1.1\r\n"});
  expect_rejected({"-X", "BAD METHOD"});
  expect_rejected({"-X", ""});
  expect_rejected({"-H", "X-A: 1\r\nX-Injected: 2"});
  expect_rejected({"-H", "X-A: 1\nX-Injected: 2"});
  expect_rejected({"-H", std::string("X-A: a\0b", 8)});
  expect_rejected({"-H", "no colon"});
  expect_rejected({"-H", "Content-Length: 3"});
  expect_rejected({"-H"});
}

TEST(Options, HeaderErrorsNameTheHeader) {
  try {
    (void)parse({"-H", "X-Evil: a\r\nInjected: 1"});
    FAIL() << "accepted";
  } catch (const CLI::ParseError& error) {
    EXPECT_NE(std::string(error.what()).find("X-Evil: a\\r\\nInjected: 1"), std::string::npos)
        << error.what();
  }
}

TEST(Options, BodyPartsKeepTheirCommandLineOrder) {
  using Kind = DataArgument::Kind;
  const Options o = parse(
      {"-d", "a=1", "--json", "{}", "--data-binary", "@f", "--data-raw", "@x", "--data", "@-"});
  ASSERT_EQ(o.data.size(), 5u);
  EXPECT_EQ(o.data[0].kind, Kind::data);
  EXPECT_EQ(o.data[0].text, "a=1");
  EXPECT_EQ(o.data[1].kind, Kind::json);
  EXPECT_EQ(o.data[2].kind, Kind::binary);
  EXPECT_EQ(o.data[2].text, "@f");
  EXPECT_EQ(o.data[3].kind, Kind::raw);
  EXPECT_EQ(o.data[4].text, "@-");
  EXPECT_TRUE(body_reads_stdin(o));
  EXPECT_FALSE(body_reads_stdin(parse({"--data-raw", "@-"})))
      << "--data-raw takes '@' as a character";
  expect_rejected({"-d"});
}

TEST(Options, ResolveAndConnectTo) {
  const Options o =
      parse({"--resolve", "a.test:443:127.0.0.1", "--connect-to", "a.test:443:127.0.0.1:8443",
             "--resolve", "*:80:::1", "https://a.test/"});
  EXPECT_EQ(o.resolve, (std::vector<std::string>{"a.test:443:127.0.0.1", "*:80:::1"}));
  EXPECT_EQ(o.connect_to, (std::vector<std::string>{"a.test:443:127.0.0.1:8443"}));
  EXPECT_EQ(o.inputs, (std::vector<std::string>{"https://a.test/"})) << "one value per option";
  for (const char* bad :
       {"a.test", "a.test:443", "a.test:443:", "a.test:x:1.2.3.4", "a.test:443:example.org"}) {
    expect_rejected({"--resolve", bad});
  }
  for (const char* bad : {"a:1:b", "a:1:b:99999", "a:port:b:1"}) {
    expect_rejected({"--connect-to", bad});
  }
}

TEST(Options, Proxy) {
  EXPECT_FALSE(parse({}).proxy.has_value());
  EXPECT_EQ(parse({"-x", "http://127.0.0.1:3128"}).proxy, "http://127.0.0.1:3128");
  EXPECT_EQ(parse({"--proxy", "proxy.test"}).proxy, "proxy.test");
  EXPECT_EQ(parse({"-x", ""}).proxy, "") << "'' disables proxies";
  EXPECT_EQ(parse({"--noproxy", "a.test,10.0.0.0/8"}).noproxy, "a.test,10.0.0.0/8");
  EXPECT_EQ(parse({"--noproxy", ""}).noproxy, "");
  expect_rejected({"-x", "socks5://127.0.0.1:1080"});
  expect_rejected({"-x", "https://proxy.test"});
  expect_rejected({"-x", "http://proxy.test:99999"});
  expect_rejected({"-x"});
}

TEST(Options, Retries) {
  const Options none = parse({});
  EXPECT_EQ(none.retry, 0u);
  EXPECT_EQ(none.retry_delay_s, 0);
  EXPECT_EQ(none.retry_max_time_s, 0);
  EXPECT_FALSE(none.retry_all_errors);
  const Options o = parse(
      {"--retry", "5", "--retry-delay", "0.5", "--retry-max-time", "60", "--retry-all-errors"});
  EXPECT_EQ(o.retry, 5u);
  EXPECT_DOUBLE_EQ(o.retry_delay_s, 0.5);
  EXPECT_DOUBLE_EQ(o.retry_max_time_s, 60);
  EXPECT_TRUE(o.retry_all_errors);
  EXPECT_EQ(parse({"--retry-delay", "0"}).retry_delay_s, 0) << "0: the back-off";
  for (const char* bad : {"-1", "x", "10001", "1.5"}) expect_rejected({"--retry", bad});
  for (const char* bad : {"-1", "nan", "inf", "1000001", "soon"}) {
    expect_rejected({"--retry-delay", bad});
    expect_rejected({"--retry-max-time", bad});
  }
  expect_rejected({"--retry-all-errors=yes"});
}

TEST(Options, ParallelMaxHost) {
  EXPECT_EQ(parse({}).parallel_max_host, 0u);
  EXPECT_EQ(parse({"--parallel-max-host", "2"}).parallel_max_host, 2u);
  for (const char* bad : {"-1", "x", "10001"}) expect_rejected({"--parallel-max-host", bad});
}

TEST(Options, UnknownOptionsAreErrors) {
  expect_rejected({"--concurency", "3"});
  expect_rejected({"-z"});
}

TEST(Options, HelpMentionsEveryOption) {
  CLI::App app{"fetch"};
  Options options;
  add_options(app, options);
  const std::string help = app.help();
  for (const char* name : {"--concurrency",   "--connect-timeout", "--max-time",
                           "--max-redirects", "--max-filesize",    "--dns-servers",
                           "--cacert",        "--insecure",        "--no-sessionid",
                           "--format",        "--color",           "--no-progress",
                           "--quiet",         "--user-agent",      "--write-out",
                           "--request",       "--header",          "--data",
                           "--data-raw",      "--data-binary",     "--json",
                           "inputs"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace fetch
