// SPDX-License-Identifier: BSL-1.0
// The version line of Asio 1.22, as Debian 12's libasio-dev has it.
#define ASIO_VERSION 102200 // 1.22.0
