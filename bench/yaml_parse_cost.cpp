// The floor under herald's calendar loading: how long the YAML parsers alone
// take to turn a file into events, with nothing built from them.
//
//   build-bench/bench/yaml_parse_cost bench/out/calendar-10000.yaml   (built with -DHERALD_BENCH=ON)
//
// yaml-cpp (libyaml-cpp-dev, what herald uses) through YAML::Parser and an
// EventHandler that only counts, from an in-memory istream as herald does;
// libyaml (libyaml-dev, the C parser) through yaml_parser_parse. Best of 5
// runs each. scripts/bench puts yaml-cpp's time beside herald preview's
// (docs/PERFORMANCE.md "Where the time goes"); without libyaml-dev only
// yaml-cpp is timed.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#if HERALD_WITH_LIBYAML
#include <yaml.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>

namespace {

struct counter : YAML::EventHandler {
  long events = 0;
  void OnDocumentStart(const YAML::Mark&) override { ++events; }
  void OnDocumentEnd() override { ++events; }
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { ++events; }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnSequenceEnd() override { ++events; }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnMapEnd() override { ++events; }
};

long yaml_cpp_events(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  counter c;
  while (parser.HandleNextDocument(c)) {
  }
  return c.events;
}

#if HERALD_WITH_LIBYAML
long libyaml_events(const std::string& text) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  long events = 0;
  for (;;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      std::fprintf(stderr, "libyaml: %s\n", parser.problem ? parser.problem : "error");
      break;
    }
    bool done = event.type == YAML_STREAM_END_EVENT;
    ++events;
    yaml_event_delete(&event);
    if (done) break;
  }
  yaml_parser_delete(&parser);
  return events;
}
#endif

void time_it(const char* name, const std::function<long()>& run) {
  double best = 1e9;
  long events = 0;
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    events = run();
    std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
    best = std::min(best, s.count());
  }
  std::printf("%-9s %8.3f s  %ld events\n", name, best, events);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.yaml\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::perror(argv[1]);
    return 1;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::printf("%s: %zu bytes\n", argv[1], text.size());
  time_it("yaml-cpp", [&] { return yaml_cpp_events(text); });
#if HERALD_WITH_LIBYAML
  time_it("libyaml", [&] { return libyaml_events(text); });
#endif
  return 0;
}
