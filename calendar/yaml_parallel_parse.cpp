// yaml-cpp over a calendar's `events:` list in pieces (calendar/yaml_parallel_parse.hpp).
// Each piece after the first is text from a certain item boundary on,
// parsed alone as a block sequence; its events are checked against what
// the cut promised and moved to the whole file's marks: handed on as they
// come on the first thread, recorded compactly on the others and replayed
// after the pieces before them. Each thread parses its run of pieces one
// after another, a parser a piece. Why and what it costs:
// docs/PERFORMANCE.md "2026-12-03, night: parallel parse" and
// "2026-12-03, seventh session: reload peak".

#include "calendar/yaml_parallel_parse.hpp"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>

#include "calendar/yaml_errors.hpp"
#include "calendar/yaml_event_kind.hpp"
#include "calendar/yaml_event_pipe.hpp"
#include "calendar/yaml_item_split.hpp"

namespace herald {
namespace {

// Below this a thread's start and the cut's scan are not worth it.
constexpr std::size_t min_bytes_to_cut = 256u << 10;
constexpr std::size_t min_bytes_per_piece = 128u << 10;
constexpr std::size_t block_bytes = 64u << 10;

// Thrown inside yaml-cpp on a piece that is not what the cut promised.
struct piece_in_doubt {};
// Thrown inside yaml-cpp on a piece's thread when the reader gave up.
struct reader_stopped {};

using event_kind = yaml_event_kind;

// Where a piece lies in the whole text.
struct piece_place {
  std::size_t offset = 0, line = 0;
  std::size_t item_indent = 0;
  // yaml-cpp marks an empty value with the next token's place: at a
  // piece's end that is its end, in the whole file the next item's "-".
  std::size_t end = 0;
  YAML::Mark next_item;
  bool last = false;
};

// yaml-cpp marks a node at its first property (tag, anchor): its text
// starts past them and the blanks, breaks and comments after them.
std::size_t past_properties(std::string_view piece, std::size_t at) {
  while (at < piece.size() && (piece[at] == '!' || piece[at] == '&')) {
    at = piece.find_first_of(" \t\r\n", at);
    while (at < piece.size() &&
           (piece[at] == ' ' || piece[at] == '\t' || piece[at] == '\r' || piece[at] == '\n' || piece[at] == '#'))
      at = piece[at] == '#' ? piece.find('\n', at) : at + 1;
  }
  return at;
}

// yaml-cpp ends a quoted scalar left open at the end of its text without
// an error: at a piece's end that would hide a cut inside the quote.
bool runs_to_end(std::string_view piece, std::size_t at) {
  at = past_properties(piece, at);
  if (at >= piece.size()) return false;
  if (piece[at] == '"') return unclosed_quote_at_end(piece, at) != std::string_view::npos;
  if (piece[at] != '\'') return false;  // a block scalar ends at the cut's shallower line
  for (auto i = at + 1; i < piece.size(); ++i) {
    if (piece[i] != '\'') continue;
    if (i + 1 < piece.size() && piece[i + 1] == '\'') {
      ++i;
      continue;
    }
    return false;
  }
  return true;
}

YAML::Mark in_file(const YAML::Mark& mark, const piece_place& place) {
  if (!place.last && static_cast<std::size_t>(mark.pos) == place.end - place.offset) return place.next_item;
  YAML::Mark moved = mark;
  moved.pos += static_cast<int>(place.offset);
  moved.line += static_cast<int>(place.line);
  return moved;
}

// Passes events on, counting them, and holds back closing events until
// the next event shows they are not the piece's own end.
class held_ends {
 public:
  explicit held_ends(YAML::EventHandler& handler) : handler_(handler) {}
  std::size_t handed_on() const { return handed_on_; }
  YAML::EventHandler& handler() { return handler_; }
  // Calls the handler, remembering while it runs: what it throws is its
  // own, not yaml-cpp's over a piece, and goes on out.
  template <typename Call>
  void deliver(Call call) {
    in_handler_ = true;
    call(handler_);
    in_handler_ = false;
  }
  bool in_handler() const { return in_handler_; }

  void hold(event_kind end) { held_.push_back(end); }
  // Every held end goes on: another event follows them.
  void release() {
    for (auto end : held_) pass_end(end);
    held_.clear();
  }
  // The piece's own end: the held ends must finish with `tail`; those
  // before it go on.
  bool release_all_but(std::initializer_list<event_kind> tail) {
    if (held_.size() < tail.size() || !std::equal(tail.begin(), tail.end(), held_.end() - tail.size())) return false;
    held_.resize(held_.size() - tail.size());
    release();
    return true;
  }
  void count() { ++handed_on_; }

 private:
  void pass_end(event_kind end) {
    ++handed_on_;
    deliver([end](YAML::EventHandler& h) {
      if (end == event_kind::sequence_end)
        h.OnSequenceEnd();
      else if (end == event_kind::map_end)
        h.OnMapEnd();
      else
        h.OnDocumentEnd();
    });
  }

  YAML::EventHandler& handler_;
  std::vector<event_kind> held_;
  std::size_t handed_on_ = 0;
  bool in_handler_ = false;
};

// The tags a piece after the first may carry: yaml-cpp's "?" (plain) and
// "!" (quoted); any other is a doubt.
enum tag_code : std::uint8_t { tag_plain = 0, tag_quoted = 1 };
std::uint8_t code_of(const std::string& tag) {
  if (tag == "?") return tag_plain;
  if (tag == "!") return tag_quoted;
  throw piece_in_doubt{};
}

// The first thread's pieces, parsed one after another and handed on as
// they come. The first piece: the whole file's events up to the first
// cut, less the three ends (sequence, root mapping, document) the cut
// made. Each piece after it: the items of one block sequence at the cut's
// indentation with no anchor, alias, tag or second document, less the
// sequence's start and its two ends, its marks moved to the whole file.
class first_group : public YAML::EventHandler {
 public:
  first_group(held_ends& out, std::span<const piece_place> places, std::string_view text)
      : out_(out), places_(places), text_(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_ == 0) {
      start_piece();
      before();
      out_.deliver([&](auto& h) { h.OnDocumentStart(mark); });
      return;
    }
    // The next piece's own start: the one before ended at its cut.
    if (mark.line != 0 || documents_ == places_.size() || !piece_ended_at_cut()) throw piece_in_doubt{};
    start_piece();
  }
  void OnDocumentEnd() override { out_.hold(event_kind::document_end); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (later() && (!list_started_ || anchor != 0)) throw piece_in_doubt{};
    before();
    out_.deliver([&](auto& h) { h.OnNull(in_file(mark, place()), anchor); });
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (later()) throw piece_in_doubt{};
    before();
    out_.deliver([&](auto& h) { h.OnAlias(mark, anchor); });
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (later()) check_item_event(tag, anchor);
    // Checked before the scalar goes on: what comes after a cut could not
    // be taken back.
    if (tag != "?" && runs_to_end(piece_, static_cast<std::size_t>(mark.pos))) throw piece_in_doubt{};
    before();
    out_.deliver([&](auto& h) { h.OnScalar(in_file(mark, place()), tag, anchor, value); });
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    if (later() && !list_started_) {  // the cut list itself: its start is the first piece's
      if (anchor != 0 || tag != "?" || style != YAML::EmitterStyle::Block || mark.line != 0 ||
          static_cast<std::size_t>(mark.column) != place().item_indent)
        throw piece_in_doubt{};
      list_started_ = true;
      return;
    }
    if (later()) check_item_event(tag, anchor);
    before();
    out_.deliver([&](auto& h) { h.OnSequenceStart(in_file(mark, place()), tag, anchor, style); });
  }
  void OnSequenceEnd() override { out_.hold(event_kind::sequence_end); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    if (later()) check_item_event(tag, anchor);
    before();
    out_.deliver([&](auto& h) { h.OnMapStart(in_file(mark, place()), tag, anchor, style); });
  }
  void OnMapEnd() override { out_.hold(event_kind::map_end); }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    if (later()) throw piece_in_doubt{};
    before();
    out_.deliver([&](auto& h) { h.OnAnchor(mark, name); });
  }

  // Once yaml-cpp is done: whether every piece was parsed and the last
  // ended as a cut list does.
  bool ended_at_cut() { return documents_ == places_.size() && piece_ended_at_cut(); }

 private:
  const piece_place& place() const { return places_[documents_ - 1]; }
  bool later() const { return documents_ > 1; }

  void start_piece() {
    ++documents_;
    list_started_ = false;
    piece_ = text_.substr(place().offset, place().end - place().offset);
  }
  bool piece_ended_at_cut() {
    if (!later())
      return out_.release_all_but({event_kind::sequence_end, event_kind::map_end, event_kind::document_end});
    return list_started_ && out_.release_all_but({event_kind::sequence_end, event_kind::document_end});
  }
  void check_item_event(const std::string& tag, YAML::anchor_t anchor) const {
    if (!list_started_ || anchor != 0) throw piece_in_doubt{};
    code_of(tag);
  }
  void before() {
    out_.release();
    out_.count();
  }

  held_ends& out_;
  std::span<const piece_place> places_;
  std::string_view text_, piece_;
  std::size_t documents_ = 0;  // the pieces begun
  bool list_started_ = false;
};

// A later piece's events, recorded on its thread, replayed on the calling
// thread; blocks of 64 KiB, each freed once replayed.
class piece_channel {
 public:
  enum class outcome { running, clean, doubt };

  // Producer.
  void publish(std::string block) {
    {
      std::lock_guard lock(mutex_);
      blocks_.push_back(std::move(block));
    }
    changed_.notify_all();
  }
  void finish(outcome how) {
    {
      std::lock_guard lock(mutex_);
      outcome_ = how;
    }
    changed_.notify_all();
  }
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }

  // Consumer: the next block, or false once the piece is done (outcome()).
  bool next(std::string& block) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !blocks_.empty() || outcome_ != outcome::running; });
    if (blocks_.empty()) return false;
    block = std::move(blocks_.front());
    blocks_.pop_front();
    return true;
  }
  outcome result() {
    std::lock_guard lock(mutex_);
    return outcome_;
  }
  void stop() { stopped_.store(true, std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> blocks_;
  outcome outcome_ = outcome::running;
  std::atomic<bool> stopped_ = false;
};

// The compact record: a kind byte (and tag byte), varints, the text.
void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}
std::uint64_t get_varint(const std::string& in, std::size_t& at) {
  std::uint64_t value = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(in[at++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return value;
  }
}
std::uint64_t zigzag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}
std::int64_t unzigzag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

// A mark's byte offset from its line and column, over the whole text,
// from the last one: marks go forward, a line or a few at a time.
class line_cursor {
 public:
  line_cursor(std::string_view text, std::size_t line, std::size_t start) : text_(text), line_(line), start_(start) {}

  std::size_t offset_of(std::size_t line, std::size_t column) {
    for (; line_ < line; ++line_) start_ = text_.find('\n', start_) + 1;
    for (; line_ > line; --line_) start_ = start_ < 2 ? 0 : text_.rfind('\n', start_ - 2) + 1;
    return start_ + column;
  }

 private:
  std::string_view text_;
  std::size_t line_, start_;
};

// Where a recorded scalar's text is: in the record, or in the source at
// its mark or one byte past it.
enum class text_copy : std::uint8_t { none = 0, at_mark = 1, past_mark = 2 };

// A later piece's handler, on its thread: checks the piece is the items of
// one block sequence at the cut's indentation with no anchor, alias, tag
// or second document; records them with their marks in the whole file.
class piece_recorder : public YAML::EventHandler {
 public:
  piece_recorder(piece_channel& channel, const piece_place& place, std::string_view text)
      : channel_(channel),
        place_(place),
        piece_(text.substr(place.offset, place.end - place.offset)),
        lines_(text, place.line, place.offset) {
    block_.reserve(block_bytes);
  }

  void OnDocumentStart(const YAML::Mark&) override {
    if (seen_++ != 0) throw piece_in_doubt{};
  }
  void OnDocumentEnd() override { held_.push_back(event_kind::document_end); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor != 0) throw piece_in_doubt{};
    record(event_kind::null, mark);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { throw piece_in_doubt{}; }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (anchor != 0) throw piece_in_doubt{};
    if (tag != "?" && runs_to_end(piece_, static_cast<std::size_t>(mark.pos))) throw piece_in_doubt{};
    record(event_kind::scalar, mark, code_of(tag), 0, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    if (anchor != 0) throw piece_in_doubt{};
    if (seen_ == 1) {  // the cut list itself: its start is the first piece's
      ++seen_;
      if (tag != "?" || style != YAML::EmitterStyle::Block || mark.line != 0 ||
          static_cast<std::size_t>(mark.column) != place_.item_indent)
        throw piece_in_doubt{};
      return;
    }
    record(event_kind::sequence_start, mark, code_of(tag), static_cast<std::uint8_t>(style));
  }
  void OnSequenceEnd() override { held_.push_back(event_kind::sequence_end); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    if (anchor != 0) throw piece_in_doubt{};
    record(event_kind::map_start, mark, code_of(tag), static_cast<std::uint8_t>(style));
  }
  void OnMapEnd() override { held_.push_back(event_kind::map_end); }
  void OnAnchor(const YAML::Mark&, const std::string&) override { throw piece_in_doubt{}; }

  // Once yaml-cpp is done: the list's end and the document's are the cut's.
  bool ended_at_cut() {
    if (seen_ != 2 || held_.size() < 2 || held_[held_.size() - 2] != event_kind::sequence_end ||
        held_.back() != event_kind::document_end)
      return false;
    held_.resize(held_.size() - 2);
    release();
    if (!block_.empty()) channel_.publish(std::move(block_));
    return true;
  }

 private:
  void release() {
    for (auto end : held_) block_.push_back(static_cast<char>(end));
    held_.clear();
  }

  void record(event_kind kind, const YAML::Mark& piece_mark, std::uint8_t tag = 0, std::uint8_t style = 0,
              std::string_view text = {}) {
    if (channel_.stopped()) throw reader_stopped{};
    if (seen_ != 2) throw piece_in_doubt{};
    release();
    auto mark = in_file(piece_mark, place_);
    // A record holds the line (as a step from the last) and the column;
    // the offset follows from them, as checked here.
    auto line = static_cast<std::size_t>(mark.line), column = static_cast<std::size_t>(mark.column);
    if (lines_.offset_of(line, column) != static_cast<std::size_t>(mark.pos)) throw piece_in_doubt{};
    auto step = static_cast<std::int64_t>(line) - last_line_;
    std::uint8_t line_code = step >= 0 && step < 3 ? static_cast<std::uint8_t>(step) : 3;
    last_line_ = static_cast<std::int64_t>(line);
    auto copy = kind == event_kind::scalar ? copy_of(piece_mark, text) : text_copy::none;
    block_.push_back(
        static_cast<char>(static_cast<std::uint8_t>(kind) | (static_cast<std::uint8_t>(copy) << 4) | (line_code << 6)));
    if (kind != event_kind::null) block_.push_back(static_cast<char>(tag | (style << 1)));
    if (line_code == 3) put_varint(block_, zigzag(step));
    put_varint(block_, column);
    if (kind == event_kind::scalar) {
      put_varint(block_, text.size());
      if (copy == text_copy::none) block_.append(text);
    }
    if (block_.size() >= block_bytes) {
      channel_.publish(std::move(block_));
      block_ = std::string();
      block_.reserve(block_bytes);
    }
  }

  // A scalar's text is most often its source's, as it stands at its mark
  // (plain) or one past it (quoted, no escape): recorded as a length only,
  // so a piece waiting its turn holds a few bytes an event, not its text.
  text_copy copy_of(const YAML::Mark& mark, std::string_view text) const {
    auto at = static_cast<std::size_t>(mark.pos);
    if (at < piece_.size() && piece_.substr(at, text.size()) == text) return text_copy::at_mark;
    if (at + 1 < piece_.size() && piece_.substr(at + 1, text.size()) == text) return text_copy::past_mark;
    return text_copy::none;
  }

  piece_channel& channel_;
  const piece_place& place_;
  std::string_view piece_;
  line_cursor lines_;
  std::string block_;
  std::vector<event_kind> held_;
  int seen_ = 0;  // 1 after the document's start, 2 after the list's
  std::int64_t last_line_ = 0;
};

// A later piece's events, onto the handler.
class piece_replayer {
 public:
  piece_replayer(held_ends& out, std::string_view source) : out_(out), source_(source) {}

  void replay(const std::string& block) {
    auto& handler = out_.handler();
    for (std::size_t at = 0; at < block.size();) {
      auto head = static_cast<std::uint8_t>(block[at++]);
      auto kind = static_cast<event_kind>(head & 15);
      out_.count();
      if (kind == event_kind::sequence_end) {
        handler.OnSequenceEnd();
        continue;
      }
      if (kind == event_kind::map_end) {
        handler.OnMapEnd();
        continue;
      }
      if (kind == event_kind::document_end) {
        handler.OnDocumentEnd();
        continue;
      }
      auto copy = static_cast<text_copy>((head >> 4) & 3);
      std::uint8_t line_code = head >> 6;
      std::uint8_t flags = kind == event_kind::null ? 0 : static_cast<std::uint8_t>(block[at++]);
      last_line_ += line_code < 3 ? line_code : unzigzag(get_varint(block, at));
      auto column = get_varint(block, at);
      auto pos = lines_->offset_of(static_cast<std::size_t>(last_line_), column);
      YAML::Mark mark;
      mark.pos = static_cast<int>(pos);
      mark.line = static_cast<int>(last_line_);
      mark.column = static_cast<int>(column);
      const std::string& tag = (flags & 1) == tag_quoted ? quoted_ : plain_;
      auto style = static_cast<YAML::EmitterStyle::value>((flags >> 1) & 3);
      switch (kind) {
        case event_kind::null:
          handler.OnNull(mark, 0);
          break;
        case event_kind::scalar: {
          auto size = get_varint(block, at);
          if (copy == text_copy::none) {
            text_.assign(block, at, size);
            at += size;
          } else {
            text_.assign(source_.substr(pos + (copy == text_copy::past_mark), size));
          }
          handler.OnScalar(mark, tag, 0, text_);
          break;
        }
        case event_kind::sequence_start:
          handler.OnSequenceStart(mark, tag, 0, style);
          break;
        case event_kind::map_start:
          handler.OnMapStart(mark, tag, 0, style);
          break;
        default:
          break;
      }
    }
  }

  // Each piece's lines count from its first.
  void next_piece(const piece_place& place) {
    last_line_ = 0;
    lines_.emplace(source_, place.line, place.offset);
  }

 private:
  held_ends& out_;
  std::string_view source_;
  std::string text_;
  const std::string plain_ = "?", quoted_ = "!";
  std::optional<line_cursor> lines_;
  std::int64_t last_line_ = 0;
};

// A later piece: yaml-cpp over its text, into its channel.
piece_channel::outcome parse_piece(std::string_view text, const piece_place& place, piece_channel& channel) {
  try {
    auto piece = text.substr(place.offset, place.end - place.offset);
    piece_recorder recorder(channel, place, text);
    parse_yaml_here(piece, recorder);
    if (recorder.ended_at_cut()) return piece_channel::outcome::clean;
  } catch (...) {  // yaml-cpp's error, a doubt, a stop, no memory: the whole parse says
  }
  return piece_channel::outcome::doubt;
}

// The pieces of a thread after the first: one after another, each by a
// parser of its own, gone before the next one starts.
struct piece_group {
  std::span<const piece_place> places;
  std::span<piece_channel* const> channels;
};

void parse_group(std::string_view text, const piece_group& group) {
  auto how = piece_channel::outcome::clean;
  for (std::size_t i = 0; i < group.places.size(); ++i) {
    auto& channel = *group.channels[i];
    // After a piece in doubt the reader stops there: no need to parse on.
    if (how == piece_channel::outcome::clean && !channel.stopped())
      how = parse_piece(text, group.places[i], channel);
    else
      how = piece_channel::outcome::doubt;
    // As on the producer of yaml_event_pipe.cpp: yaml-cpp's scanner blocks
    // go back to the system from this thread's own arena (each parser
    // before reuses the blocks of the one before it).
    if (i + 1 == group.places.size()) ::malloc_trim(0);
    channel.finish(how);
  }
}

// The later pieces' threads: stopped and joined however the reader leaves.
class piece_threads {
 public:
  piece_threads(std::string_view text, const std::vector<piece_group>& groups, std::list<piece_channel>& channels) {
    try {
      for (const auto& group : groups) threads_.emplace_back([text, &group] { parse_group(text, group); });
    } catch (const std::system_error&) {
      stop_all(channels);
      throw;
    }
    channels_ = &channels;
  }
  piece_threads(const piece_threads&) = delete;
  piece_threads& operator=(const piece_threads&) = delete;
  ~piece_threads() { stop_all(*channels_); }

  void stop_all(std::list<piece_channel>& channels) {
    for (auto& channel : channels) channel.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

 private:
  std::vector<std::thread> threads_;
  std::list<piece_channel>* channels_ = nullptr;
};

// Passes on yaml-cpp's events after the first `skip` (those handled
// already from the pieces).
class skip_first : public YAML::EventHandler {
 public:
  skip_first(YAML::EventHandler& handler, std::size_t skip) : handler_(handler), skip_(skip) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (pass()) handler_.OnDocumentStart(mark);
  }
  void OnDocumentEnd() override {
    if (pass()) handler_.OnDocumentEnd();
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (pass()) handler_.OnNull(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (pass()) handler_.OnAlias(mark, anchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (pass()) handler_.OnScalar(mark, tag, anchor, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    if (pass()) handler_.OnSequenceStart(mark, tag, anchor, style);
  }
  void OnSequenceEnd() override {
    if (pass()) handler_.OnSequenceEnd();
  }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    if (pass()) handler_.OnMapStart(mark, tag, anchor, style);
  }
  void OnMapEnd() override {
    if (pass()) handler_.OnMapEnd();
  }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    if (pass()) handler_.OnAnchor(mark, name);
  }

 private:
  bool pass() {
    if (skip_ == 0) return true;
    --skip_;
    return false;
  }

  YAML::EventHandler& handler_;
  std::size_t skip_;
};

std::vector<piece_place> places_of(std::string_view text, const std::vector<yaml_item_start>& cuts) {
  std::vector<piece_place> places;
  auto indent = item_indent(text, cuts.front());
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    piece_place place;
    if (i > 0) {
      place.offset = cuts[i - 1].offset;
      place.line = cuts[i - 1].line;
    }
    place.item_indent = indent;
    place.last = i == cuts.size();
    place.end = place.last ? text.size() : cuts[i].offset;
    if (!place.last) {
      place.next_item.pos = static_cast<int>(cuts[i].offset + indent);
      place.next_item.line = static_cast<int>(cuts[i].line);
      place.next_item.column = static_cast<int>(indent);
    }
    places.push_back(place);
  }
  return places;
}

// The pieces in order, `threads` runs of them, one thread a run; false,
// with `out` counting what was handed on, at the first piece that failed
// or is in doubt.
bool parse_cut(std::string_view text, const std::vector<piece_place>& places, std::size_t threads, held_ends& out) {
  threads = std::min(threads, places.size());
  auto run_start = [&](std::size_t run) { return places.size() * run / threads; };
  std::span<const piece_place> all(places);
  auto first_run = all.first(run_start(1));
  auto later = all.subspan(first_run.size());

  std::list<piece_channel> channels(later.size());
  std::vector<piece_channel*> channel_of;
  for (auto& channel : channels) channel_of.push_back(&channel);
  std::vector<piece_group> groups;
  for (std::size_t run = 1; run < threads; ++run) {
    auto from = run_start(run) - first_run.size(), count = run_start(run + 1) - run_start(run);
    groups.push_back({later.subspan(from, count), std::span<piece_channel* const>(channel_of).subspan(from, count)});
  }
  std::optional<piece_threads> later_threads;
  try {
    later_threads.emplace(text, groups, channels);
  } catch (const std::system_error&) {  // no thread to be had: the whole text on one
    return false;
  }

  std::vector<std::string_view> first_texts;
  for (const auto& place : first_run) first_texts.push_back(text.substr(place.offset, place.end - place.offset));
  first_group first(out, first_run, text);
  try {
    // On a thread of its own too, as a whole file is (yaml_event_pipe.hpp):
    // yaml-cpp's many small blocks then stay out of the calling thread's
    // heap, between the calendar's.
    parse_yaml_on_second_thread(first_texts, first);
  } catch (const YAML::Exception&) {
    if (out.in_handler()) throw;
    return false;
  } catch (const piece_in_doubt&) {
    return false;
  }
  if (!first.ended_at_cut()) return false;

  piece_replayer replayer(out, text);
  std::string block;
  auto place = later.begin();
  for (auto& channel : channels) {
    replayer.next_piece(*place++);
    while (channel.next(block)) {
      replayer.replay(block);
      std::string().swap(block);
    }
    if (channel.result() != piece_channel::outcome::clean) return false;
  }
  out.count();
  out.handler().OnSequenceEnd();
  out.count();
  out.handler().OnMapEnd();
  out.count();
  out.handler().OnDocumentEnd();
  return true;
}

}  // namespace

std::size_t yaml_pieces_for(std::string_view text) {
  if (text.size() < min_bytes_to_cut) return 1;
  std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  return std::min(threads, text.size() / min_bytes_per_piece);
}

bool parse_yaml_in_pieces(std::string_view text, YAML::EventHandler& handler, std::size_t threads,
                          std::size_t piece_bytes) {
  // As many pieces for each thread: its run is its share of the text.
  threads = std::max<std::size_t>(threads, 1);
  piece_bytes = std::max<std::size_t>(piece_bytes, 1);
  auto per_thread = std::max<std::size_t>(1, (text.size() + piece_bytes * threads - 1) / (piece_bytes * threads));
  auto pieces = per_thread * threads;
  auto cuts = threads > 1 ? find_item_cuts(text, pieces) : std::vector<yaml_item_start>{};
  if (cuts.empty()) {
    parse_yaml_on_second_thread(text, handler);
    return false;
  }
  held_ends out(handler);
  if (parse_cut(text, places_of(text, cuts), threads, out)) return true;
  skip_first rest(handler, out.handed_on());
  parse_yaml_on_second_thread(text, rest);
  return false;
}

}  // namespace herald
