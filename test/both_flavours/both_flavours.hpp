// SPDX-License-Identifier: BSL-1.0
//
// Two libraries of one program, each built on one flavour of awaitify.
//

#ifndef AWAITIFY_TEST_BOTH_FLAVOURS_HPP
#define AWAITIFY_TEST_BOTH_FLAVOURS_HPP

#include <string>

/// Adds on the Boost flavour; returns "sum, what a dropped callback gave".
std::string add_on_boost_asio(int a, int b);

/// The same on the standalone flavour.
std::string add_on_standalone_asio(int a, int b);

#endif // AWAITIFY_TEST_BOTH_FLAVOURS_HPP
