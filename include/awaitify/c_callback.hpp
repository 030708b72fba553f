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

#include <boost/system/error_code.hpp>

#include <cstddef>
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

template <typename CFunction, typename Signature, typename Indices>
struct c_trampoline;

// The C function's parameters other than user_data, in order, are passed to
// the callback (converted as by a function call: `const char*` to
// `std::string`, and so on).
template <typename R, typename... P, typename Signature, std::size_t... I>
struct c_trampoline<R (*)(P...), Signature, std::index_sequence<I...>>
{
  using traits = c_function_traits<R (*)(P...)>;
  static constexpr std::size_t offset = traits::user_data_first ? 1 : 0;
  static_assert(traits::arity == 1 ? traits::user_data_first : traits::user_data_first != traits::user_data_last,
      "the C function must take its void* user data first or last, and only one of its "
      "first and last parameters may be a void*");

  static R call(P... params) noexcept
  {
    std::tuple<P...> args(params...);
    void* user_data = std::get<traits::user_data_first ? 0 : traits::arity - 1>(args);
    // The carrier is consumed by this one call.
    callback<Signature> cb(std::move(*static_cast<callback<Signature>*>(user_data)));
    delete static_cast<callback<Signature>*>(user_data);
    cb(std::get<I + offset>(args)...);
    if constexpr (!std::is_void_v<R>)
      return R();
  }
};

// A C function type declared noexcept gets the same trampoline, which is
// noexcept already.
template <typename R, typename... P, typename Signature, std::size_t... I>
struct c_trampoline<R (*)(P...) noexcept, Signature, std::index_sequence<I...>>
  : c_trampoline<R (*)(P...), Signature, std::index_sequence<I...>>
{
};

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
  using traits = detail::c_function_traits<CFunction>;
  using trampoline = detail::c_trampoline<CFunction, Signature, std::make_index_sequence<traits::arity - 1>>;
  void* carrier = new callback<Signature>(std::move(cb));
  return c_callback<CFunction>(&trampoline::call, carrier,
      [](void* p, const boost::system::error_code* ec) noexcept {
        callback<Signature>* carried = static_cast<callback<Signature>*>(p);
        // Asked for by the user: neither is reported as misuse.
        const bool failed =
            ec ? detail::callback_access::fail_quietly(*carried, *ec) : detail::callback_access::drop_quietly(*carried);
        delete carried;
        return ec && failed;
      });
}

} // namespace awaitify

#endif // AWAITIFY_C_CALLBACK_HPP
