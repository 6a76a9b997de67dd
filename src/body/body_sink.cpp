#include "fetch/body/body_sink.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fetch {

// What decoder i writes to: decoder i+1, or the count at the end of the chain.
class BodySink::Stage final : public DecodedOutput {
 public:
  Stage(BodySink& sink, std::size_t next) : sink_(sink), next_(next) {}

  bool write(std::string_view decoded) override {
    if (sink_.failure_) return false;
    if (next_ == sink_.decoders_.size()) return sink_.count(decoded);
    if (auto failure = sink_.decoders_[next_]->feed(decoded, *sink_.stages_[next_])) {
      return sink_.fail(failure->code, std::move(failure->message));
    }
    return !sink_.failure_;
  }

 private:
  BodySink& sink_;
  std::size_t next_;
};

namespace {

constexpr std::size_t kMaxCodings = DecoderMemory::kMaxStages;

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The codings of a Content-Encoding value, in the order they were applied; identity and
// empty elements left out.
std::vector<std::string> codings_of(std::string_view value) {
  std::vector<std::string> codings;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string coding = lower_trimmed(value.substr(0, comma));
    if (!coding.empty() && coding != "identity") codings.push_back(std::move(coding));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return codings;
}

}  // namespace

BodySink::BodySink(std::optional<std::uint64_t> max_bytes, bool redirects_followed,
                   DecoderMemory* memory)
    : max_bytes_(max_bytes), redirects_followed_(redirects_followed), memory_(memory) {}

BodySink::~BodySink() = default;
BodySink::BodySink(BodySink&&) noexcept = default;
BodySink& BodySink::operator=(BodySink&&) noexcept = default;

void BodySink::reset() noexcept {
  wire_bytes_ = 0;
  decoded_bytes_ = 0;
  limited_ = true;
  encoding_.clear();
  stages_.clear();
  decoders_.clear();
  failure_.reset();
  started_at_.reset();
  saving_.reset();  // a body not finished is removed
  saved_as_.clear();
}

void BodySink::save_into(OutputDir& dir, std::string name) {
  save_dir_ = &dir;
  save_name_ = std::move(name);
}

bool BodySink::start(unsigned status, bool has_location, std::string_view content_encoding,
                     bool has_body) {
  reset();
  started_at_ = std::chrono::steady_clock::now();  // curl's "start transfer": the response is here
  limited_ = !(redirects_followed_ && is_redirect(status) && has_location);
  if (save_dir_ && has_body && limited_ && status < 400) {
    std::string error;
    saving_ = SavedFile::create(*save_dir_, save_name_, error);
    if (!saving_) return fail(errc::save_failed, std::move(error));
  }
  const std::vector<std::string> codings = codings_of(content_encoding);
  for (const std::string& coding : codings) {
    encoding_ += encoding_.empty() ? "" : ", ";
    encoding_ += coding;
  }
  if (!has_body || codings.empty() || memory_ == nullptr) return true;
  if (codings.size() > kMaxCodings) {
    // The codings themselves are in content_encoding; a message never echoes server bytes.
    return fail(errc::decode_too_many_codings,
                fmt::format("Content-Encoding stacks {} codings; fetch undoes at most {}",
                            codings.size(), kMaxCodings));
  }
  // The last coding applied is the first undone.
  for (auto coding = codings.rbegin(); coding != codings.rend(); ++coding) {
    const std::size_t stage = decoders_.size();
    std::unique_ptr<Decoder> decoder = make_decoder(*coding, *memory_, memory_->scratch(stage));
    if (!decoder) {
      // A coding fetch cannot undo: reported, and the body counted as it came.
      decoders_.clear();
      return true;
    }
    decoders_.push_back(std::move(decoder));
  }
  for (std::size_t i = 0; i < decoders_.size(); ++i) {
    stages_.push_back(std::make_unique<Stage>(*this, i + 1));
  }
  return true;
}

bool BodySink::data(std::string_view wire) {
  if (failure_) return false;
  wire_bytes_ += wire.size();
  if (decoders_.empty()) return save(wire);
  if (auto failure = decoders_.front()->feed(wire, *stages_.front())) {
    return fail(failure->code, std::move(failure->message));
  }
  return !failure_;
}

bool BodySink::finish() {
  for (const auto& decoder : decoders_) {
    if (failure_) break;
    if (auto failure = decoder->finish()) fail(failure->code, std::move(failure->message));
  }
  if (saving_ && !failure_) {
    if (!saving_->commit()) return fail(errc::save_failed, saving_->error());
    saved_as_ = saving_->saved_as();
    saving_.reset();
  }
  return !failure_;
}

bool BodySink::count(std::string_view decoded) {
  decoded_bytes_ += decoded.size();
  if (limited_ && max_bytes_ && decoded_bytes_ > *max_bytes_) {
    return fail(errc::body_too_large,
                fmt::format("decoded body larger than --max-filesize ({} bytes)", *max_bytes_));
  }
  if (decoded_bytes_ > kRatioFreeBytes && decoded_bytes_ / kMaxRatio > wire_bytes_) {
    return fail(errc::decode_bomb,
                fmt::format("decoded body grows past {} times its {} wire bytes (a "
                            "decompression bomb?)",
                            kMaxRatio, wire_bytes_));
  }
  return save(decoded);
}

bool BodySink::save(std::string_view body) {
  if (!saving_ || saving_->write(body)) return true;
  return fail(errc::save_failed, saving_->error());
}

bool BodySink::fail(errc code, std::string message) {
  if (!failure_) failure_ = DecodeFailure{code, std::move(message)};
  return false;
}

}  // namespace fetch
