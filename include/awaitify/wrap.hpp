// SPDX-License-Identifier: BSL-1.0
//
// awaitify/wrap.hpp
// ~~~~~~~~~~~~~~~~~
//
// Turns a callback-style function into an Asio initiating function object.
//

#ifndef AWAITIFY_WRAP_HPP
#define AWAITIFY_WRAP_HPP

#include <awaitify/async_call.hpp>
#include <awaitify/on.hpp>
#include <awaitify/callback.hpp>
#include <awaitify/completion_signature.hpp>
#include <awaitify/source_location.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// @brief The `init` of a wrapped call: the legacy function and decayed copies of
/// its arguments, to be called with the callback appended.
// How the wrapper and its operations hold the legacy function. A function
// pointer or a stateless function object is copied into each operation: that
// costs nothing, and no state can diverge. A function object with state is
// shared by the wrapper (and its copies) and every operation it starts, so
// that each call reaches the one the wrapper stores, as if called directly,
// even when a deferred operation is launched after the wrapper is gone.
template <typename LegacyFn>
inline constexpr bool shares_legacy_fn = std::is_class_v<LegacyFn> && !std::is_empty_v<LegacyFn>;

template <typename LegacyFn>
using stored_legacy_fn = std::conditional_t<shares_legacy_fn<LegacyFn>, std::shared_ptr<LegacyFn>, LegacyFn>;

template <typename LegacyFn>
stored_legacy_fn<LegacyFn> store_legacy_fn(LegacyFn fn)
{
  if constexpr (shares_legacy_fn<LegacyFn>)
    return std::make_shared<LegacyFn>(std::move(fn));
  else
    return fn;
}

template <typename LegacyFn>
LegacyFn& stored_fn(stored_legacy_fn<LegacyFn>& fn)
{
  if constexpr (shares_legacy_fn<LegacyFn>)
  {
    if (!fn)
      throw std::bad_function_call(); // A moved-from wrapper's.
    return *fn;
  }
  else
    return fn;
}

template <typename Signature, typename LegacyFn, typename... Args>
class bound_legacy_call
{
public:
  template <typename... A>
  explicit bound_legacy_call(const stored_legacy_fn<LegacyFn>& fn, A&&... args)
    : fn_(fn), args_(std::forward<A>(args)...)
  {
  }

  // Invoked once, so the copies are handed over as rvalues: move-only
  // arguments work.
  void operator()(callback<Signature> cb) &&
  {
    LegacyFn& fn = stored_fn<LegacyFn>(fn_);
    std::apply([&](Args&... args) { fn(std::move(args)..., std::move(cb)); }, args_);
  }

private:
  stored_legacy_fn<LegacyFn> fn_;
  std::tuple<Args...> args_;
};

template <typename... Ts>
using last_t = typename std::tuple_element_t<sizeof...(Ts) - 1, std::tuple<Ts...>>;

/// @brief The parameters of a callable with exactly one call signature: a function
/// (pointer), or a class with one non-template `operator()` (`std::function`,
/// a non-generic lambda, an SDK's callback class). `known` is false for
/// anything else (overloaded or generic call operators).
template <typename F, typename = void>
struct call_parameters
{
  static constexpr bool known = false;
};

template <typename... A>
struct parameter_list
{
  static constexpr bool known = true;
  static constexpr std::size_t size = sizeof...(A);
  using last = last_t<A...>;
  using as_signature = void(A...);
};

template <typename R, typename... A>
struct call_parameters<R(A...)> : parameter_list<A...>
{
};

template <typename R, typename... A>
struct call_parameters<R(A...) noexcept> : parameter_list<A...>
{
};

template <typename F>
struct call_parameters<F*> : call_parameters<F>
{
};

template <typename R, typename C, typename... A>
struct call_parameters<R (C::*)(A...)> : parameter_list<A...>
{
};

template <typename R, typename C, typename... A>
struct call_parameters<R (C::*)(A...) const> : parameter_list<A...>
{
};

template <typename R, typename C, typename... A>
struct call_parameters<R (C::*)(A...) noexcept> : parameter_list<A...>
{
};

template <typename R, typename C, typename... A>
struct call_parameters<R (C::*)(A...) const noexcept> : parameter_list<A...>
{
};

template <typename F>
struct call_parameters<F, std::enable_if_t<std::is_class_v<F>, std::void_t<decltype(&F::operator())>>>
  : call_parameters<decltype(&F::operator())>
{
};

// A legacy function bound to a library executor takes what it binds takes.
template <typename LibraryExecutor, typename F>
struct call_parameters<on_t<LibraryExecutor, F>> : call_parameters<F>
{
};

/// @brief The signature of the callback a legacy function takes last, read off that
/// parameter's own call signature.
template <typename LegacyFn>
struct deduced_callback
{
  using legacy = call_parameters<std::decay_t<LegacyFn>>;
  static_assert(legacy::known,
      "awaitify::wrap cannot read the legacy function's parameters (it is overloaded or generic): "
      "spell the callback's signature, as in wrap<void(int)>(ex, legacy_fn)");

  using parameter = std::decay_t<typename legacy::last>;
  using callback_call = call_parameters<parameter>;
  static_assert(callback_call::known,
      "awaitify::wrap cannot read the signature of the legacy function's callback parameter "
      "(overloaded or generic): spell it, as in wrap<void(int)>(ex, legacy_fn)");

  using signature = typename callback_call::as_signature;
};

/// @brief Checks, where the legacy function's last parameter can be read, that an
/// awaitify::callback<Signature> can be passed as it. The failing
/// instantiation names both types.
template <typename CallbackParameter, typename Signature>
struct check_callback_parameter
{
  static_assert(std::is_constructible_v<CallbackParameter, callback<Signature>>,
      "awaitify::wrap: the legacy function's callback parameter (CallbackParameter) cannot be "
      "made from an awaitify::callback<Signature>: give wrap the signature that parameter takes");
  static constexpr bool value = true;
};

template <typename Signature, typename LegacyFn>
constexpr bool check_legacy_fn() noexcept
{
  static_assert(!std::is_member_pointer_v<std::decay_t<LegacyFn>>,
      "awaitify::wrap: a member function needs its object: wrap a lambda that calls it, as in "
      "wrap<void(int)>(ex, [&obj](int a, awaitify::callback<void(int)> cb) { obj.async_f(a, std::move(cb)); })");
  using legacy = call_parameters<std::decay_t<LegacyFn>>;
  if constexpr (legacy::known)
  {
    if constexpr (legacy::size > 0)
    {
      using last = typename legacy::last;
      static_assert(!std::is_lvalue_reference_v<last> || std::is_const_v<std::remove_reference_t<last>>,
          "awaitify::wrap: the legacy function takes its callback by non-const reference, which the "
          "callback awaitify makes cannot bind to: wrap a lambda that keeps the callback and passes it");
      return check_callback_parameter<std::decay_t<last>, Signature>::value;
    }
  }
  return true;
}

} // namespace detail

/// @brief A callback-style function turned into an Asio initiating function object;
/// made by `wrap`.
/**
 * `f(args..., token)` starts
 * `async_call<Signature>(f.get_executor(), init, token)` where `init(cb)`
 * calls `legacy_fn(args..., cb)` with decayed copies of `args...` (moved into
 * the call, so move-only arguments work). The token may be omitted when the
 * executor has a default completion token; the last argument is taken as the
 * token whenever it is a completion token for the completion signature.
 * Everything `async_call` documents applies: completion signature
 * `completion_signature_t<Signature>`, the handler runs on its associated
 * executor (default: `get_executor()`), terminal per-operation cancellation,
 * shutdown safety. Diagnostics report the place where `wrap` was called.
 *
 * Every call reaches the legacy function the wrapper stores: a function
 * object with state (a counter, a connection) is shared by the wrapper, its
 * copies and the operations they start, never copied per call; a function
 * pointer or a stateless function object is copied, which is the same.
 *
 * @par Thread safety
 * `operator()` is const and may be called concurrently from any threads if
 * the legacy function may be.
 */
template <typename Signature, typename Executor, typename LegacyFn>
class wrapper
{
public:
  /// The I/O executor of the operations this wrapper starts.
  using executor_type = Executor;

  /// The completion signature of those operations.
  using completion_signature = completion_signature_t<Signature>;

  /// @brief Made by `wrap`: calls `fn` with the I/O executor `ex`; `where` records
  /// the call site of `wrap` for misuse reports.
  wrapper(const Executor& ex, LegacyFn fn, const source_location& where)
    : ex_(ex), fn_(detail::store_legacy_fn(std::move(fn))), where_(where)
  {
  }

  /// A copy that shares a function object with state, and copies any other.
  wrapper(const wrapper&) = default;

  /// @brief Takes over `other`'s legacy function. `other` keeps its executor;
  /// calling it then completes with `error::initiation_failed` (for a
  /// function pointer or a stateless function object, it still calls it).
  wrapper(wrapper&& other) noexcept(std::is_nothrow_copy_constructible_v<Executor>
      && std::is_nothrow_move_constructible_v<detail::stored_legacy_fn<LegacyFn>>)
    : ex_(other.ex_), fn_(std::move(other.fn_)), where_(other.where_)
  {
  }

  /// Copies `other`, as the copy constructor does.
  wrapper& operator=(const wrapper&) = default;

  /// Takes over `other`'s legacy function, as the move constructor does.
  wrapper& operator=(wrapper&& other) noexcept(std::is_nothrow_copy_assignable_v<Executor>
      && std::is_nothrow_move_assignable_v<detail::stored_legacy_fn<LegacyFn>>)
  {
    ex_ = other.ex_;
    fn_ = std::move(other.fn_);
    where_ = other.where_;
    return *this;
  }

  ~wrapper() = default;

  /// The I/O executor of the operations this wrapper starts.
  executor_type get_executor() const noexcept { return ex_; }

  /// @brief Starts the legacy call `legacy_fn(args..., callback)` as an Asio
  /// operation; the last argument is the completion token.
  template <typename... Args>
  auto operator()(Args&&... args) const
  {
    if constexpr (sizeof...(Args) > 0)
    {
      if constexpr (asio::completion_token_for<detail::last_t<Args...>, completion_signature>)
        return call_with_token(std::forward_as_tuple(std::forward<Args>(args)...),
            std::make_index_sequence<sizeof...(Args) - 1>());
      else
        return call(asio::default_completion_token_t<Executor>(), std::forward<Args>(args)...);
    }
    else
      return call(asio::default_completion_token_t<Executor>());
  }

private:
  template <typename Tuple, std::size_t... I>
  auto call_with_token(Tuple&& args, std::index_sequence<I...>) const
  {
    // Each std::get moves one element out, never the same one twice.
    // NOLINTNEXTLINE(bugprone-use-after-move,bugprone-move-forwarding-reference): args is always a temporary.
    return call(std::get<sizeof...(I)>(std::move(args)), std::get<I>(std::move(args))...);
  }

  template <typename CompletionToken, typename... Args>
  auto call(CompletionToken&& token, Args&&... args) const
  {
    return async_call<Signature>(ex_,
        detail::bound_legacy_call<Signature, LegacyFn, std::decay_t<Args>...>(
            fn_, std::forward<Args>(args)...),
        std::forward<CompletionToken>(token), where_);
  }

  Executor ex_;
  detail::stored_legacy_fn<LegacyFn> fn_;
  source_location where_;
};

/// @brief Wraps a callback-style function `legacy_fn(args..., callback)` so that
/// `wrap<Signature>(ex, legacy_fn)(args..., token)` is an Asio operation.
/**
 * `Signature` is the signature of the legacy callback, e.g. `void(int)`.
 * `legacy_fn` is decay-copied into the wrapper. For a callback in another
 * position, use `async_call` with a lambda that puts it there.
 *
 * @par Thread safety
 * Safe to call from any thread.
 */
template <typename Signature, typename Executor, typename LegacyFn>
  requires asio::execution::is_executor<Executor>::value
wrapper<Signature, Executor, std::decay_t<LegacyFn>> wrap(const Executor& ex, LegacyFn&& legacy_fn,
    const source_location& where = source_location::current())
{
  static_assert(detail::check_legacy_fn<Signature, LegacyFn>());
  return wrapper<Signature, Executor, std::decay_t<LegacyFn>>(
      ex, std::forward<LegacyFn>(legacy_fn), where);
}

/// @brief Wraps a callback-style function, reading the callback's signature off its
/// last parameter.
/**
 * `legacy_fn`'s last parameter says what it calls back with: a
 * `std::function<void(Args...)>`, a function pointer `void (*)(Args...)`, or
 * another type with one unambiguous call signature (an SDK's callback
 * class). The signature is then `void(Args...)`, as if spelled:
 * `wrap(ex, legacy_add)` is `wrap<void(int)>(ex, legacy_add)` for
 * `void legacy_add(int, int, std::function<void(int)>)`. A legacy function
 * object whose parameters cannot be read (a generic lambda) needs the
 * signature spelled; a callback parameter that an `awaitify::callback`
 * cannot be passed as (a plain function pointer: use `to_c_callback` and
 * `async_call`) is rejected by one `static_assert` naming both types. An
 * overloaded function cannot be passed to any function template, this one
 * included: name the overload with a `static_cast` to its pointer type.
 *
 * @par Thread safety
 * Safe to call from any thread.
 */
template <typename Executor, typename LegacyFn>
  requires asio::execution::is_executor<Executor>::value
auto wrap(const Executor& ex, LegacyFn&& legacy_fn, const source_location& where = source_location::current())
{
  using signature = typename detail::deduced_callback<LegacyFn>::signature;
  return wrap<signature>(ex, std::forward<LegacyFn>(legacy_fn), where);
}

} // namespace awaitify

#endif // AWAITIFY_WRAP_HPP
