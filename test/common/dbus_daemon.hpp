// SPDX-License-Identifier: BSL-1.0
//
// test/common/dbus_daemon.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A private dbus-daemon for integration tests: a session-like bus on a unix
// socket in a temporary directory, that anyone may use. Ready when it has
// printed its address (it listens by then).
//

#ifndef AWAITIFY_TEST_COMMON_DBUS_DAEMON_HPP
#define AWAITIFY_TEST_COMMON_DBUS_DAEMON_HPP

#include "common/child_process.hpp"

#include <fstream>
#include <string>

namespace awaitify_test {

class dbus_daemon
{
public:
  dbus_daemon()
  {
    const auto config = dir_.path() / "bus.conf";
    std::ofstream(config) << R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=)" << (dir_.path() / "bus").string() << R"(</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
)";
    process_.start({AWAITIFY_DBUS_DAEMON, "--config-file=" + config.string(), "--nofork", "--nopidfile",
                       "--nosyslog", "--print-address=1"},
        true);
    address_ = process_.read_line();
  }

  /// The bus's address, as sd_bus_set_address takes it.
  const std::string& address() const noexcept { return address_; }

private:
  temp_dir dir_{"dbus"};
  child_process process_;
  std::string address_;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_DBUS_DAEMON_HPP
