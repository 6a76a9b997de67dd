#include "fetch/report/fields.hpp"

namespace fetch {

const Field* find_field(std::string_view name) noexcept {
  for (const Field& field : kRecordFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

}  // namespace fetch
