// SPDX-License-Identifier: BSL-1.0
//
// test/common/redis_server.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A real redis-server for integration tests, listening only on a unix socket
// in a temporary directory (no TCP port: it cannot meet the system's own
// redis-server, if one runs), without persistence.
//

#ifndef AWAITIFY_TEST_COMMON_REDIS_SERVER_HPP
#define AWAITIFY_TEST_COMMON_REDIS_SERVER_HPP

#include "common/child_process.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace awaitify_test {

class redis_server
{
public:
  redis_server() { start(); }

  /// The unix socket's path.
  std::string socket_path() const { return (dir_.path() / "redis.sock").string(); }

  /// Starts the server and waits until it answers PING.
  void start()
  {
    process_.start({AWAITIFY_REDIS_SERVER, "--port", "0", "--unixsocket", socket_path(), "--save", "",
        "--appendonly", "no", "--dir", dir_.path().string(), "--logfile", (dir_.path() / "redis.log").string()});
    process_.wait_until([this] { return answers_ping(); }, "redis-server");
  }

  /// SIGKILL: every connection is reset.
  void kill() { process_.kill(); }

private:
  bool answers_ping() const
  {
    const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = socket_path();
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    char reply[8] = {};
    const bool ok = connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
        && write(s, "PING\r\n", 6) == 6 && read(s, reply, 7) == 7 && std::string(reply) == "+PONG\r\n";
    close(s);
    return ok;
  }

  temp_dir dir_{"redis"};
  child_process process_;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_REDIS_SERVER_HPP
