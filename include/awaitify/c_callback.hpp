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
#include <awaitify/detail/carrier_ownership.hpp>
#include <awaitify/detail/carrier_table.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
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

/// @brief The user data is the C function's parameter N (counted from 0); the
/// others are passed on, in order.
template <std::size_t N>
struct user_data_at_t
{
};

template <std::size_t N, typename... P>
constexpr bool is_void_ptr_at() noexcept
{
  if constexpr (N < sizeof...(P))
    return std::is_same_v<std::tuple_element_t<N, std::tuple<P...>>, void*>;
  else
    return false;
}

template <typename CFunction, typename Locator, typename Indices>
struct c_call;

template <typename R, typename... P, std::size_t... I, std::size_t N>
struct c_call<R (*)(P...), user_data_at_t<N>, std::index_sequence<I...>>
{
  static_assert(is_void_ptr_at<N, P...>(),
      "awaitify::user_data_at<N>: the C function's parameter N (counted from 0) must be its void* user data");

  static void* user_data(P... params) noexcept { return std::get<N>(std::tuple<P...>(params...)); }

  template <typename F>
  static R forward(F&& f, P... params)
  {
    std::tuple<P...> args(params...);
    if constexpr (std::is_void_v<R> || std::is_void_v<decltype(f(std::get<I + (I >= N)>(args)...))>)
    {
      f(std::get<I + (I >= N)>(args)...);
      if constexpr (!std::is_void_v<R>)
        return R();
    }
    else
      return static_cast<R>(f(std::get<I + (I >= N)>(args)...));
  }
};

template <typename R, typename... P, std::size_t... I, std::size_t N>
struct c_call<R (*)(P...) noexcept, user_data_at_t<N>, std::index_sequence<I...>>
  : c_call<R (*)(P...), user_data_at_t<N>, std::index_sequence<I...>>
{
};

/// By default the user data is the first or last parameter.
struct user_data_at_ends
{
};

template <typename R, typename... P, std::size_t... I>
struct c_call<R (*)(P...), user_data_at_ends, std::index_sequence<I...>>
{
  using traits = c_function_traits<R (*)(P...)>;
  static_assert(traits::arity == 1 ? traits::user_data_first : traits::user_data_first != traits::user_data_last,
      "the C function must take its void* user data first or last, and only one of its "
      "first and last parameters may be a void* (else name it with awaitify::user_data_at<N>)");
  using at = c_call<R (*)(P...), user_data_at_t<traits::user_data_first ? 0 : sizeof...(P) - 1>,
      std::index_sequence<I...>>;

  static void* user_data(P... params) noexcept { return at::user_data(params...); }

  template <typename F>
  static R forward(F&& f, P... params)
  {
    return at::forward(std::forward<F>(f), params...);
  }
};

template <typename R, typename... P, std::size_t... I>
struct c_call<R (*)(P...) noexcept, user_data_at_ends, std::index_sequence<I...>>
  : c_call<R (*)(P...), user_data_at_ends, std::index_sequence<I...>>
{
};

/// @brief Where a C library keeps the user's pointer in a struct of its own that
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

/// @brief What a C callback does with its arguments when given no transform: pass
/// them, converted, to the callback (or push them into the sink).
struct pass_arguments
{
  template <typename Target, typename... A>
  void operator()(Target& target, A&&... args) const
  {
    target(std::forward<A>(args)...);
  }
};

/// @brief What every one-shot C carrier begins with: its handles find the
/// ownership there, whatever the carrier's type.
struct c_carrier_base
{
  carrier_ownership ownership;
};

/// What a handle does with its carrier, whose type it does not know.
struct c_carrier_ops
{
  /// @brief reclaim() (null `ec`) or fail(*ec): completes the callback quietly and
  /// gives back C's share.
  bool (*release)(c_carrier_base* carrier, void* user_data, const error_code* ec) noexcept;

  /// @brief Frees the carrier once its last handle let go. When C never had it
  /// (`never_handed`), the callback it still holds is dropped, and reported,
  /// as a lost one is.
  void (*destroy)(c_carrier_base* carrier, void* user_data, bool never_handed) noexcept;
};

/// @brief Gives C's share back when a C call returns: after the callback that the
/// call took out of the carrier is gone, so a transform that completed
/// nothing drops the operation then, whoever still holds a handle.
template <typename Carrier>
struct give_back_on_return
{
  Carrier* carried;

  ~give_back_on_return()
  {
    if (carried->ownership.give_back() != carrier_ownership::release_result::keep)
      delete carried;
  }
};

template <typename Carrier>
bool release_carrier(Carrier* carried, const error_code* ec) noexcept
{
  give_back_on_return<Carrier> give_back{carried};
  const auto cb = std::move(carried->cb);
  // Asked for by the user: neither is reported as misuse.
  const bool failed = ec ? callback_access::fail_quietly(cb, *ec) : callback_access::drop_quietly(cb);
  return ec && failed;
}

/// @brief A one-shot carrier: the callback, taken out by the one C call (or a
/// reclaim), and the transform.
template <typename Signature, typename Transform>
struct one_shot_carrier : c_carrier_base
{
  one_shot_carrier(callback<Signature> c, Transform t) : cb(std::move(c)), transform(std::move(t)) {}

  callback<Signature> cb;
  Transform transform;

  static bool release(c_carrier_base* carrier, void*, const error_code* ec) noexcept
  {
    return release_carrier(static_cast<one_shot_carrier*>(carrier), ec);
  }

  static void destroy(c_carrier_base* carrier, void*, bool) noexcept { delete static_cast<one_shot_carrier*>(carrier); }

  static constexpr c_carrier_ops ops{&release, &destroy};
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
    auto* carried = static_cast<carrier*>(call_type::user_data(params...));
    give_back_on_return<carrier> give_back{carried};
    callback<Signature> cb = std::move(carried->cb);
    return call_type::forward([&](auto&&... args) { return carried->transform(cb, args...); }, params...);
  }
};

template <typename R, typename... P, typename Locator, typename Signature, typename Transform>
struct one_shot_trampoline<R (*)(P...) noexcept, Locator, Signature, Transform>
  : one_shot_trampoline<R (*)(P...), Locator, Signature, Transform>
{
};

/// @brief A handle's share of a one-shot carrier (or a pair's): copies share it,
/// and the last one to go frees a carrier that was never handed to C.
class c_carrier_handle
{
public:
  c_carrier_handle(c_carrier_base* carrier, void* user_data, const c_carrier_ops* ops) noexcept
    : carrier_(carrier), user_data_(user_data), ops_(ops)
  {
  }

  c_carrier_handle(const c_carrier_handle& other) noexcept
    : carrier_(other.carrier_), user_data_(other.user_data_), ops_(other.ops_)
  {
    if (carrier_)
      carrier_->ownership.add_handle();
  }

  c_carrier_handle(c_carrier_handle&& other) noexcept
    : carrier_(std::exchange(other.carrier_, nullptr)), user_data_(other.user_data_), ops_(other.ops_)
  {
  }

  c_carrier_handle& operator=(c_carrier_handle other) noexcept
  {
    std::swap(carrier_, other.carrier_);
    std::swap(user_data_, other.user_data_);
    std::swap(ops_, other.ops_);
    return *this;
  }

  ~c_carrier_handle()
  {
    if (!carrier_)
      return;
    const auto released = carrier_->ownership.release_handle();
    if (released != carrier_ownership::release_result::keep)
      ops_->destroy(carrier_, user_data_, released == carrier_ownership::release_result::free_never_handed);
  }

  void* hand_over() const noexcept
  {
    if (!carrier_)
      return nullptr;
    carrier_->ownership.hand_over();
    return user_data_;
  }

  bool release(const error_code* ec) const noexcept
  {
    return carrier_ && ops_->release(carrier_, user_data_, ec);
  }

private:
  c_carrier_base* carrier_;
  void* user_data_;
  const c_carrier_ops* ops_;
};

template <typename T>
inline constexpr bool is_user_data_locator = false;

template <auto Member>
inline constexpr bool is_user_data_locator<user_data_in_t<Member>> = true;

template <std::size_t N>
inline constexpr bool is_user_data_locator<user_data_at_t<N>> = true;

} // namespace detail

/// @brief A C function pointer and the `void*` that carries an awaitify callback
/// through a C API; made by `to_c_callback`.
/**
 * Pass `function()` and `user_data()` to the C call. Until `user_data()` is
 * taken, the carrier belongs to this object and its copies: if the last of
 * them goes without it having been taken (an early return, an exception, a
 * dropped job that would have made the C call), the carrier is freed and the
 * operation completes with `error::callback_dropped`, counted and reported
 * as a dropped `callback` is. Taking `user_data()` (of any copy, any number
 * of times) hands the carrier to C: when the C library calls the function
 * (once), the callback is invoked with the C arguments other than the user
 * data, and the carrier is freed once the call has returned and this object
 * and its copies are gone, in either order. If the C call fails
 * synchronously and will never call back, call `reclaim()` or `fail(ec)`
 * instead. Exactly one of the C call, `reclaim()` and `fail(ec)` must happen,
 * once: a C library that calls after a reclaim, or twice, uses a carrier that
 * may have been freed.
 *
 * @par Thread safety
 * The C library may call the function on any thread. Copies of this object
 * may be used and destroyed on different threads concurrently; one object
 * is not to be used concurrently with its own assignment or destruction.
 */
template <typename CFunction>
class c_callback
{
public:
  /// The C function: it invokes the callback and gives the carrier back.
  CFunction function() const noexcept { return function_; }

  /// @brief Hands the carrier to C (once, whichever copy takes it first) and
  /// returns it: the C library owns it from then on, until it calls
  /// `function()`.
  void* user_data() const noexcept { return carrier_.hand_over(); }

  /// @brief Completes the operation with `error::callback_dropped`, for a C call
  /// that failed synchronously and will never call back, and gives the
  /// carrier back from C. Not reported as misuse.
  void reclaim() const noexcept { carrier_.release(nullptr); }

  /// @brief As `reclaim()`, completing the operation with `ec` (the C call's
  /// synchronous failure, say). Returns what `callback::fail` returns.
  bool fail(const error_code& ec) const noexcept { return carrier_.release(&ec); }

#ifndef GENERATING_DOCUMENTATION
  c_callback(CFunction fn, detail::c_carrier_handle carrier) noexcept : function_(fn), carrier_(std::move(carrier)) {}
#endif

private:
  CFunction function_;
  detail::c_carrier_handle carrier_;
};

namespace detail {

template <typename CFunction, typename Signature, typename Locator, typename Transform>
c_callback<CFunction> make_c_callback(callback<Signature> cb, Locator, Transform transform)
{
  using carrier = detail::one_shot_carrier<Signature, Transform>;
  using trampoline = detail::one_shot_trampoline<CFunction, Locator, Signature, Transform>;
  auto* carried = new carrier(std::move(cb), std::move(transform));
  return c_callback<CFunction>(&trampoline::call, c_carrier_handle(carried, carried, &carrier::ops));
}

} // namespace detail

/// @brief Moves `cb` into a heap carrier and returns it with a C function pointer of
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

/// @brief As above, with `transform` run inside the C call, on the C library's
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

/// @brief Where a C library keeps the user's pointer: in the field `Member` of the
/// struct its callback receives first (libuv's `&uv_fs_t::data`).
template <auto Member>
inline constexpr detail::user_data_in_t<Member> user_data_in{};

/// @brief As above, for a C API that hands its callback a request or handle and
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

/// @brief Where a C library passes the user's pointer: its callback's parameter `N`,
/// counted from 0 as `std::get` counts, at any position (sd-bus's
/// `int (*)(sd_bus_message* m, void* userdata, sd_bus_error* e)` is
/// `user_data_at<1>`).
template <std::size_t N>
inline constexpr detail::user_data_at_t<N> user_data_at{};

/// @brief As above, for a C function whose user data is its parameter `N`, in the
/// middle as well as at either end: pass `user_data()` as `user_data_in`'s
/// users do. The transform receives the other C arguments, in order.
/**
 * @code
 * // int handler(sd_bus_message* m, void* userdata, sd_bus_error* e);
 * auto c = awaitify::to_c_callback<sd_bus_message_handler_t>(std::move(cb), awaitify::user_data_at<1>,
 *     [](auto& cb, sd_bus_message* m, sd_bus_error*) { cb(reply_of(m)); return 0; });
 * sd_bus_call_async(bus, &slot, request, c.function(), c.user_data(), 0);
 * @endcode
 */
template <typename CFunction, typename Signature, std::size_t N, typename Transform = detail::pass_arguments>
c_callback<CFunction> to_c_callback(
    callback<Signature> cb, detail::user_data_at_t<N> where, Transform transform = Transform())
{
  return detail::make_c_callback<CFunction>(std::move(cb), where, std::move(transform));
}

namespace detail {

/// @brief The carrier that a success and a failure callback share. The C library
/// holds its id (see carrier_table.hpp), the handles its address.
template <typename Signature, typename OnSuccess, typename OnFailure>
struct shared_carrier : c_carrier_base
{
  shared_carrier(callback<Signature> c, OnSuccess s, OnFailure f)
    : cb(std::move(c)), on_success(std::move(s)), on_failure(std::move(f))
  {
  }

  callback<Signature> cb;
  OnSuccess on_success;
  OnFailure on_failure;

  static shared_carrier* take(void* id) noexcept
  {
    return static_cast<shared_carrier*>(take_shared_carrier(reinterpret_cast<std::uintptr_t>(id)));
  }

  static bool release(c_carrier_base*, void* id, const error_code* ec) noexcept
  {
    shared_carrier* carried = take(id);
    return carried && release_carrier(carried, ec);
  }

  static void destroy(c_carrier_base* carrier, void* id, bool never_handed) noexcept
  {
    if (never_handed) // Nothing took its id out of the table yet.
      take(id);
    delete static_cast<shared_carrier*>(carrier);
  }

  static constexpr c_carrier_ops ops{&release, &destroy};
};

template <typename CFunction, typename Carrier, bool Success>
struct shared_trampoline;

template <typename R, typename... P, typename Carrier, bool Success>
struct shared_trampoline<R (*)(P...), Carrier, Success>
{
  using call_type = c_call_t<R (*)(P...), user_data_at_ends>;

  static R call(P... params) noexcept
  {
    Carrier* carried = Carrier::take(call_type::user_data(params...));
    if (!carried) // The other callback (or this one) was called already.
    {
      if constexpr (!std::is_void_v<R>)
        return R();
      else
        return;
    }
    give_back_on_return<Carrier> give_back{carried};
    auto cb = std::move(carried->cb);
    return call_type::forward(
        [&](auto&&... args) {
          if constexpr (Success)
            return carried->on_success(cb, args...);
          else
            return carried->on_failure(cb, args...);
        },
        params...);
  }
};

template <typename R, typename... P, typename Carrier, bool Success>
struct shared_trampoline<R (*)(P...) noexcept, Carrier, Success> : shared_trampoline<R (*)(P...), Carrier, Success>
{
};

} // namespace detail

/// @brief A success and a failure C callback that share one context pointer and
/// complete one operation; made by `to_c_callbacks`.
/**
 * Pass `on_success()`, `on_failure()` and `user_data()` to the C call (Paho
 * MQTT's `onSuccess`, `onFailure` and `context`). Whichever the library calls
 * completes the operation, once. `user_data()` is not an address but an id
 * that is never reused: a library that calls both, or one twice, finds it
 * spent, and the call is counted as a duplicate (for the 1024 most recently
 * spent ids; an older one is ignored), never a double free. As for
 * `c_callback`, the carrier belongs to this object and its copies until
 * `user_data()` is taken: the last of them to go without it having been
 * taken completes the operation with `error::callback_dropped`, reported as
 * a dropped `callback` is; and if the C call fails synchronously,
 * `reclaim()` or `fail(ec)` takes the carrier back from C instead.
 *
 * @par Thread safety
 * The library may call either function on any thread. Copies of this object
 * may be used and destroyed on different threads concurrently.
 */
template <typename SuccessFn, typename FailureFn>
class c_callback_pair
{
public:
  /// The success callback.
  SuccessFn on_success() const noexcept { return on_success_; }

  /// The failure callback.
  FailureFn on_failure() const noexcept { return on_failure_; }

  /// @brief Hands the carrier to C (once, whichever copy takes it first) and
  /// returns the context pointer both callbacks receive.
  void* user_data() const noexcept { return carrier_.hand_over(); }

  /// @brief Completes the operation with `error::callback_dropped`, for callbacks
  /// that will never be called, and takes the carrier back from C.
  void reclaim() const noexcept { carrier_.release(nullptr); }

  /// @brief As `reclaim()`, completing the operation with `ec`. Returns what
  /// `callback::fail` returns.
  bool fail(const error_code& ec) const noexcept { return carrier_.release(&ec); }

#ifndef GENERATING_DOCUMENTATION
  c_callback_pair(SuccessFn success, FailureFn failure, detail::c_carrier_handle carrier) noexcept
    : on_success_(success), on_failure_(failure), carrier_(std::move(carrier))
  {
  }
#endif

private:
  SuccessFn on_success_;
  FailureFn on_failure_;
  detail::c_carrier_handle carrier_;
};

/// @brief Moves `cb` into a carrier that two C callbacks of the library's exact
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
  auto owned = std::make_unique<carrier>(std::move(cb), std::move(on_success), std::move(on_failure));
  const std::uintptr_t id = detail::register_shared_carrier(owned.get(), operation);
  // From here the table, for C, and the handle share it.
  detail::c_carrier_handle handle(owned.release(), reinterpret_cast<void*>(id), &carrier::ops);
  return c_callback_pair<SuccessFn, FailureFn>(&detail::shared_trampoline<SuccessFn, carrier, true>::call,
      &detail::shared_trampoline<FailureFn, carrier, false>::call, std::move(handle));
}

} // namespace awaitify

#endif // AWAITIFY_C_CALLBACK_HPP
