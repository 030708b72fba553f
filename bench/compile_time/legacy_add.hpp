// SPDX-License-Identifier: BSL-1.0
//
// bench/compile_time/legacy_add.hpp: the legacy API that both programs of the
// compile-time comparison adapt. Declared only: the programs are compiled,
// never linked.
//

#ifndef AWAITIFY_BENCH_COMPILE_TIME_LEGACY_ADD_HPP
#define AWAITIFY_BENCH_COMPILE_TIME_LEGACY_ADD_HPP

#include <functional>

void legacy_add(int a, int b, std::function<void(int)> callback);

#endif // AWAITIFY_BENCH_COMPILE_TIME_LEGACY_ADD_HPP
