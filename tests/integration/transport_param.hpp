#pragma once
// Plain TCP or TLS as a test parameter: the suites that run every case over both.

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace fetch::test {

struct Transport {
  const char* name;  // "Tcp" or "Tls": the instance's name
  bool tls;
};
inline void PrintTo(const Transport& transport, std::ostream* out) { *out << transport.name; }

inline auto both_transports() {
  return ::testing::Values(Transport{"Tcp", false}, Transport{"Tls", true});
}
inline std::string transport_name(const ::testing::TestParamInfo<Transport>& info) {
  return info.param.name;
}

}  // namespace fetch::test
