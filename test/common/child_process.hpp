// SPDX-License-Identifier: BSL-1.0
//
// test/common/child_process.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// What the integration tests' servers share: a temporary directory removed
// with its contents, and a child process killed and reaped by its PID in
// every path.
//

#ifndef AWAITIFY_TEST_COMMON_CHILD_PROCESS_HPP
#define AWAITIFY_TEST_COMMON_CHILD_PROCESS_HPP

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace awaitify_test {

/// A fresh directory under /tmp, removed with its contents.
class temp_dir
{
public:
  explicit temp_dir(const std::string& name)
  {
    std::string pattern = "/tmp/awaitify-" + name + "-XXXXXX";
    if (!mkdtemp(pattern.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    std::filesystem::permissions(path_, std::filesystem::perms::all); // Usable after a server drops privileges.
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  ~temp_dir()
  {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// A child process running a program; killed (SIGKILL) and reaped when
/// destroyed.
class child_process
{
public:
  child_process() = default;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  ~child_process()
  {
    kill();
    if (stdout_ >= 0)
      close(stdout_);
  }

  /// Runs `argv[0]` with `argv`, its output discarded, or readable with
  /// `read_line` if `capture_stdout`.
  void start(const std::vector<std::string>& argv, bool capture_stdout = false)
  {
    int out[2] = {-1, -1};
    if (capture_stdout && pipe2(out, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0)
    {
      const int null = open("/dev/null", O_RDWR);
      dup2(capture_stdout ? out[1] : null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execv(args[0], args.data());
      _exit(127);
    }
    if (capture_stdout)
    {
      close(out[1]);
      stdout_ = out[0];
    }
  }

  /// One line of the child's output, without its newline; throws at the end
  /// of the output (the child exited).
  std::string read_line()
  {
    std::string line;
    char c = 0;
    while (::read(stdout_, &c, 1) == 1)
    {
      if (c == '\n')
        return line;
      line += c;
    }
    throw std::runtime_error("the child process ended its output");
  }

  /// Polls `ready` until it holds, for at most 10 s; throws if the child
  /// exits first or the time runs out.
  template <typename Predicate>
  void wait_until(Predicate ready, const char* what)
  {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!ready())
    {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_)
      {
        pid_ = -1;
        throw std::runtime_error(std::string(what) + ": the process exited at start");
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::string(what) + ": not ready within 10 s");
      std::this_thread::yield();
    }
  }

  /// Sends `sig` (SIGSTOP, SIGCONT, ...).
  void signal(int sig) const
  {
    if (pid_ > 0)
      ::kill(pid_, sig);
  }

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
  pid_t pid_ = -1;
  int stdout_ = -1;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_CHILD_PROCESS_HPP
