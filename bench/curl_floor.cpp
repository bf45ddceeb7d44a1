// The floor under herald's transport (docs/PERFORMANCE.md "2026-12-03, last
// session: transport throughput"): libcurl alone, used the cheapest way it
// allows, POSTing to bench/http_sink what wrk POSTs (a body of B bytes to
// one path), so that its CPU per request can be set beside wrk's and
// herald's (bench/delivery_bench.cpp).
//
//   curl_floor --url http://127.0.0.1:PORT/PATH [--requests N] [--connections C] [--body-bytes B]
//
// C easy handles (default 8) set up once and never reset, each re-added to
// one multi handle as soon as its transfer ends, driven by curl_multi_poll
// (curl's own poll loop: no event library, no timers of ours), until N
// requests (default 20000) are answered. Prints one line:
//   curl_floor requests=N connections=C seconds=S requests_per_s=R failures=F cpu_us_per_request=U
// cpu_us_per_request: this process's user + system CPU over the same span.
// Exits 1 when a request is not answered 200.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

namespace {

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

size_t drop(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  long requests = 20000, connections = 8, body_bytes = 649;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view arg = argv[i];
    if (arg == "--url")
      url = argv[i + 1];
    else if (arg == "--requests")
      requests = std::atol(argv[i + 1]);
    else if (arg == "--connections")
      connections = std::atol(argv[i + 1]);
    else if (arg == "--body-bytes")
      body_bytes = std::atol(argv[i + 1]);
  }
  if (url.empty() || requests < 1 || connections < 1 || body_bytes < 0) {
    std::fputs("usage: curl_floor --url URL [--requests N] [--connections C] [--body-bytes B]\n", stderr);
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string body(static_cast<std::size_t>(body_bytes), 'x');
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections);
  std::vector<CURL*> handles;
  for (long c = 0; c < connections; ++c) {
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &drop);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    handles.push_back(easy);
  }
  long started = 0, answered = 0, failures = 0;
  auto cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  for (CURL* easy : handles)
    if (started < requests) curl_multi_add_handle(multi, easy), ++started;
  int running = 1;
  while (answered < requests) {
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      if (message->data.result != CURLE_OK || status != 200) ++failures;
      ++answered;
      curl_multi_remove_handle(multi, easy);
      if (started < requests) curl_multi_add_handle(multi, easy), ++started;
    }
    if (answered < requests) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  auto cpu = cpu_seconds() - cpu_start;
  std::printf(
      "curl_floor requests=%ld connections=%ld seconds=%.3f requests_per_s=%.0f failures=%ld cpu_us_per_request=%.1f\n",
      requests, connections, took.count(), static_cast<double>(requests) / took.count(), failures,
      cpu * 1e6 / static_cast<double>(requests));
  for (CURL* easy : handles) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  return failures ? 1 : 0;
}
