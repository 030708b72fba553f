// SPDX-License-Identifier: BSL-1.0
//
// awaitify/config.hpp
// ~~~~~~~~~~~~~~~~~~~
//
// The flavour: which Asio awaitify is built on, and the names that let one
// piece of code serve both.
//

#ifndef AWAITIFY_CONFIG_HPP
#define AWAITIFY_CONFIG_HPP

/**
 * @file
 * awaitify comes in two flavours from one codebase:
 *
 * | flavour | CMake target | Asio | errors |
 * |---|---|---|---|
 * | Boost (default) | `awaitify::awaitify` | `boost::asio`, Boost 1.81 to 1.90 | `boost::system::error_code` |
 * | standalone | `awaitify::awaitify_standalone` | `asio`, 1.26.0 to 1.38.2 | `std::error_code` |
 *
 * The standalone flavour is chosen by defining `AWAITIFY_STANDALONE_ASIO`
 * before any awaitify header (the CMake target defines it for its users). It
 * includes no Boost header. The reference is written with the Boost names;
 * in the standalone flavour read `boost::asio` as `asio` and
 * `boost::system` as `std`.
 *
 * Each flavour's names live in an inline namespace of their own
 * (`awaitify::boost_asio`, `awaitify::standalone_asio`): users write
 * `awaitify::`, and one program may link a library built on each flavour.
 */

#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/version.hpp>
#if ASIO_VERSION < 102600
#error "awaitify needs standalone Asio 1.26.0 or newer (the Asio of Boost 1.81)"
#endif
#include <system_error>
#else
#include <boost/asio/version.hpp>
#if BOOST_ASIO_VERSION < 102600
#error "awaitify needs Boost 1.81 or newer (Boost.Asio 1.26.0)"
#endif
#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/error_condition.hpp>
#include <boost/system/system_error.hpp>
#endif

#if defined(AWAITIFY_STANDALONE_ASIO)
#define AWAITIFY_NAMESPACE awaitify::inline standalone_asio
#else
/// @brief The namespace of the flavour's names, `awaitify::` for users; its inline
/// part keeps the two flavours' symbols apart in one program.
#define AWAITIFY_NAMESPACE awaitify::inline boost_asio
#endif

// Declared here so that the aliases below need no Asio header.
#if defined(AWAITIFY_STANDALONE_ASIO)
namespace asio {
}
#else
namespace boost::asio {
}
#endif

namespace AWAITIFY_NAMESPACE {

#if defined(AWAITIFY_STANDALONE_ASIO)
namespace asio = ::asio;
using error_code = std::error_code;
using error_category = std::error_category;
using error_condition = std::error_condition;
using system_error = std::system_error;
#else
/// The flavour's Asio: `boost::asio`, or standalone `asio` in the standalone flavour.
namespace asio = boost::asio;
/// `boost::system::error_code`, or `std::error_code` in the standalone flavour.
using error_code = boost::system::error_code;
/// `boost::system::error_category`, or `std::error_category` in the standalone flavour.
using error_category = boost::system::error_category;
/// `boost::system::error_condition`, or `std::error_condition` in the standalone flavour.
using error_condition = boost::system::error_condition;
/// `boost::system::system_error`, or `std::system_error` in the standalone flavour.
using system_error = boost::system::system_error;
#endif

namespace detail {
#if defined(AWAITIFY_STANDALONE_ASIO)
namespace sys = std;
#else
namespace sys = boost::system;
#endif
} // namespace detail

} // namespace AWAITIFY_NAMESPACE

#endif // AWAITIFY_CONFIG_HPP
