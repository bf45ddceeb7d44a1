// yaml-cpp on a second thread (calendar/yaml_event_pipe.hpp). yaml-cpp's
// scanner is most of a calendar's load; on its own thread it runs beside
// the building of the events. Why and what it costs:
// docs/PERFORMANCE.md "2026-12-03, afternoon: the YAML parse on a second thread".

#include "calendar/yaml_event_pipe.hpp"

#include <malloc.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <istream>
#include <mutex>
#include <optional>
#include <span>
#include <streambuf>
#include <string>
#include <system_error>
#include <thread>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "calendar/yaml_event_kind.hpp"

namespace herald {
namespace {

// Reads a string_view as an istream without copying it.
class view_buffer : public std::streambuf {
 public:
  explicit view_buffer(std::string_view text) {
    auto* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

using event_kind = yaml_event_kind;

// One event as recorded in a buffer; its tag and its text (a scalar's
// value, an anchor's name) follow it.
struct event_record {
  event_kind kind;
  std::uint8_t style;
  std::int32_t pos, line, column;
  std::uint64_t anchor;
  std::uint32_t tag_size, text_size;
};

// Thrown inside yaml-cpp's parser on the producer when the consumer has
// stopped reading.
struct consumer_stopped {};

// The buffers between the two threads: the producer fills them in turn,
// the consumer replays them in the same order and hands each back. A few
// buffers, reused: the memory does not grow with the file, and neither
// side waits unless all are full or all empty.
class event_pipe {
 public:
  static constexpr std::size_t buffer_count = 4;

  explicit event_pipe(std::size_t buffer_bytes) : buffer_bytes_(buffer_bytes) {
    // Reserved here, by the calling thread: its malloc arena, not the
    // producer's, holds them afterwards.
    for (auto& buffer : buffers_) buffer.reserve(buffer_bytes);
  }

  std::size_t buffer_bytes() const { return buffer_bytes_; }
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }

  // Producer: the next buffer to fill, empty; nullptr once the consumer stopped.
  std::string* next_to_fill() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped() || filled_ - replayed_ < buffer_count; });
    if (stopped()) return nullptr;
    auto& buffer = buffers_[filled_ % buffer_count];
    buffer.clear();
    return &buffer;
  }
  // Producer: the buffer from next_to_fill() is ready to be replayed.
  void filled() {
    {
      std::lock_guard lock(mutex_);
      ++filled_;
    }
    changed_.notify_all();
  }
  // Producer: no more events; `error` is what stopped yaml-cpp, if anything.
  void finish(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
      error_ = std::move(error);
    }
    changed_.notify_all();
  }

  // Consumer: the next buffer to replay, or nullptr when the producer has
  // finished and every buffer was replayed.
  const std::string* next_to_replay() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return replayed_ < filled_ || finished_; });
    return replayed_ < filled_ ? &buffers_[replayed_ % buffer_count] : nullptr;
  }
  // Consumer: the buffer from next_to_replay() may be filled again.
  void replayed() {
    {
      std::lock_guard lock(mutex_);
      ++replayed_;
    }
    changed_.notify_all();
  }
  // Consumer: what stopped yaml-cpp, once next_to_replay() returned nullptr.
  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }
  // Consumer: read no further.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_.store(true, std::memory_order_relaxed);
    }
    changed_.notify_all();
  }

 private:
  const std::size_t buffer_bytes_;
  std::array<std::string, buffer_count> buffers_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t filled_ = 0, replayed_ = 0;  // buffers, counted from the start
  bool finished_ = false;
  std::exception_ptr error_;
  std::atomic<bool> stopped_ = false;  // read by the recorder at every event
};

// The producer's event handler: writes each event into the pipe's buffers.
class event_recorder : public YAML::EventHandler {
 public:
  explicit event_recorder(event_pipe& pipe) : pipe_(pipe) {}

  void OnDocumentStart(const YAML::Mark& mark) override { record(event_kind::document_start, mark); }
  void OnDocumentEnd() override { record(event_kind::document_end, {}); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { record(event_kind::null, mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override { record(event_kind::alias, mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    record(event_kind::scalar, mark, anchor, tag, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    record(event_kind::sequence_start, mark, anchor, tag, {}, style);
  }
  void OnSequenceEnd() override { record(event_kind::sequence_end, {}); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    record(event_kind::map_start, mark, anchor, tag, {}, style);
  }
  void OnMapEnd() override { record(event_kind::map_end, {}); }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    record(event_kind::anchor, mark, 0, {}, name);
  }

  // The last buffer, however full, goes to the consumer.
  void flush() {
    if (buffer_) pipe_.filled();
    buffer_ = nullptr;
  }

 private:
  void record(event_kind kind, const YAML::Mark& mark, YAML::anchor_t anchor = 0, std::string_view tag = {},
              std::string_view text = {}, YAML::EmitterStyle::value style = YAML::EmitterStyle::Default) {
    if (pipe_.stopped()) throw consumer_stopped{};
    event_record event{};
    event.kind = kind;
    event.style = static_cast<std::uint8_t>(style);
    event.pos = mark.pos;
    event.line = mark.line;
    event.column = mark.column;
    event.anchor = anchor;
    event.tag_size = static_cast<std::uint32_t>(tag.size());
    event.text_size = static_cast<std::uint32_t>(text.size());
    auto size = sizeof event + tag.size() + text.size();
    // A record larger than a buffer gets a buffer of its own, grown to fit.
    if (!buffer_ || (buffer_->size() + size > pipe_.buffer_bytes() && !buffer_->empty())) {
      flush();
      buffer_ = pipe_.next_to_fill();
      if (!buffer_) throw consumer_stopped{};
    }
    buffer_->append(reinterpret_cast<const char*>(&event), sizeof event);
    buffer_->append(tag);
    buffer_->append(text);
  }

  event_pipe& pipe_;
  std::string* buffer_ = nullptr;
};

// The producer thread: yaml-cpp over each text in turn, into the pipe.
void produce(std::span<const std::string_view> texts, event_pipe& pipe) {
  event_recorder recorder(pipe);
  std::exception_ptr error;
  try {
    // A parser a text, each gone before the next starts: its blocks are
    // freed into this thread's arena, where the next one takes them again.
    for (auto text : texts) parse_yaml_here(text, recorder);
  } catch (const consumer_stopped&) {
  } catch (...) {
    error = std::current_exception();
  }
  // yaml-cpp's scanner grows with the file (a block per indentation, 3.7
  // MiB at 100 000 events) and is freed here as many small blocks, in this
  // thread's malloc arena. glibc gives that memory back when this thread
  // trims, not when another does (~1 ms at 100 000 events).
  ::malloc_trim(0);
  recorder.flush();
  pipe.finish(std::move(error));
}

// The consumer's side: one buffer's events, onto the handler.
class event_replayer {
 public:
  explicit event_replayer(YAML::EventHandler& handler) : handler_(handler) {}

  void replay(const std::string& buffer) {
    for (std::size_t at = 0; at < buffer.size();) {
      event_record event;
      std::memcpy(&event, buffer.data() + at, sizeof event);
      at += sizeof event;
      tag_.assign(buffer, at, event.tag_size);
      at += event.tag_size;
      text_.assign(buffer, at, event.text_size);
      at += event.text_size;
      YAML::Mark mark;
      mark.pos = event.pos;
      mark.line = event.line;
      mark.column = event.column;
      auto style = static_cast<YAML::EmitterStyle::value>(event.style);
      switch (event.kind) {
        case event_kind::document_start:
          handler_.OnDocumentStart(mark);
          break;
        case event_kind::document_end:
          handler_.OnDocumentEnd();
          break;
        case event_kind::null:
          handler_.OnNull(mark, event.anchor);
          break;
        case event_kind::alias:
          handler_.OnAlias(mark, event.anchor);
          break;
        case event_kind::scalar:
          handler_.OnScalar(mark, tag_, event.anchor, text_);
          break;
        case event_kind::sequence_start:
          handler_.OnSequenceStart(mark, tag_, event.anchor, style);
          break;
        case event_kind::sequence_end:
          handler_.OnSequenceEnd();
          break;
        case event_kind::map_start:
          handler_.OnMapStart(mark, tag_, event.anchor, style);
          break;
        case event_kind::map_end:
          handler_.OnMapEnd();
          break;
        case event_kind::anchor:
          handler_.OnAnchor(mark, text_);
          break;
      }
    }
  }

 private:
  YAML::EventHandler& handler_;
  std::string tag_, text_;  // reused: no allocation per event
};

// Stops and joins the producer however the consumer leaves, so the thread
// never outlives the pipe it writes to.
class producer_thread {
 public:
  producer_thread(std::span<const std::string_view> texts, event_pipe& pipe)
      : pipe_(pipe), thread_([texts, &pipe] { produce(texts, pipe); }) {}
  producer_thread(const producer_thread&) = delete;
  producer_thread& operator=(const producer_thread&) = delete;
  ~producer_thread() {
    pipe_.stop();
    thread_.join();
  }

 private:
  event_pipe& pipe_;
  std::thread thread_;
};

}  // namespace

void parse_yaml_here(std::string_view text, YAML::EventHandler& handler) {
  view_buffer buffer(text);
  std::istream stream(&buffer);
  YAML::Parser parser(stream);
  while (parser.HandleNextDocument(handler)) {
  }
}

void parse_yaml_on_second_thread(std::string_view text, YAML::EventHandler& handler, std::size_t buffer_bytes) {
  parse_yaml_on_second_thread(std::span<const std::string_view>(&text, 1), handler, buffer_bytes);
}

void parse_yaml_on_second_thread(std::span<const std::string_view> texts, YAML::EventHandler& handler,
                                 std::size_t buffer_bytes) {
  event_pipe pipe(buffer_bytes);
  std::optional<producer_thread> producer;
  try {
    producer.emplace(texts, pipe);
  } catch (const std::system_error&) {  // no thread to be had: the same on this one
    for (auto text : texts) parse_yaml_here(text, handler);
    return;
  }
  event_replayer replayer(handler);
  while (const auto* buffer = pipe.next_to_replay()) {
    replayer.replay(*buffer);
    pipe.replayed();
  }
  if (auto error = pipe.error()) std::rethrow_exception(error);
}

}  // namespace herald
