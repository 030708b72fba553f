// SPDX-License-Identifier: BSL-1.0
//
// awaitify/c_sink.hpp
// ~~~~~~~~~~~~~~~~~~~
//
// Passes a stream's sink through a C API that calls back many times.
//

#ifndef AWAITIFY_C_SINK_HPP
#define AWAITIFY_C_SINK_HPP

#include <awaitify/c_callback.hpp>
#include <awaitify/sink.hpp>

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// @brief What a multi-shot transform returns to say whether this call was the
/// library's last: made by `last_call_if`.
template <typename R>
struct c_call_outcome
{
  bool last;
  R value;
};

template <>
struct c_call_outcome<void>
{
  bool last;
};

template <typename T>
inline constexpr bool is_c_call_outcome = false;

template <typename R>
inline constexpr bool is_c_call_outcome<c_call_outcome<R>> = true;

/// Who frees a multi-shot carrier once its object has let go of it.
struct multi_shot_handover
{
  static constexpr std::uint8_t until_last_call = 1; // release(): after the last call
  static constexpr std::uint8_t last_call_seen = 2;

  // Written by the object's release() while the library may already be
  // calling, so the later of the two frees.
  std::atomic<std::uint8_t> state{0};
};

/// @brief A multi-shot carrier: the sink and the transform, read (never consumed)
/// by every call, freed by its owner once the library can no longer call.
template <typename Signature, typename Transform>
struct multi_shot_carrier
{
  sink<Signature> target;
  Transform transform;
  multi_shot_handover handover{};

  static void destroy(void* carrier) noexcept { delete static_cast<multi_shot_carrier*>(carrier); }
};

/// Frees the carrier after a last call returns, when it was released to it.
template <typename Carrier>
struct free_after_last_call
{
  Carrier* carried;
  bool last = false;

  ~free_after_last_call()
  {
    if (last
        && (carried->handover.state.fetch_or(multi_shot_handover::last_call_seen, std::memory_order_acq_rel)
            & multi_shot_handover::until_last_call))
      delete carried;
  }
};

template <typename CFunction, typename Locator, typename Signature, typename Transform>
struct multi_shot_trampoline;

template <typename R, typename... P, typename Locator, typename Signature, typename Transform>
struct multi_shot_trampoline<R (*)(P...), Locator, Signature, Transform>
{
  using call_type = c_call_t<R (*)(P...), Locator>;
  using carrier = multi_shot_carrier<Signature, Transform>;

  static R call(P... params) noexcept
  {
    auto* carried = static_cast<carrier*>(call_type::user_data(params...));
    free_after_last_call<carrier> after{carried};
    return call_type::forward(
        [&](auto&&... args) {
          using result = decltype(carried->transform(carried->target, args...));
          if constexpr (is_c_call_outcome<result>)
          {
            auto outcome = carried->transform(carried->target, args...);
            after.last = outcome.last;
            if constexpr (!std::is_same_v<result, c_call_outcome<void>>)
              return std::move(outcome.value);
          }
          else
            return carried->transform(carried->target, args...);
        },
        params...);
  }
};

template <typename R, typename... P, typename Locator, typename Signature, typename Transform>
struct multi_shot_trampoline<R (*)(P...) noexcept, Locator, Signature, Transform>
  : multi_shot_trampoline<R (*)(P...), Locator, Signature, Transform>
{
};

} // namespace detail

/// @brief What a multi-shot transform returns to say whether this call is the
/// library's last (hiredis's final "unsubscribe" reply, or the null reply of
/// a closed connection): `value` is what the C function returns.
/**
 * After a last call returns, a carrier that was `release()`d is freed; the
 * stream closes or not as the transform decided (`target.close()`). Every
 * path of a transform that uses it returns it: `return
 * awaitify::last_call_if(reply == nullptr);`. Exactly one call of a
 * released carrier may say it is the last: a carrier that the library
 * calls with several final replies (one per channel of a multi-channel
 * SUBSCRIBE) needs a transform that counts them, or one carrier each.
 */
template <typename R>
detail::c_call_outcome<R> last_call_if(bool last, R value) noexcept(std::is_nothrow_move_constructible_v<R>)
{
  return {last, std::move(value)};
}

/// The same, for a C function that returns nothing.
inline detail::c_call_outcome<void> last_call_if(bool last) noexcept
{
  return {last};
}

/// @brief A C function pointer and the `void*` that carries a stream's sink through
/// a C API that calls back many times; made by `to_c_sink`.
/**
 * Pass `function()` and `user_data()` to the C library. Every call of the
 * function, from any thread, pushes into the stream (or runs the
 * transform). By default the object owns the carrier and frees it, exactly
 * once, when it is destroyed: move it into the stream's teardown, after the
 * call that unregisters the callback, so that it lives until the stream has
 * ended and the library can no longer call (destroyed without having been
 * handed to the library, the carrier takes the sink with it: the stream
 * ends with `error::callback_dropped` if that was the last one).
 *
 * Where the library says itself when it is done, hand the carrier over
 * instead, and the object lets go of it (`function()` and `user_data()`
 * stay as they were, so that the hand-over may be an argument of the same
 * C call): `destroy_notify()` for a library that calls a destroy notification
 * (GLib's `GDestroyNotify`, `sd_bus_slot_set_destroy_callback`), or
 * `release()` for one whose last call the transform recognises
 * (`last_call_if`).
 *
 * @par Thread safety
 * The C library may call the function from any threads, also concurrently.
 * The object itself is move-only, like `std::unique_ptr`; `release()` may
 * run while the library calls.
 */
template <typename CFunction>
class c_sink_callback
{
public:
  /// The type of a destroy notification: `void (*)(void*)`.
  using destroy_fn = void (*)(void*);

  /// The C function: it pushes into the stream.
  CFunction function() const noexcept { return function_; }

  /// The carrier, to hand to the library with `function()`.
  void* user_data() const noexcept { return user_data_; }

  /// @brief Hands the carrier to the library, which frees it by calling the
  /// returned function with `user_data()` when it will never call
  /// `function()` again. It may be an argument of the registering call
  /// itself; if the library refuses that registration (and so will never
  /// call the function), `take_back()`. A transform's `last_call_if` then
  /// frees nothing. After `release()`, the carrier is no longer the
  /// object's to hand over: the function returned does nothing.
  destroy_fn destroy_notify() noexcept
  {
    if (released_)
      return [](void*) {};
    owns_ = false;
    return free_;
  }

  /// @brief Takes the carrier back after `destroy_notify()`, for a registration
  /// the library refused: the object owns it again, and frees it when
  /// destroyed (with it the sink: the stream ends as dropped if it was the
  /// last one).
  void take_back() noexcept
  {
    if (!released_)
      owns_ = true;
  }

  /// @brief Hands the carrier to the library until its last call: it is freed
  /// after the call whose transform returns `last_call_if(true, ...)`
  /// returns, also when that call came before `release()`.
  void release() noexcept
  {
    if (!std::exchange(owns_, false))
      return;
    released_ = true;
    if (handover_->state.fetch_or(detail::multi_shot_handover::until_last_call, std::memory_order_acq_rel)
        & detail::multi_shot_handover::last_call_seen)
      free_(user_data_);
  }

  /// Takes over `other`'s carrier.
  c_sink_callback(c_sink_callback&& other) noexcept
    : function_(other.function_)
    , user_data_(std::exchange(other.user_data_, nullptr))
    , free_(other.free_)
    , handover_(other.handover_)
    , owns_(std::exchange(other.owns_, false))
    , released_(other.released_)
  {
  }

  c_sink_callback(const c_sink_callback&) = delete;
  c_sink_callback& operator=(const c_sink_callback&) = delete;

  /// Frees this carrier, then takes over `other`'s.
  c_sink_callback& operator=(c_sink_callback&& other) noexcept
  {
    if (this != &other)
    {
      reset();
      function_ = other.function_;
      user_data_ = std::exchange(other.user_data_, nullptr);
      free_ = other.free_;
      handover_ = other.handover_;
      owns_ = std::exchange(other.owns_, false);
      released_ = other.released_;
    }
    return *this;
  }

  /// @brief Frees the carrier, unless it was handed over: the library must no
  /// longer call `function()`.
  ~c_sink_callback() { reset(); }

#ifndef GENERATING_DOCUMENTATION
  c_sink_callback(CFunction fn, void* carrier, destroy_fn free, detail::multi_shot_handover* handover) noexcept
    : function_(fn), user_data_(carrier), free_(free), handover_(handover)
  {
  }
#endif

private:
  void reset() noexcept
  {
    if (std::exchange(owns_, false))
      free_(user_data_);
  }

  CFunction function_;
  void* user_data_;
  destroy_fn free_;
  detail::multi_shot_handover* handover_;
  bool owns_ = true;
  bool released_ = false;
};

namespace detail {

template <typename CFunction, typename Signature, typename Locator, typename Transform>
c_sink_callback<CFunction> make_c_sink(sink<Signature> target, Locator, Transform transform)
{
  using carrier = multi_shot_carrier<Signature, Transform>;
  using trampoline = multi_shot_trampoline<CFunction, Locator, Signature, Transform>;
  auto* carried = new carrier{std::move(target), std::move(transform)};
  return c_sink_callback<CFunction>(&trampoline::call, carried, &carrier::destroy, &carried->handover);
}

} // namespace detail

/// @brief Moves `target` into a heap carrier and returns it with a C function
/// pointer of type `CFunction` that pushes the C arguments other than the
/// `void*` user data (first or last) into the stream, converted; the C
/// function returns a value-initialised result.
/**
 * @par Thread safety
 * Safe to call from any thread.
 */
template <typename CFunction, typename Signature>
c_sink_callback<CFunction> to_c_sink(sink<Signature> target)
{
  return detail::make_c_sink<CFunction>(std::move(target), detail::user_data_at_ends(), detail::pass_arguments());
}

/// @brief As above, with `transform(const sink<Signature>& target, c_args...)` run
/// inside each C call, on the library's thread, instead of pushing the C
/// arguments: it pushes what it makes of them (or closes or fails the
/// stream), and what it returns is what the C function returns, so that the
/// push decides it (curl's write callback pauses at zero demand:
/// `return target.demand() == 0 ? CURL_WRITEFUNC_PAUSE : (target(chunk), n);`).
/// It must not throw.
template <typename CFunction, typename Signature, typename Transform>
  requires(!detail::is_user_data_locator<Transform>)
c_sink_callback<CFunction> to_c_sink(sink<Signature> target, Transform transform)
{
  return detail::make_c_sink<CFunction>(std::move(target), detail::user_data_at_ends(), std::move(transform));
}

/// @brief As above, for a C API that keeps the user's pointer in the field `Member`
/// of the struct its callback receives first (`user_data_in<&uv_stream_t::data>`):
/// store `user_data()` there. The transform receives every C argument.
template <typename CFunction, typename Signature, auto Member, typename Transform = detail::pass_arguments>
c_sink_callback<CFunction> to_c_sink(
    sink<Signature> target, detail::user_data_in_t<Member> where, Transform transform = Transform())
{
  return detail::make_c_sink<CFunction>(std::move(target), where, std::move(transform));
}

/// @brief As above, for a C API that passes the user data as its callback's
/// parameter `N` (`user_data_at<1>`, see `to_c_callback`); the transform
/// receives the other C arguments, in order.
template <typename CFunction, typename Signature, std::size_t N, typename Transform = detail::pass_arguments>
c_sink_callback<CFunction> to_c_sink(
    sink<Signature> target, detail::user_data_at_t<N> where, Transform transform = Transform())
{
  return detail::make_c_sink<CFunction>(std::move(target), where, std::move(transform));
}

} // namespace awaitify

#endif // AWAITIFY_C_SINK_HPP
