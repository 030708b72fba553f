// SPDX-License-Identifier: BSL-1.0
// Stands for Debian 12's libasio-dev (Asio 1.22), which awaitify does not
// support: only the configure reads it.
#include "asio/version.hpp"
