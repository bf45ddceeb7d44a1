#pragma once
// yaml-cpp's events written down whole, one line each, for tests that
// compare two ways of reading a text (tests/calendar/yaml_event_pipe_test.cpp,
// tests/calendar/yaml_parallel_parse_test.cpp).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#include <cxxabi.h>
#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>

namespace herald::test {

// Thrown by the handler to stop reading at a chosen event.
struct stop_here {};

// Writes every event down as a line, whole: kind, mark, anchor, tag,
// style, text. Throws stop_here at event number `stop_at`.
class event_log : public YAML::EventHandler {
 public:
  explicit event_log(std::size_t stop_at = SIZE_MAX) : stop_at_(stop_at) {}

  void OnDocumentStart(const YAML::Mark& mark) override { add(fmt::format("doc {}", at(mark))); }
  void OnDocumentEnd() override { add("doc end"); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(fmt::format("null {} &{}", at(mark), anchor));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(fmt::format("alias {} *{}", at(mark), anchor));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    add(fmt::format("scalar {} &{} !{} [{}]", at(mark), anchor, tag, value));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    add(fmt::format("seq {} &{} !{} style {}", at(mark), anchor, tag, static_cast<int>(style)));
  }
  void OnSequenceEnd() override { add("seq end"); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    add(fmt::format("map {} &{} !{} style {}", at(mark), anchor, tag, static_cast<int>(style)));
  }
  void OnMapEnd() override { add("map end"); }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    add(fmt::format("anchor {} {}", at(mark), name));
  }

  std::vector<std::string> lines;

 private:
  static std::string at(const YAML::Mark& mark) { return fmt::format("{}:{}:{}", mark.pos, mark.line, mark.column); }
  void add(std::string line) {
    if (lines.size() == stop_at_) throw stop_here{};
    lines.push_back(std::move(line));
  }
  std::size_t stop_at_;
};

// What reading a text gave: the events handled, and how it ended.
struct outcome {
  std::vector<std::string> events;
  std::string end;  // "done", "stopped", or "yaml-cpp: MESSAGE at POS:LINE:COL (TYPE)"
};

// An exception's own type, readable: two errors alike but for their type
// are not the same error.
inline std::string type_name(const std::exception& e) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && name ? name.get() : typeid(e).name();
}

// Reads `text` with `parse(text, log)`, stopping at event `stop_at`.
template <typename Parse>
outcome read_with(const std::string& text, std::size_t stop_at, Parse parse) {
  event_log log(stop_at);
  outcome result{{}, "done"};
  try {
    parse(text, log);
  } catch (const stop_here&) {
    result.end = "stopped";
  } catch (const YAML::Exception& e) {
    result.end =
        fmt::format("yaml-cpp: {} at {}:{}:{} ({})", e.msg, e.mark.pos, e.mark.line, e.mark.column, type_name(e));
  }
  result.events = std::move(log.lines);
  return result;
}

}  // namespace herald::test
