// SPDX-License-Identifier: BSL-1.0
//
// test/common/mosquitto_broker.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A real mosquitto broker on a free loopback port, for integration tests.
// Started as a child process; stopped by its PID in every path.
//

#ifndef AWAITIFY_TEST_COMMON_MOSQUITTO_BROKER_HPP
#define AWAITIFY_TEST_COMMON_MOSQUITTO_BROKER_HPP

#include "common/child_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace awaitify_test {

class mosquitto_broker
{
public:
  mosquitto_broker() : port_(free_port())
  {
    config_ = dir_.path() / "mosquitto.conf";
    std::ofstream(config_) << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\nlog_dest none\n";
    start();
  }

  int port() const noexcept { return port_; }

  /// Starts the broker (again, on the same port) and waits until it accepts.
  void start()
  {
    process_.start({AWAITIFY_MOSQUITTO_BROKER, "-c", config_.string()});
    process_.wait_until([this] { return accepts(); }, "mosquitto");
  }

  /// SIGSTOP: the broker stops answering, connections stay open.
  void pause() { process_.signal(SIGSTOP); }

  /// SIGCONT.
  void resume() { process_.signal(SIGCONT); }

  /// SIGKILL, and reap.
  void kill() { process_.kill(); }

private:
  static int free_port()
  {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0; // The broker cannot take port 0 itself: ask the kernel for one.
    socklen_t len = sizeof(addr);
    if (bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
        || getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    {
      close(s);
      throw std::runtime_error("no free port");
    }
    close(s);
    return ntohs(addr.sin_port);
  }

  bool accepts() const
  {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    const bool ok = connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(s);
    return ok;
  }

  int port_;
  temp_dir dir_{"mosquitto"};
  std::filesystem::path config_;
  child_process process_; // Destroyed (killed) before the directory.
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_MOSQUITTO_BROKER_HPP
