// SPDX-License-Identifier: BSL-1.0
//
// example/mqtt/mqtt_client.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An awaitable MQTT client over libmosquitto, built with awaitify.
//
// libmosquitto calls back on its own network thread (mosquitto_loop_start):
// one callback per event for the whole client, with the message id that the
// call returned for publishes and subscriptions. awaitify turns that into
// operations:
// - async_connect: an async_call whose callback on_connect (or, for a failed
//   attempt, on_disconnect) invokes;
// - async_publish / async_subscribe: waits on a correlator keyed by message
//   id (the acknowledgement may arrive before mosquitto_publish returns);
// - incoming messages: an awaitify::stream fed by on_message;
// - a lost connection fails every pending publish and subscription.
//

#ifndef AWAITIFY_EXAMPLE_MQTT_CLIENT_HPP
#define AWAITIFY_EXAMPLE_MQTT_CLIENT_HPP

#include <awaitify/awaitify.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <mosquitto.h>

#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace mqtt {

/// libmosquitto's error codes (MOSQ_ERR_*) as boost::system errors.
inline const boost::system::error_category& mosquitto_category() noexcept
{
  return awaitify::c_error_category<&mosquitto_strerror>("mosquitto");
}

/// A CONNACK refusal (the broker's connect return code).
inline const boost::system::error_category& connack_category() noexcept
{
  return awaitify::c_error_category<&mosquitto_connack_string>("mqtt connack");
}

inline boost::system::error_code make_error(int rc) noexcept
{
  return rc == MOSQ_ERR_SUCCESS ? boost::system::error_code()
                                : boost::system::error_code(rc, mosquitto_category());
}

/// An incoming message: topic and payload.
using message_signature = void(std::string topic, std::string payload);

class client
{
public:
  using executor_type = boost::asio::any_io_executor;

  client(executor_type ex, const std::string& id)
    : ex_(ex)
    , acks_(ex)
    , messages_(awaitify::make_stream<message_signature>(ex,
          {awaitify::overflow_policy::unbounded, 0, {}},
          [this](awaitify::sink<message_signature> sink) { sink_.emplace(std::move(sink)); }))
  {
    static const int initialised = mosquitto_lib_init();
    (void)initialised;
    mosq_ = mosquitto_new(id.c_str(), true, this);
    if (!mosq_)
      throw std::runtime_error("mosquitto_new failed");
    mosquitto_connect_callback_set(mosq_, &on_connect);
    mosquitto_disconnect_callback_set(mosq_, &on_disconnect);
    mosquitto_publish_callback_set(mosq_, &on_publish);
    mosquitto_subscribe_callback_set(mosq_, &on_subscribe);
    mosquitto_message_callback_set(mosq_, &on_message);
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
  }

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Stops the network thread: no callback runs after this.
  ~client()
  {
    // Not forced: a cancelled network thread can die holding libmosquitto's
    // locks. After a disconnect the loop ends by itself.
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
    acks_.fail_all(boost::asio::error::operation_aborted);
  }

  executor_type get_executor() const noexcept { return ex_; }

  /// Connects (or reconnects) to the broker. Completes with
  /// `void(error_code)` when the broker accepted the connection, or with why
  /// it did not.
  template <typename CompletionToken>
  auto async_connect(std::string host, int port, CompletionToken&& token)
  {
    return awaitify::async_call<void(boost::system::error_code)>(ex_,
        [this, host = std::move(host), port](awaitify::callback<void(boost::system::error_code)> cb) {
          {
            std::lock_guard lock(mutex_);
            connecting_.emplace(cb);
          }
          int rc = started_ ? mosquitto_reconnect_async(mosq_)
                            : mosquitto_connect_async(mosq_, host.c_str(), port, 30);
          if (rc == MOSQ_ERR_SUCCESS && !started_)
          {
            rc = mosquitto_loop_start(mosq_);
            started_ = rc == MOSQ_ERR_SUCCESS;
          }
          if (rc != MOSQ_ERR_SUCCESS)
            if (auto waiting = take(connecting_)) // Unless on_disconnect took it.
              waiting->fail(make_error(rc));
        },
        std::forward<CompletionToken>(token));
  }

  /// Publishes. Completes with `void(error_code)` on the broker's
  /// acknowledgement for QoS 1 and 2, once sent for QoS 0; fails if the
  /// connection is lost first.
  template <typename CompletionToken>
  auto async_publish(std::string topic, std::string payload, int qos, CompletionToken&& token)
  {
    return start_then_wait_for_ack(
        [this, topic = std::move(topic), payload = std::move(payload), qos](int* mid) {
          return mosquitto_publish(mosq_, mid, topic.c_str(), static_cast<int>(payload.size()),
              payload.data(), qos, false);
        },
        std::forward<CompletionToken>(token));
  }

  /// Subscribes. Completes with `void(error_code)` on the broker's SUBACK.
  template <typename CompletionToken>
  auto async_subscribe(std::string topic, int qos, CompletionToken&& token)
  {
    return start_then_wait_for_ack(
        [this, topic = std::move(topic), qos](int* mid) {
          return mosquitto_subscribe(mosq_, mid, topic.c_str(), qos);
        },
        std::forward<CompletionToken>(token));
  }

  /// Disconnects cleanly. Completes with `void(error_code)` once the
  /// connection is closed.
  template <typename CompletionToken>
  auto async_disconnect(CompletionToken&& token)
  {
    return awaitify::async_call<void(boost::system::error_code)>(ex_,
        [this](awaitify::callback<void(boost::system::error_code)> cb) {
          {
            std::lock_guard lock(mutex_);
            disconnecting_.emplace(cb);
          }
          if (int rc = mosquitto_disconnect(mosq_); rc != MOSQ_ERR_SUCCESS)
            if (auto waiting = take(disconnecting_))
              waiting->fail(make_error(rc));
        },
        std::forward<CompletionToken>(token));
  }

  /// Acknowledgements that arrived before their publish was awaited, and
  /// were not claimed yet (diagnostics: 0 when every ack found its waiter).
  std::size_t kept_acks() const { return acks_.early(); }

  /// Messages on the subscribed topics, in the order the broker sent them.
  awaitify::stream<message_signature, executor_type>& messages() noexcept { return messages_; }

private:
  using ack_correlator = awaitify::correlator<int, void(boost::system::error_code), executor_type>;

  // Starts a call that returns a message id, then waits for its
  // acknowledgement, which may already have arrived: the caller's handler
  // (with its cancellation slot) becomes the correlator's wait.
  template <typename Start, typename CompletionToken>
  auto start_then_wait_for_ack(Start start, CompletionToken&& token)
  {
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        [this](auto handler, Start start_call) {
          int mid = 0;
          if (int rc = start_call(&mid); rc != MOSQ_ERR_SUCCESS)
            awaitify::async_call<void(boost::system::error_code)>(ex_,
                [rc](awaitify::callback<void(boost::system::error_code)> cb) { cb.fail(make_error(rc)); },
                std::move(handler));
          else
            acks_.async_wait(mid, std::move(handler));
        },
        token, std::move(start));
  }

  using waiter = std::optional<awaitify::callback<void(boost::system::error_code)>>;

  // The connect or disconnect waiting in `slot`, if any: whichever of the
  // initiating thread and the network thread takes it completes it.
  waiter take(waiter& slot)
  {
    waiter taken;
    std::lock_guard lock(mutex_);
    taken.swap(slot);
    return taken;
  }

  // libmosquitto's callbacks, on its network thread.

  static void on_connect(mosquitto*, void* self, int rc)
  {
    auto& c = *static_cast<client*>(self);
    if (auto waiting = c.take(c.connecting_))
      (*waiting)(rc == 0 ? boost::system::error_code() : boost::system::error_code(rc, connack_category()));
  }

  static void on_disconnect(mosquitto*, void* self, int rc)
  {
    auto& c = *static_cast<client*>(self);
    const auto ec = rc == 0 ? boost::system::error_code(boost::asio::error::operation_aborted)
                            : make_error(MOSQ_ERR_CONN_LOST);
    if (auto connecting = c.take(c.connecting_)) // A failed connection attempt arrives as a disconnect.
      connecting->fail(make_error(MOSQ_ERR_NO_CONN));
    if (auto disconnecting = c.take(c.disconnecting_))
      (*disconnecting)(boost::system::error_code());
    c.acks_.fail_all(ec);
  }

  static void on_publish(mosquitto*, void* self, int mid)
  {
    static_cast<client*>(self)->acks_.complete(mid, boost::system::error_code());
  }

  static void on_subscribe(mosquitto*, void* self, int mid, int, const int*)
  {
    static_cast<client*>(self)->acks_.complete(mid, boost::system::error_code());
  }

  static void on_message(mosquitto*, void* self, const mosquitto_message* m)
  {
    auto& c = *static_cast<client*>(self);
    if (c.sink_)
      (*c.sink_)(m->topic, std::string(static_cast<const char*>(m->payload), std::size_t(m->payloadlen)));
  }

  executor_type ex_;
  ack_correlator acks_;
  std::optional<awaitify::sink<message_signature>> sink_;
  awaitify::stream<message_signature, executor_type> messages_;
  mosquitto* mosq_ = nullptr;
  bool started_ = false;
  std::mutex mutex_;
  waiter connecting_;
  waiter disconnecting_;
};

} // namespace mqtt

#endif // AWAITIFY_EXAMPLE_MQTT_CLIENT_HPP
