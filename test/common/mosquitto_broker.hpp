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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace awaitify_test {

class mosquitto_broker
{
public:
  mosquitto_broker() : port_(free_port())
  {
    char dir[] = "/tmp/awaitify-mosquitto-XXXXXX";
    if (!mkdtemp(dir))
      throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    std::filesystem::permissions(dir_, std::filesystem::perms::all); // readable after privileges drop
    config_ = dir_ / "mosquitto.conf";
    std::ofstream(config_) << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\nlog_dest none\n";
    start();
  }

  mosquitto_broker(const mosquitto_broker&) = delete;
  mosquitto_broker& operator=(const mosquitto_broker&) = delete;

  ~mosquitto_broker()
  {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  int port() const noexcept { return port_; }

  /// Starts the broker (again, on the same port) and waits until it accepts.
  void start()
  {
    pid_ = fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0)
    {
      execl(AWAITIFY_MOSQUITTO_BROKER, "mosquitto", "-c", config_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!accepts())
    {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_)
      {
        pid_ = -1;
        throw std::runtime_error("mosquitto exited at start");
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("mosquitto did not accept connections within 10 s");
      std::this_thread::yield();
    }
  }

  /// SIGSTOP: the broker stops answering, connections stay open.
  void pause() { ::kill(pid_, SIGSTOP); }

  /// SIGCONT.
  void resume() { ::kill(pid_, SIGCONT); }

  /// SIGKILL, and reap.
  void kill()
  {
    if (pid_ <= 0)
      return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

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
  std::filesystem::path dir_;
  std::filesystem::path config_;
  pid_t pid_ = -1;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_MOSQUITTO_BROKER_HPP
