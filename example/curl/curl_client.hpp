// SPDX-License-Identifier: BSL-1.0
//
// example/curl/curl_client.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An awaitable HTTP client over libcurl's multi interface, built with
// awaitify. libcurl runs on a thread of its own, and every call into it is
// made there (curl handles are not thread-safe):
// - async_get: an async_call whose callback the transfer's end invokes. Its
//   cancellation hook asks the curl thread to remove the transfer and waits
//   for it (after_cancel::wait_for_callback), so the body the transfer writes
//   into may live in the caller's coroutine frame;
// - download: a flow-controlled awaitify::stream of chunks. The write
//   callback (an awaitify::to_c_sink) pauses the transfer when the consumer
//   has no demand left, and the stream's on_demand resumes it on the curl
//   thread.
//

#ifndef AWAITIFY_EXAMPLE_CURL_CLIENT_HPP
#define AWAITIFY_EXAMPLE_CURL_CLIENT_HPP

#include <awaitify/awaitify.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <curl/curl.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace http {

/// libcurl's CURLcode values as boost::system errors. CURLcode is a C
/// enumeration: CURL_LAST bounds the codes that may be converted to it.
inline const boost::system::error_category& curl_category() noexcept
{
  return awaitify::c_error_category<&curl_easy_strerror, CURL_LAST>("curl");
}

/// The completion signature of `async_get`: the error, and the HTTP status.
using get_signature = void(boost::system::error_code, long);

/// The items of a download: the body, chunk by chunk.
using chunk_signature = void(std::string);

class client
{
public:
  /// Starts the curl thread. Operations complete on `ex` by default.
  explicit client(boost::asio::any_io_executor ex) : ex_(std::move(ex)), multi_((global_init(), curl_multi_init()))
  {
    if (!multi_)
      throw std::runtime_error("curl_multi_init failed");
    thread_ = std::thread([this] { loop(); });
  }

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Stops the curl thread; transfers still running complete with
  /// `operation_aborted`. Must outlive every operation's hook and teardown.
  ~client()
  {
    post([this] { stopping_ = true; });
    thread_.join();
    for (auto& job : jobs_) // Posted too late: with stopping_ set, they end their transfers.
      job();
    for (auto& [easy, t] : transfers_)
      finish(*t, boost::asio::error::operation_aborted);
    transfers_.clear();
    curl_multi_cleanup(multi_);
  }

  /// GETs `url`, appending the body to `body`, which must stay alive until
  /// the operation completes: with a cancellation too, since the transfer is
  /// removed on the curl thread before the operation completes. Completion
  /// signature `void(error_code, long status)`.
  template <typename CompletionToken>
  auto async_get(std::string url, std::string& body, CompletionToken&& token)
  {
    auto start = [this, url = std::move(url), &body](awaitify::callback<get_signature> cb) {
      auto t = std::make_shared<transfer>();
      t->body = &body;
      // Not t itself: t holds the callback, and a hook that owned it would
      // hide a lost transfer.
      cb.on_cancel([this, weak = std::weak_ptr<transfer>(t)] { remove_later(weak); },
          boost::asio::cancellation_type::terminal, awaitify::after_cancel::wait_for_callback);
      t->done.emplace(std::move(cb));
      start_transfer(std::move(t), url);
    };
    return awaitify::async_call<get_signature>(ex_, start, std::forward<CompletionToken>(token));
  }

  /// Downloads `url` as a stream of chunks, holding at most about `window`
  /// chunks: the transfer pauses when the consumer falls behind. The stream
  /// ends with `end_of_stream` (or curl's error, or an HTTP status >= 400 as
  /// `http::curl_category`'s CURLE_HTTP_RETURNED_ERROR); destroying it
  /// removes the transfer.
  awaitify::stream<chunk_signature, boost::asio::any_io_executor> download(std::string url, std::size_t window = 16)
  {
    awaitify::stream_options<chunk_signature> options;
    options.policy = awaitify::overflow_policy::flow_control;
    options.capacity = window;
    return awaitify::make_stream<chunk_signature>(ex_, std::move(options),
        [this, &url](awaitify::sink<chunk_signature> sink) {
          auto t = std::make_shared<transfer>();
          sink.on_demand([this, weak = std::weak_ptr<transfer>(t)](std::size_t) { resume_later(weak); });
          // curl's write callback, on the curl thread: a chunk while the
          // consumer has demand; at zero, pause (curl keeps the data). The
          // check and the pause are one step: a grant is announced (and the
          // resume posted) only after the transfer is marked paused.
          t->writer.emplace(awaitify::to_c_sink<curl_write_callback>(sink,
              [t = t.get()](const awaitify::sink<chunk_signature>& target, char* data, std::size_t size,
                  std::size_t count) -> std::size_t {
                if (target.try_pause([t] {
                      t->paused = true;
                      ++t->owner->pauses_;
                    }))
                  return CURL_WRITEFUNC_PAUSE;
                target(std::string(data, size * count));
                return size * count;
              }));
          t->chunks.emplace(std::move(sink));
          start_transfer(t, url);
          return [this, weak = std::weak_ptr<transfer>(t)] { remove_later(weak); };
        });
  }

  /// How many times a download was paused for want of demand.
  std::size_t pauses() const noexcept { return pauses_.load(); }

private:
  struct transfer
  {
    client* owner = nullptr;
    CURL* easy = nullptr;
    std::string* body = nullptr;                         // async_get
    std::optional<awaitify::callback<get_signature>> done; // async_get
    std::optional<awaitify::sink<chunk_signature>> chunks; // download
    // The download's write callback; freed after curl_easy_cleanup, when
    // curl can no longer call it.
    std::optional<awaitify::c_sink_callback<curl_write_callback>> writer;
    bool paused = false;

    ~transfer()
    {
      if (easy)
        curl_easy_cleanup(easy);
    }
  };

  static void global_init()
  {
    // Not thread-safe in libcurl, so once, before any other curl call.
    static const CURLcode once = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (once != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  }

  void post(std::function<void()> job)
  {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    curl_multi_wakeup(multi_);
  }

  void start_transfer(std::shared_ptr<transfer> t, const std::string& url)
  {
    t->owner = this;
    t->easy = curl_easy_init();
    curl_easy_setopt(t->easy, CURLOPT_URL, url.c_str());
    if (t->writer)
    {
      curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, t->writer->function());
      curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t->writer->user_data());
    }
    else
    {
      curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, &client::append_body);
      curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t->body);
    }
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    post([this, t = std::move(t)] {
      if (stopping_)
        return finish(*t, boost::asio::error::operation_aborted);
      transfers_.emplace(t->easy, t);
      curl_multi_add_handle(multi_, t->easy);
    });
  }

  // On the curl thread: async_get's write callback.
  static std::size_t append_body(char* data, std::size_t size, std::size_t count, void* body)
  {
    static_cast<std::string*>(body)->append(data, size * count);
    return size * count;
  }

  void resume_later(std::weak_ptr<transfer> weak)
  {
    post([weak = std::move(weak)] {
      if (auto t = weak.lock(); t && t->paused)
      {
        t->paused = false;
        curl_easy_pause(t->easy, CURLPAUSE_CONT);
      }
    });
  }

  void remove_later(std::weak_ptr<transfer> weak)
  {
    post([this, weak = std::move(weak)] {
      if (auto t = weak.lock(); t && transfers_.erase(t->easy))
      {
        curl_multi_remove_handle(multi_, t->easy);
        finish(*t, boost::asio::error::operation_aborted);
      }
    });
  }

  // On the curl thread, once the transfer is out of the multi handle.
  static void finish(transfer& t, boost::system::error_code ec)
  {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    if (t.chunks)
    {
      if (!ec && status >= 400)
        ec = boost::system::error_code(CURLE_HTTP_RETURNED_ERROR, curl_category());
      ec ? t.chunks->fail(ec) : t.chunks->close();
      t.chunks.reset();
    }
    else
      (*t.done)(ec, status);
  }

  void loop()
  {
    while (!stopping_)
    {
      std::deque<std::function<void()>> jobs;
      {
        std::lock_guard lock(mutex_);
        jobs.swap(jobs_);
      }
      for (auto& job : jobs)
        job();
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left))
      {
        if (msg->msg != CURLMSG_DONE)
          continue;
        CURL* easy = msg->easy_handle;
        const CURLcode result = msg->data.result;
        auto found = transfers_.find(easy);
        if (found == transfers_.end())
          continue;
        std::shared_ptr<transfer> t = std::move(found->second);
        transfers_.erase(found);
        curl_multi_remove_handle(multi_, easy);
        finish(*t, result == CURLE_OK ? boost::system::error_code()
                                      : boost::system::error_code(result, curl_category()));
      }
      if (!stopping_)
        curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  boost::asio::any_io_executor ex_;
  CURLM* multi_;
  std::mutex mutex_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false; // Curl thread only.
  std::map<CURL*, std::shared_ptr<transfer>> transfers_; // Curl thread only.
  std::atomic<std::size_t> pauses_{0};
  std::thread thread_;
};

} // namespace http

#endif // AWAITIFY_EXAMPLE_CURL_CLIENT_HPP
