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

#include <utility>

namespace awaitify {
namespace detail {

/// A multi-shot carrier: the sink and the transform, read (never consumed)
/// by every call, freed by its owner once the library can no longer call.
template <typename Signature, typename Transform>
struct multi_shot_carrier
{
  sink<Signature> target;
  Transform transform;
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
    return call_type::forward([&](auto&&... args) { return carried->transform(carried->target, args...); }, params...);
  }
};

template <typename R, typename... P, typename Locator, typename Signature, typename Transform>
struct multi_shot_trampoline<R (*)(P...) noexcept, Locator, Signature, Transform>
  : multi_shot_trampoline<R (*)(P...), Locator, Signature, Transform>
{
};

} // namespace detail

/// A C function pointer and the `void*` that carries a stream's sink through
/// a C API that calls back many times; made by `to_c_sink`.
/**
 * Pass `function()` and `user_data()` to the C library. Every call of the
 * function, from any thread, pushes into the stream (or runs the
 * transform). The object owns the carrier and frees it, exactly once, when it
 * is destroyed: move it into the stream's teardown, after the call that
 * unregisters the callback, so that it lives until the stream has ended and
 * the library can no longer call.
 *
 * @par Thread safety
 * The C library may call the function from any threads, also concurrently.
 * The object itself is move-only, like `std::unique_ptr`.
 */
template <typename CFunction>
class c_sink_callback
{
public:
  /// The C function: it pushes into the stream.
  CFunction function() const noexcept { return function_; }

  /// The carrier, to hand to the library with `function()`.
  void* user_data() const noexcept { return user_data_; }

  /// Takes over `other`'s carrier.
  c_sink_callback(c_sink_callback&& other) noexcept
    : function_(other.function_)
    , user_data_(std::exchange(other.user_data_, nullptr))
    , free_(other.free_)
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
    }
    return *this;
  }

  /// Frees the carrier: the library must no longer call `function()`.
  ~c_sink_callback() { reset(); }

#ifndef GENERATING_DOCUMENTATION
  using free_fn = void (*)(void*) noexcept;

  c_sink_callback(CFunction fn, void* carrier, free_fn free) noexcept
    : function_(fn), user_data_(carrier), free_(free)
  {
  }
#endif

private:
  void reset() noexcept
  {
    if (void* carrier = std::exchange(user_data_, nullptr))
      free_(carrier);
  }

  CFunction function_;
  void* user_data_;
  free_fn free_;
};

namespace detail {

template <typename CFunction, typename Signature, typename Locator, typename Transform>
c_sink_callback<CFunction> make_c_sink(sink<Signature> target, Locator, Transform transform)
{
  using carrier = multi_shot_carrier<Signature, Transform>;
  using trampoline = multi_shot_trampoline<CFunction, Locator, Signature, Transform>;
  return c_sink_callback<CFunction>(&trampoline::call, new carrier{std::move(target), std::move(transform)},
      [](void* p) noexcept { delete static_cast<carrier*>(p); });
}

} // namespace detail

/// Moves `target` into a heap carrier and returns it with a C function
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

/// As above, with `transform(const sink<Signature>& target, c_args...)` run
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

/// As above, for a C API that keeps the user's pointer in the field `Member`
/// of the struct its callback receives first (`user_data_in<&uv_stream_t::data>`):
/// store `user_data()` there. The transform receives every C argument.
template <typename CFunction, typename Signature, auto Member, typename Transform = detail::pass_arguments>
c_sink_callback<CFunction> to_c_sink(
    sink<Signature> target, detail::user_data_in_t<Member> where, Transform transform = Transform())
{
  return detail::make_c_sink<CFunction>(std::move(target), where, std::move(transform));
}

} // namespace awaitify

#endif // AWAITIFY_C_SINK_HPP
