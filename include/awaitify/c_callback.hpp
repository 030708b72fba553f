// SPDX-License-Identifier: BSL-1.0
//
// awaitify/c_callback.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~
//
// An awaitify callback as a C function pointer plus `void* user_data`, for C
// APIs that take one per operation (c-ares, Paho MQTT, libcurl, ...).
//

#ifndef AWAITIFY_C_CALLBACK_HPP
#define AWAITIFY_C_CALLBACK_HPP

#include <awaitify/callback.hpp>
#include <awaitify/detail/carrier_table.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace awaitify {
namespace detail {

template <typename... P>
struct void_ptr_at_ends
{
  static constexpr bool first = false;
  static constexpr bool last = false;
};

template <typename First, typename... Rest>
struct void_ptr_at_ends<First, Rest...>
{
  static constexpr bool first = std::is_same_v<First, void*>;
  static constexpr bool last =
      std::is_same_v<std::tuple_element_t<sizeof...(Rest), std::tuple<First, Rest...>>, void*>;
};

template <typename CFunction>
struct c_function_traits;

template <typename R, typename... P>
struct c_function_traits<R (*)(P...)>
{
  static constexpr std::size_t arity = sizeof...(P);
  static constexpr bool user_data_first = void_ptr_at_ends<P...>::first;
  static constexpr bool user_data_last = void_ptr_at_ends<P...>::last;
};

template <typename R, typename... P>
struct c_function_traits<R (*)(P...) noexcept> : c_function_traits<R (*)(P...)>
{
};

/// Finds the user data among a C callback's parameters, and calls a function
/// with the parameters it passes on: by default the user data is the first
/// or last parameter, and the others are passed on.
struct user_data_at_ends
{
};

template <typename CFunction, typename Locator, typename Indices>
struct c_call;

template <typename R, typename... P, std::size_t... I>
struct c_call<R (*)(P...), user_data_at_ends, std::index_sequence<I...>>
{
  using traits = c_function_traits<R (*)(P...)>;
  static constexpr std::size_t offset = traits::user_data_first ? 1 : 0;
  static_assert(traits::arity == 1 ? traits::user_data_first : traits::user_data_first != traits::user_data_last,
      "the C function must take its void* user data first or last, and only one of its "
      "first and last parameters may be a void*");

  static void* user_data(P... params) noexcept
  {
    return std::get<traits::user_data_first ? 0 : traits::arity - 1>(std::tuple<P...>(params...));
  }

  template <typename F>
  static R forward(F&& f, P... params)
  {
    std::tuple<P...> args(params...);
    if constexpr (std::is_void_v<R> || std::is_void_v<decltype(f(std::get<I + offset>(args)...))>)
    {
      f(std::get<I + offset>(args)...);
      if constexpr (!std::is_void_v<R>)
        return R();
    }
    else
      return static_cast<R>(f(std::get<I + offset>(args)...));
  }

  using indices = std::make_index_sequence<traits::arity - 1>;
};

template <typename R, typename... P, std::size_t... I>
struct c_call<R (*)(P...) noexcept, user_data_at_ends, std::index_sequence<I...>>
  : c_call<R (*)(P...), user_data_at_ends, std::index_sequence<I...>>
{
};

/// Where a C library keeps the user's pointer in a struct of its own that
/// the callback receives first (libuv's `req->data`): every parameter is
/// passed on.
template <auto Member>
struct user_data_in_t
{
};

template <typename R, typename... P, std::size_t... I, auto Member>
struct c_call<R (*)(P...), user_data_in_t<Member>, std::index_sequence<I...>>
{
  static_assert(sizeof...(P) > 0 && std::is_pointer_v<std::tuple_element_t<0, std::tuple<P...>>>,
      "with user_data_in, the C function's first parameter must be a pointer to the struct that holds it");

  static void* user_data(P... params) noexcept
  {
    return std::get<0>(std::tuple<P...>(params...))->*Member;
  }

  template <typename F>
  static R forward(F&& f, P... params)
  {
    if constexpr (std::is_void_v<R> || std::is_void_v<decltype(f(params...))>)
    {
      f(params...);
      if constexpr (!std::is_void_v<R>)
        return R();
    }
    else
      return static_cast<R>(f(params...));
  }
};

template <typename R, typename... P, std::size_t... I, auto Member>
struct c_call<R (*)(P...) noexcept, user_data_in_t<Member>, std::index_sequence<I...>>
  : c_call<R (*)(P...), user_data_in_t<Member>, std::index_sequence<I...>>
{
};

template <typename CFunction, typename Locator>
using c_call_t = c_call<CFunction, Locator, std::make_index_sequence<c_function_traits<CFunction>::arity - 1>>;

/// What a C callback does with its arguments when given no transform: pass
/// them, converted, to the callback (or push them into the sink).
struct pass_arguments
{
  template <typename Target, typename... A>
  void operator()(Target& target, A&&... args) const
  {
    target(std::forward<A>(args)...);
  }
};

/// A one-shot carrier: the callback and the transform, taken back and freed
/// by the one call.
template <typename Signature, typename Transform>
struct one_shot_carrier
{
  callback<Signature> cb;
  Transform transform;
};

template <typename CFunction, typename Locator, typename Signature, typename Transform>
struct one_shot_trampoline;

template <typename R, typename... P, typename Locator, typename Signature, typename Transform>
struct one_shot_trampoline<R (*)(P...), Locator, Signature, Transform>
{
  using call_type = c_call_t<R (*)(P...), Locator>;
  using carrier = one_shot_carrier<Signature, Transform>;

  static R call(P... params) noexcept
  {
    std::unique_ptr<carrier> owned(static_cast<carrier*>(call_type::user_data(params...)));
    return call_type::forward([&](auto&&... args) { return owned->transform(owned->cb, args...); }, params...);
  }
};

template <typename R, typename... P, typename Locator, typename Signature, typename Transform>
struct one_shot_trampoline<R (*)(P...) noexcept, Locator, Signature, Transform>
  : one_shot_trampoline<R (*)(P...), Locator, Signature, Transform>
{
};

template <typename T>
inline constexpr bool is_user_data_locator = false;

template <auto Member>
inline constexpr bool is_user_data_locator<user_data_in_t<Member>> = true;

} // namespace detail

/// A C function pointer and the `void*` that carries an awaitify callback
/// through a C API; made by `to_c_callback`.
/**
 * Pass `function()` and `user_data()` to the C call. When the C library calls
 * the function (once), the callback is invoked with the C arguments other
 * than the user data, and the carrier is freed. If the C call fails
 * synchronously and will never call back, call `reclaim()` or `fail(ec)`
 * instead. Exactly one of the three must happen, once: none leaks the
 * carrier, two free it twice.
 *
 * @par Thread safety
 * The C library may call the function on any thread.
 */
template <typename CFunction>
class c_callback
{
public:
  /// The C function: it invokes the callback and frees the carrier.
  CFunction function() const noexcept { return function_; }

  /// The carrier, owned by the C library until it calls `function()`.
  void* user_data() const noexcept { return user_data_; }

  /// Frees the carrier of a callback that will never be called: the
  /// operation completes with `error::callback_dropped`.
  void reclaim() const noexcept { release_(user_data_, nullptr); }

  /// Frees the carrier and completes the operation with `ec` (the C call's
  /// synchronous failure, say). Returns what `callback::fail` returns.
  bool fail(const boost::system::error_code& ec) const noexcept { return release_(user_data_, &ec); }

#ifndef GENERATING_DOCUMENTATION
  using release_fn = bool (*)(void*, const boost::system::error_code*) noexcept;

  c_callback(CFunction fn, void* carrier, release_fn release) noexcept
    : function_(fn), user_data_(carrier), release_(release)
  {
  }
#endif

private:
  CFunction function_;
  void* user_data_;
  release_fn release_;
};

namespace detail {

template <typename CFunction, typename Signature, typename Locator, typename Transform>
c_callback<CFunction> make_c_callback(callback<Signature> cb, Locator, Transform transform)
{
  using carrier = detail::one_shot_carrier<Signature, Transform>;
  using trampoline = detail::one_shot_trampoline<CFunction, Locator, Signature, Transform>;
  void* user_data = new carrier{std::move(cb), std::move(transform)};
  return c_callback<CFunction>(&trampoline::call, user_data,
      [](void* p, const boost::system::error_code* ec) noexcept {
        std::unique_ptr<carrier> carried(static_cast<carrier*>(p));
        // Asked for by the user: neither is reported as misuse.
        const bool failed = ec ? detail::callback_access::fail_quietly(carried->cb, *ec)
                               : detail::callback_access::drop_quietly(carried->cb);
        return ec && failed;
      });
}

} // namespace detail

/// Moves `cb` into a heap carrier and returns it with a C function pointer of
/// type `CFunction` that takes it back.
/**
 * `CFunction` is the exact type the C API wants, e.g.
 * `void (*)(void* arg, int status, const char* value)`, `void (*)(void*)`, or
 * a `noexcept` function pointer type. Its `void*` parameter is the user data,
 * first or last (a function whose first and last parameters are both `void*`
 * is ambiguous, and is rejected; a lone `void*` is the user data); the other
 * parameters are passed to `cb`, in order, and must convert to its
 * signature's arguments. The conversion runs
 * on the C library's thread inside a function that must not throw: a
 * conversion that throws (say, `std::string` from a null `const char*`)
 * terminates the program.
 *
 * @par Thread safety
 * Safe to call from any thread.
 */
template <typename CFunction, typename Signature>
c_callback<CFunction> to_c_callback(callback<Signature> cb)
{
  return detail::make_c_callback<CFunction>(std::move(cb), detail::user_data_at_ends(), detail::pass_arguments());
}

/// As above, with `transform` run inside the C call, on the C library's
/// thread, instead of passing the C arguments on.
/**
 * `transform(callback<Signature>& cb, c_args...)` receives the C arguments
 * other than the user data while they are valid (a borrowed `hostent*`, say)
 * and completes the operation: `cb(values...)`, or `cb.fail(ec)` (an
 * `int status` mapped to an `error_code`, with `c_error_category`). What it
 * returns is what the C function returns (the C function returns a
 * value-initialised result if it returns nothing). It must not throw: it runs
 * in a function that the C library calls, and an exception terminates the
 * program.
 */
template <typename CFunction, typename Signature, typename Transform>
  requires(!detail::is_user_data_locator<Transform>)
c_callback<CFunction> to_c_callback(callback<Signature> cb, Transform transform)
{
  return detail::make_c_callback<CFunction>(std::move(cb), detail::user_data_at_ends(), std::move(transform));
}

/// Where a C library keeps the user's pointer: in the field `Member` of the
/// struct its callback receives first (libuv's `&uv_fs_t::data`).
template <auto Member>
inline constexpr detail::user_data_in_t<Member> user_data_in{};

/// As above, for a C API that hands its callback a request or handle and
/// keeps the user's pointer in one of its fields: store `user_data()` there
/// (`req->data = c.user_data()`). The transform receives every C argument,
/// the struct pointer first.
/**
 * @code
 * // void uv_fs_cb(uv_fs_t* req);  int uv_fs_stat(loop, req, path, uv_fs_cb)
 * auto c = awaitify::to_c_callback<uv_fs_cb>(std::move(cb), awaitify::user_data_in<&uv_fs_t::data>,
 *     [](auto& cb, uv_fs_t* req) { req->result < 0 ? cb.fail(uv_error(req->result)) : cb(req->statbuf.st_size); });
 * req->data = c.user_data();
 * @endcode
 */
template <typename CFunction, typename Signature, auto Member, typename Transform = detail::pass_arguments>
c_callback<CFunction> to_c_callback(
    callback<Signature> cb, detail::user_data_in_t<Member> where, Transform transform = Transform())
{
  return detail::make_c_callback<CFunction>(std::move(cb), where, std::move(transform));
}

namespace detail {

/// The carrier that a success and a failure callback share.
template <typename Signature, typename OnSuccess, typename OnFailure>
struct shared_carrier
{
  callback<Signature> cb;
  OnSuccess on_success;
  OnFailure on_failure;
};

template <typename CFunction, typename Carrier, bool Success>
struct shared_trampoline;

template <typename R, typename... P, typename Carrier, bool Success>
struct shared_trampoline<R (*)(P...), Carrier, Success>
{
  using call_type = c_call_t<R (*)(P...), user_data_at_ends>;

  static R call(P... params) noexcept
  {
    const auto id = reinterpret_cast<std::uintptr_t>(call_type::user_data(params...));
    std::unique_ptr<Carrier> owned(static_cast<Carrier*>(take_shared_carrier(id)));
    if (!owned) // The other callback (or this one) was called already.
    {
      if constexpr (!std::is_void_v<R>)
        return R();
      else
        return;
    }
    return call_type::forward(
        [&](auto&&... args) {
          if constexpr (Success)
            return owned->on_success(owned->cb, args...);
          else
            return owned->on_failure(owned->cb, args...);
        },
        params...);
  }
};

template <typename R, typename... P, typename Carrier, bool Success>
struct shared_trampoline<R (*)(P...) noexcept, Carrier, Success> : shared_trampoline<R (*)(P...), Carrier, Success>
{
};

} // namespace detail

/// A success and a failure C callback that share one context pointer and
/// complete one operation; made by `to_c_callbacks`.
/**
 * Pass `on_success()`, `on_failure()` and `user_data()` to the C call (Paho
 * MQTT's `onSuccess`, `onFailure` and `context`). Whichever the library calls
 * completes the operation and frees the carrier, once. `user_data()` is not
 * an address but an id that is never reused: a library that calls both, or
 * one twice, finds it spent, and the call is counted as a duplicate (for the
 * 1024 most recently spent ids; an older one is ignored), never a double
 * free. If the C call fails synchronously, `reclaim()` or `fail(ec)` frees
 * the carrier instead, as for `c_callback`.
 *
 * @par Thread safety
 * The library may call either function on any thread.
 */
template <typename SuccessFn, typename FailureFn>
class c_callback_pair
{
public:
  /// The success callback.
  SuccessFn on_success() const noexcept { return on_success_; }

  /// The failure callback.
  FailureFn on_failure() const noexcept { return on_failure_; }

  /// The context pointer both receive.
  void* user_data() const noexcept { return user_data_; }

  /// Frees the carrier of callbacks that will never be called: the operation
  /// completes with `error::callback_dropped`.
  void reclaim() const noexcept { release_(user_data_, nullptr); }

  /// Frees the carrier and completes the operation with `ec`.
  bool fail(const boost::system::error_code& ec) const noexcept { return release_(user_data_, &ec); }

#ifndef GENERATING_DOCUMENTATION
  using release_fn = bool (*)(void*, const boost::system::error_code*) noexcept;

  c_callback_pair(SuccessFn success, FailureFn failure, void* id, release_fn release) noexcept
    : on_success_(success), on_failure_(failure), user_data_(id), release_(release)
  {
  }
#endif

private:
  SuccessFn on_success_;
  FailureFn on_failure_;
  void* user_data_;
  release_fn release_;
};

/// Moves `cb` into a carrier that two C callbacks of the library's exact
/// types share: `on_success(cb, c_args...)` runs in the success callback,
/// `on_failure(cb, c_args...)` in the failure one, on the library's thread,
/// with the C arguments other than the `void*` context (first or last); each
/// completes the operation (`cb(values...)`, `cb.fail(ec)`) and must not
/// throw.
/**
 * @code
 * // Paho: void onSuccess(void* context, MQTTAsync_successData* r);
 * //       void onFailure(void* context, MQTTAsync_failureData* r);
 * auto c = awaitify::to_c_callbacks<MQTTAsync_onSuccess*, MQTTAsync_onFailure*>(std::move(cb),
 *     [](auto& cb, MQTTAsync_successData*) { cb(); },
 *     [](auto& cb, MQTTAsync_failureData* r) { cb.fail(error_code(r->code, paho_errors)); });
 * opts.onSuccess = c.on_success(); opts.onFailure = c.on_failure(); opts.context = c.user_data();
 * @endcode
 *
 * @par Thread safety
 * Safe to call from any thread.
 */
template <typename SuccessFn, typename FailureFn, typename Signature, typename OnSuccess, typename OnFailure>
c_callback_pair<SuccessFn, FailureFn> to_c_callbacks(
    callback<Signature> cb, OnSuccess on_success, OnFailure on_failure)
{
  using carrier = detail::shared_carrier<Signature, OnSuccess, OnFailure>;
  detail::anchor* const operation = detail::callback_access::anchor_of(cb);
  auto owned = std::make_unique<carrier>(carrier{std::move(cb), std::move(on_success), std::move(on_failure)});
  const std::uintptr_t id = detail::register_shared_carrier(owned.get(), operation);
  owned.release(); // The table, then a callback or the release below, owns it.
  return c_callback_pair<SuccessFn, FailureFn>(&detail::shared_trampoline<SuccessFn, carrier, true>::call,
      &detail::shared_trampoline<FailureFn, carrier, false>::call, reinterpret_cast<void*>(id),
      [](void* p, const boost::system::error_code* ec) noexcept {
        std::unique_ptr<carrier> carried(
            static_cast<carrier*>(detail::take_shared_carrier(reinterpret_cast<std::uintptr_t>(p))));
        if (!carried)
          return false;
        const bool failed = ec ? detail::callback_access::fail_quietly(carried->cb, *ec)
                               : detail::callback_access::drop_quietly(carried->cb);
        return ec && failed;
      });
}

} // namespace awaitify

#endif // AWAITIFY_C_CALLBACK_HPP
