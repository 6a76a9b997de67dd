#include "support/nginx_server.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/net.hpp"
#include "support/process.hpp"

namespace fetch::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kStartAttempts = 5;
constexpr auto kStartTimeout = 5s;
constexpr std::size_t kSmallSize = 1400;
constexpr std::size_t kPageSize = 100 * 1024;
constexpr std::uintmax_t kLargeSize = 32u * 1024 * 1024;
// Written last by tests/pki/make-pki.sh; its version changes with the set of files.
constexpr const char* kPkiStamp = ".done-v2";

const char* nginx_program() {
  return ::access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "/usr/bin/nginx";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Text of exactly `size` bytes: `header`, numbered copies of `line`, then `footer`.
std::string filler(std::size_t size, std::string_view header, std::string_view line,
                   std::string_view footer) {
  std::string text(header);
  for (int n = 1; text.size() + footer.size() < size; ++n) {
    text += std::to_string(n);
    text += ": ";
    text += line;
    text += '\n';
  }
  text.resize(size - footer.size());
  text += footer;
  return text;
}

// The locations every server block shares (see the header for what each does).
std::string locations() {
  std::string text = R"(
    location = /status/404 { return 404; }
    location = /status/500 { return 500; }
    location = /chunked {
      ssi on;
      default_type text/html;
      try_files /chunked.shtml =404;
    }
    location = /redirect/relative { return 302 ../small.txt; }
    location = /redirect/root-relative { absolute_redirect off; return 302 /small.txt; }
    location = /redirect/absolute { return 301 $scheme://$http_host/small.txt; }
    location = /redirect/loop-a { absolute_redirect off; return 302 /redirect/loop-b; }
    location = /redirect/loop-b { absolute_redirect off; return 302 /redirect/loop-a; }
    location /slow/ {
      limit_rate 1000;
      rewrite ^/slow/(.*)$ /$1 break;
    }
)";
  for (int n = 1; n <= NginxServer::kMaxChain; ++n) {
    const std::string next = n == 1 ? "/small.txt" : "/redirect/chain/" + std::to_string(n - 1);
    text += "    location = /redirect/chain/" + std::to_string(n) +
            " { absolute_redirect off; return 302 " + next + "; }\n";
  }
  return text;
}

std::string quoted(const fs::path& path) { return '"' + path.string() + '"'; }

// Runs make-pki.sh once per process when the PKI is missing.
void ensure_pki(const fs::path& dir) {
  static std::once_flag once;
  std::call_once(once, [&] {
    if (fs::exists(dir / kPkiStamp)) return;
    const pid_t pid =
        spawn_server({"/bin/bash", FETCH_TEST_SOURCE_DIR "/pki/make-pki.sh", dir.string()}, -1, -1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(dir / kPkiStamp)) {
      throw std::runtime_error("make-pki.sh " + dir.string() + " failed");
    }
  });
}

}  // namespace

std::string_view to_string(BadCert kind) noexcept {
  switch (kind) {
    case BadCert::expired:
      return "expired";
    case BadCert::wrong_host:
      return "wrong-host";
    case BadCert::self_signed:
      return "self-signed";
    case BadCert::untrusted:
      return "untrusted";
  }
  return "?";
}

void PrintTo(BadCert kind, std::ostream* out) { *out << to_string(kind); }

fs::path pki_dir() {
  const fs::path dir = FETCH_TEST_PKI_DIR;
  ensure_pki(dir);
  return dir;
}

std::string ca_file() { return (pki_dir() / "ca.pem").string(); }

NginxServer::NginxServer() {
  pki_dir();  // generate the PKI before anything that needs cleaning up
  std::string pattern = (fs::temp_directory_path() / "fetch-nginx-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  dir_ = pattern;
  try {
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    fs::create_directories(dir_ / "temp");
    write_docroot();
    for (int attempt = 1;; ++attempt) {
      if (start_once()) return;
      const std::string log = read_file(error_log());
      const bool port_race =
          lost_port_race_ || log.find("Address already in use") != std::string::npos;
      if (!port_race || attempt == kStartAttempts) {
        throw std::runtime_error("nginx did not start (" + dir_.string() + "):\n" + log +
                                 read_file(dir_ / "nginx.out"));
      }
      fs::remove(error_log());
    }
  } catch (...) {
    stop();
    if (std::getenv("FETCH_TEST_KEEP_DIRS") == nullptr) fs::remove_all(dir_);
    throw;
  }
}

NginxServer::~NginxServer() {
  stop();
  std::error_code ignored;
  if (std::getenv("FETCH_TEST_KEEP_DIRS") == nullptr) fs::remove_all(dir_, ignored);
}

void NginxServer::stop() {
  if (pid_ > 0) stop_process(pid_);
  pid_ = -1;
}

void NginxServer::write_docroot() {
  const fs::path www = docroot();
  fs::create_directories(www);
  const std::string small =
      filler(kSmallSize, "", "the quick brown fox jumps over the lazy dog", "end of small.txt\n");
  write_file(www / "small.txt", small);
  write_file(www / "page.html",
             filler(kPageSize, "<!DOCTYPE html>\n<html><body>\n",
                    "<p>A paragraph of a page that is a hundred kibibytes long.</p>",
                    "\n</body></html>\n"));
  { std::ofstream(www / "large.bin", std::ios::binary); }
  fs::resize_file(www / "large.bin", kLargeSize);  // sparse: no blocks written

  const std::string before = "<html><body>\n<p>before the include</p>\n<pre>\n";
  const std::string after = "</pre>\n<p>after the include</p>\n</body></html>\n";
  write_file(www / "chunked.shtml", before + "<!--# include virtual=\"/small.txt\" -->" + after);
  chunked_body_ = before + small + after;
}

void NginxServer::write_config() const {
  const fs::path pki = pki_dir();
  auto tls = [&](std::string_view stem) {
    return "    ssl_certificate " + quoted(pki / (std::string(stem) + ".pem")) +
           ";\n    ssl_certificate_key " + quoted(pki / (std::string(stem) + ".key")) + ";\n";
  };
  const std::string port_http = std::to_string(http_port_);
  const std::string port_https = std::to_string(https_port_);

  std::ostringstream conf;
  conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
       << "error_log " << quoted(error_log()) << " notice;\n"
       << "pid " << quoted(dir_ / "nginx.pid") << ";\n"
       << "events { worker_connections 1024; }\n"
       << "http {\n"
       << "  types { text/plain txt; text/html html shtml; application/octet-stream bin; }\n"
       << "  default_type application/octet-stream;\n"
       << "  log_format fetch_test '$connection $connection_requests $server_port "
          "$ssl_protocol $ssl_session_reused $ssl_cipher \"$request\" $status $body_bytes_sent';\n"
       << "  access_log " << quoted(access_log()) << " fetch_test;\n"
       << "  client_body_temp_path " << quoted(dir_ / "temp/body") << ";\n"
       << "  proxy_temp_path " << quoted(dir_ / "temp/proxy") << ";\n"
       << "  fastcgi_temp_path " << quoted(dir_ / "temp/fastcgi") << ";\n"
       << "  uwsgi_temp_path " << quoted(dir_ / "temp/uwsgi") << ";\n"
       << "  scgi_temp_path " << quoted(dir_ / "temp/scgi") << ";\n"
       << "  keepalive_requests 10000;\n  keepalive_timeout 60s;\n"
       << "  sendfile on;\n  server_tokens off;\n"
       << "  ssl_protocols TLSv1.2 TLSv1.3;\n"
       << "  root " << quoted(docroot()) << ";\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port_http << ";\n"
       << "    listen [::1]:" << port_http << ";\n"
       << "    listen 127.0.0.1:" << port_https << " ssl;\n"
       << "    listen [::1]:" << port_https << " ssl;\n"
       << tls("good") << locations() << "  }\n";
  for (BadCert kind : kAllBadCerts) {
    conf << "  server {\n    listen 127.0.0.1:" << bad_cert_port(kind) << " ssl;\n"
         << tls(to_string(kind)) << locations() << "  }\n";
  }
  conf << "  server {\n    listen 127.0.0.1:" << tls12_only_port_ << " ssl;\n"
       << "    ssl_protocols TLSv1.2;\n"
       << tls("good") << locations() << "  }\n";
  conf << "  server {\n    listen 127.0.0.1:" << no_resumption_port_ << " ssl;\n"
       << "    ssl_session_tickets off;\n    ssl_session_cache off;\n"
       << tls("good") << locations() << "  }\n";
  conf << "  server {\n    listen 127.0.0.1:" << h2_port_ << " ssl http2;\n"
       << tls("good") << locations() << "  }\n";
  conf << "}\n";
  write_file(dir_ / "nginx.conf", conf.str());
}

bool NginxServer::start_once() {
  std::vector<std::uint16_t> ports;
  while (ports.size() < 5 + std::size(kAllBadCerts)) {
    const std::uint16_t port = free_port();
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
  }
  http_port_ = ports[0];
  https_port_ = ports[1];
  tls12_only_port_ = ports[2];
  no_resumption_port_ = ports[3];
  h2_port_ = ports[4];
  bad_cert_ports_.assign(ports.begin() + 5, ports.end());
  write_config();

  const int log_fd =
      ::open((dir_ / "nginx.out").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const std::string prefix = dir_.string() + "/";
  pid_ = spawn_server({nginx_program(), "-p", prefix, "-c", (dir_ / "nginx.conf").string(), "-e",
                       error_log().string()},
                      log_fd, log_fd);
  ::close(log_fd);

  std::vector<std::pair<std::string, std::uint16_t>> listeners{
      {"127.0.0.1", http_port_},       {"::1", http_port_},
      {"127.0.0.1", https_port_},      {"::1", https_port_},
      {"127.0.0.1", tls12_only_port_}, {"127.0.0.1", no_resumption_port_},
      {"127.0.0.1", h2_port_}};
  for (std::uint16_t port : bad_cert_ports_) listeners.emplace_back("127.0.0.1", port);

  const auto deadline = Clock::now() + kStartTimeout;
  std::size_t ready = 0;
  while (ready < listeners.size()) {
    if (has_exited(pid_)) {
      pid_ = -1;
      return false;
    }
    if (Clock::now() > deadline) {
      stop();
      return false;
    }
    if (can_connect(listeners[ready].first, listeners[ready].second)) {
      ++ready;
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  // A listener may be another test's nginx that took one of these ports first (ours then
  // retries its bind for seconds): every port must be held by our own process.
  for (const auto& [host, port] : listeners) {
    if (!listens_on(pid_, port)) {
      lost_port_race_ = true;
      stop();
      return false;
    }
  }
  return true;
}

std::uint16_t NginxServer::bad_cert_port(BadCert kind) const noexcept {
  return bad_cert_ports_.at(static_cast<std::size_t>(kind));
}

std::string NginxServer::http_url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + std::string(path);
}
std::string NginxServer::http_url_v6(std::string_view path) const {
  return "http://[::1]:" + std::to_string(http_port_) + std::string(path);
}
std::string NginxServer::https_url(std::string_view path) const {
  return "https://127.0.0.1:" + std::to_string(https_port_) + std::string(path);
}
std::string NginxServer::https_url_v6(std::string_view path) const {
  return "https://[::1]:" + std::to_string(https_port_) + std::string(path);
}
std::string NginxServer::https_url_localhost(std::string_view path) const {
  return "https://localhost:" + std::to_string(https_port_) + std::string(path);
}
std::string NginxServer::bad_cert_url(BadCert kind, std::string_view path) const {
  return "https://127.0.0.1:" + std::to_string(bad_cert_port(kind)) + std::string(path);
}

std::string NginxServer::https_url_at(std::uint16_t port, std::string_view path) const {
  return "https://127.0.0.1:" + std::to_string(port) + std::string(path);
}

std::uint64_t NginxServer::file_size(std::string_view name) const {
  return fs::file_size(docroot() / name);
}

std::vector<AccessLogEntry> NginxServer::requests(std::string_view target_prefix) const {
  std::vector<AccessLogEntry> entries;
  std::istringstream log(read_file(access_log()));
  std::string line;
  while (std::getline(log, line)) {
    AccessLogEntry entry;
    std::istringstream fields(line);
    std::string resumed;
    fields >> entry.connection >> entry.connection_requests >> entry.server_port >>
        entry.tls_protocol >> resumed >> entry.tls_cipher;
    entry.tls_resumed = resumed == "r";
    const std::size_t open = line.find('"');
    const std::size_t close = line.rfind('"');
    if (!fields || open == std::string::npos || close <= open) continue;
    entry.request = line.substr(open + 1, close - open - 1);
    entry.status = std::atoi(line.c_str() + close + 1);
    const std::size_t space = entry.request.find(' ');
    const std::string_view target = space == std::string::npos
                                        ? std::string_view{}
                                        : std::string_view(entry.request).substr(space + 1);
    if (target.starts_with(target_prefix)) entries.push_back(std::move(entry));
  }
  return entries;
}

std::size_t NginxServer::distinct_connections(std::string_view target_prefix) const {
  std::vector<std::uint64_t> seen;
  for (const AccessLogEntry& entry : requests(target_prefix)) {
    if (std::find(seen.begin(), seen.end(), entry.connection) == seen.end()) {
      seen.push_back(entry.connection);
    }
  }
  return seen.size();
}

bool NginxServer::wait_for_requests(std::string_view target_prefix, std::size_t count,
                                    std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (requests(target_prefix).size() >= count) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace fetch::test
