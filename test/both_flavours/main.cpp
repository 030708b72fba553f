// SPDX-License-Identifier: BSL-1.0
//
// A program that links awaitify twice, once per flavour: each flavour's
// symbols live in an inline namespace of their own, so that the two neither
// clash at link time nor break the one-definition rule at run time.
//

#include "both_flavours/both_flavours.hpp"

#include <iostream>

int main()
{
  std::cout << "boost.asio: " << add_on_boost_asio(1, 5) << '\n';
  std::cout << "standalone asio: " << add_on_standalone_asio(2, 4) << '\n';
}
