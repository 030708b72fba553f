// SPDX-License-Identifier: BSL-1.0

#include "explore/scenario.hpp"

#include <boost/asio/error.hpp>

#include <utility>

namespace awaitify_test::explore {

using awaitify::callback;

const char* to_string(event e) noexcept
{
  static const char* const names[] = {"start", "invoke", "drop", "copy", "cancel_terminal", "cancel_partial",
      "run_io", "run_app", "shutdown_app", "push", "push_beyond_demand", "take", "close", "wait_key",
      "complete_key", "cancel_wait", "c_hand_over", "c_reclaim", "fail_set", "run_inside", "start_through_io"};
  static_assert(sizeof(names) / sizeof(names[0]) == static_cast<std::size_t>(event::count));
  return e < event::count ? names[static_cast<std::size_t>(e)] : "?";
}

scenario::scenario() = default;

scenario::~scenario()
{
  if (io_ || app_)
    finish();
}

void scenario::violation(std::string what)
{
  violations_.push_back(std::move(what));
}

void scenario::check_contexts_not_stopped(const char* after)
{
  // Both were restarted before the event: only a release of their last work
  // on this (foreign) thread can have stopped them.
  if (io_->stopped())
    violation(std::string("the I/O context was stopped by ") + after);
  if (app_ && app_->stopped())
    violation(std::string("the handler context was stopped by ") + after);
}

void scenario::start(op_mode mode, bool through_io)
{
  if (ops_.size() >= 4)
    return;
  op_state& op = ops_.emplace_back();
  op.mode = mode;
  op.through_io = through_io && app_;
  op.on_app = (mode.handler_on_app || op.through_io) && app_;
  auto init = [this, &op](callback<void(int)> cb) {
    if (op.mode.has_hook)
    {
      auto hook = [this, &op] {
        op.in_hook = true;
        if (op.mode.hook_calls_back && (op.mode.through_c ? op.c_user_data && !op.c_spent : !op.copies.empty()))
        {
          op.invoked = true;
          if (op.mode.through_c)
            call_c(op, -1);
          else
            op.copies.back()(-1);
          poll_both(); // Were the handler posted already, this would run it.
        }
        op.in_hook = false;
      };
      cb.on_cancel(hook, op.mode.hook_partial ? asio::cancellation_type::partial : asio::cancellation_type::terminal,
          op.mode.hook_waits          ? awaitify::after_cancel::wait_for_callback
              : op.mode.hook_detaches ? awaitify::after_cancel::detach
                                      : awaitify::after_cancel::complete_now);
    }
    // A closed set fails the operation at once; the library is called all
    // the same, and its answer must be refused quietly.
    set_->join(cb);
    if (op.mode.through_c)
      op.c_handles.push_back(awaitify::to_c_callback<c_done_fn>(std::move(cb)));
    else
      op.copies.push_back(std::move(cb));
  };
  auto handler = [this, &op, token = op.token](error_code, int) {
    // A hook carried to the library executor of an operation that completes
    // at once runs after its handler may have: documented, not a violation.
    const bool hook_runs_unheld = op.mode.init_on_lib && !op.mode.hook_waits;
    if (op.in_hook && !hook_runs_unheld)
      violation("a handler ran while its operation's cancellation hook was running");
    if (++op.handler_runs > 1)
      violation("a handler ran twice");
  };
  auto begin = [&](auto&& initiate) {
    if (op.through_io)
      awaitify::async_call<void(int)>(io_executor(), initiate,
          asio::bind_executor(asio::io_context::strand(*app_), asio::bind_cancellation_slot(op.signal.slot(), handler)));
    else if (op.on_app)
      awaitify::async_call<void(int)>(io_executor(), initiate,
          asio::bind_executor(app_executor(), asio::bind_cancellation_slot(op.signal.slot(), handler)));
    else
      awaitify::async_call<void(int)>(io_executor(), initiate, asio::bind_cancellation_slot(op.signal.slot(), handler));
  };
  if (mode.init_on_lib)
    begin(awaitify::on(lib_->get_executor(), init));
  else
    begin(init);
}

void scenario::call_c(op_state& op, int value)
{
  if (!op.c_user_data || op.c_spent)
    return;
  op.c_spent = true;
  op.c_function(value, op.c_user_data);
}

void scenario::invoke(op_state& op, std::uint8_t parameter)
{
  const awaitify::counters before = awaitify::get_counters(*io_);
  if (op.mode.through_c)
    call_c(op, parameter);
  else if (!op.copies.empty())
    op.copies[(parameter / 4) % op.copies.size()](parameter);
  else
    return;
  const awaitify::counters after = awaitify::get_counters(*io_);
  if (after.late != before.late)
  {
    if (op.mode.has_hook && op.mode.hook_detaches && !op.mode.hook_waits && !op.expected_abandoned)
      violation("a result after a detaching cancellation was reported late");
    if (!op.cancel_signalled && !op.expected_abandoned)
      violation("a result after the set failed its operation was reported late");
  }
  if (after.duplicate != before.duplicate && !op.invoked)
    violation("a first result was reported as a duplicate");
  op.invoked = true;
}

void scenario::play(const step& s)
{
  if (!io_)
    return;
  const bool runs_a_context = s.what == event::run_io || s.what == event::run_app;
  if (!runs_a_context)
  {
    io_->restart();
    if (app_)
      app_->restart();
  }
  op_state* op = ops_.empty() ? nullptr : &ops_[s.parameter % ops_.size()];
  switch (s.what)
  {
  case event::start:
    start(op_mode::from(s.parameter));
    break;
  case event::start_through_io:
    start(op_mode::from(s.parameter), true);
    break;
  case event::invoke:
    if (op)
      invoke(*op, s.parameter);
    break;
  case event::drop:
    if (op && !op->c_handles.empty())
      op->c_handles.erase(
          op->c_handles.begin() + static_cast<std::ptrdiff_t>((s.parameter / 4) % op->c_handles.size()));
    else if (op && !op->copies.empty())
      op->copies.erase(op->copies.begin() + static_cast<std::ptrdiff_t>((s.parameter / 4) % op->copies.size()));
    break;
  case event::copy:
    if (op && !op->c_handles.empty() && op->c_handles.size() < 3)
      op->c_handles.push_back(op->c_handles.front());
    else if (op && !op->copies.empty() && op->copies.size() < 3)
      op->copies.push_back(op->copies.front());
    break;
  case event::cancel_terminal:
    if (op)
    {
      op->cancel_signalled = true;
      op->signal.emit(asio::cancellation_type::terminal);
    }
    break;
  case event::cancel_partial:
    if (op)
    {
      op->cancel_signalled = true;
      op->signal.emit(asio::cancellation_type::partial);
    }
    break;
  case event::run_io:
    io_->restart();
    io_->poll_one();
    break;
  case event::run_app:
    if (app_)
    {
      app_->restart();
      app_->poll_one();
    }
    lib_->restart(); // The library's thread runs one too.
    lib_->poll_one();
    break;
  case event::shutdown_app:
    if (!app_)
      break;
    // The handler context must outlive a completion delivered to the I/O
    // context on its way there (as for Asio's own operations): the I/O
    // context passes on what it holds first.
    for (const op_state& o : ops_)
    {
      if (o.through_io && o.handler_runs == 0)
      {
        io_->poll();
        io_->restart();
        break;
      }
    }
    for (op_state& o : ops_)
      if (o.on_app && o.handler_runs == 0)
        o.expected_abandoned = true;
    for (wait_state& w : waits_)
      if (w.on_app)
        w.decided = true; // Abandoned.
    destroy_app();
    break;
  case event::push:
  case event::push_beyond_demand:
  case event::take:
  case event::close:
    if (!stream_)
    {
      awaitify::stream_options<void(int)> options{awaitify::overflow_policy::flow_control, 2, {}};
      stream_.emplace(awaitify::make_stream<void(int)>(
          io_executor(), options, [this](awaitify::sink<void(int)> sink) { producer_.emplace(std::move(sink)); }));
    }
    if (s.what == event::take && !taking_)
    {
      take_next(nullptr);
      // A consumer that handles what it took at once; with nothing buffered,
      // the wait stays pending and a later push completes it.
      io_->poll();
      io_->restart();
    }
    else if (s.what == event::close)
      producer_->close();
    else if (s.what == event::push_beyond_demand || (s.what == event::push && producer_->demand() > 0))
    {
      if ((*producer_)(pushed_) == awaitify::push_result::enqueued)
        ++pushed_;
    }
    if (producer_->demand() > 2)
      violation("the stream's demand exceeds its capacity");
    break;
  case event::wait_key:
  {
    if (!correlator_)
      correlator_.emplace(io_executor());
    const int key = s.parameter & 1;
    wait_state& w = waits_.emplace_back();
    w.key = key;
    for (const wait_state& other : waits_)
      if (&other != &w && other.key == key && !other.decided)
        w.in_progress_allowed = true;
    if (w.in_progress_allowed || early_kept_[key])
    {
      w.decided = true;
      early_kept_[key] = early_kept_[key] && w.in_progress_allowed;
    }
    auto handler = [this, &w, token = w.token](error_code ec, int) {
      if (ec == awaitify::error::operation_in_progress && !w.in_progress_allowed)
        violation("a wait failed with operation_in_progress although no wait for its key was pending");
      if (++w.handler_runs > 1)
        violation("a correlator wait's handler ran twice");
    };
    w.on_app = (s.parameter & 2) && app_;
    if (w.on_app)
      correlator_->async_wait(
          key, asio::bind_executor(app_executor(), asio::bind_cancellation_slot(w.signal.slot(), handler)));
    else
      correlator_->async_wait(key, asio::bind_cancellation_slot(w.signal.slot(), handler));
    break;
  }
  case event::complete_key:
  {
    if (!correlator_)
      break;
    const int key = s.parameter & 1;
    bool expected = true;
    wait_state* pending = nullptr;
    for (wait_state& w : waits_)
      if (w.key == key && !w.decided)
        pending = &w;
    if (discard_due_[key])
    {
      expected = false;
      discard_due_[key] = false;
    }
    else if (pending)
      pending->decided = true;
    else if (early_kept_[key])
      expected = false;
    else
      early_kept_[key] = true;
    if (correlator_->complete(key, s.parameter) != expected)
      violation(expected ? "complete() refused a value the correlator should take"
                         : "complete() took a value the correlator should refuse");
    break;
  }
  case event::cancel_wait:
  {
    const int key = s.parameter & 1;
    for (auto w = waits_.rbegin(); w != waits_.rend(); ++w)
      if (w->key == key && !w->decided)
      {
        w->decided = true;
        discard_due_[key] = true;
        w->signal.emit(asio::cancellation_type::terminal);
        break;
      }
    break;
  }
  case event::c_hand_over:
    if (op && !op->c_handles.empty())
    {
      const auto& handle = op->c_handles[(s.parameter / 4) % op->c_handles.size()];
      op->c_function = handle.function();
      op->c_user_data = handle.user_data();
    }
    break;
  case event::c_reclaim:
    // A C call that failed synchronously: C will never call.
    if (op && !op->c_handles.empty() && !op->c_spent)
    {
      op->c_spent = true;
      op->c_handles.back().reclaim();
    }
    break;
  case event::fail_set:
    if (s.parameter % 3 == 0)
      set_->fail_all(asio::error::connection_reset);
    else if (s.parameter % 3 == 1)
      set_->close(asio::error::shut_down);
    else
      set_.emplace(); // The old set fails its members with operation_aborted.
    break;
  case event::run_inside:
  {
    // One shot, on whichever context is posted to first.
    auto inside = [this] {
      io_counts_.after_execute = nullptr;
      app_counts_.after_execute = nullptr;
      poll_both();
    };
    io_counts_.after_execute = inside;
    app_counts_.after_execute = inside;
    break;
  }
  case event::count:
    break;
  }
  if (!runs_a_context && io_)
    check_contexts_not_stopped(to_string(s.what));
}

void scenario::take_next(bool* ended)
{
  taking_ = true;
  stream_->async_next([this, ended](error_code ec, int v) {
    taking_ = false;
    if (ec)
    {
      if (ended)
        *ended = true;
      return;
    }
    if (v != taken_)
      violation("a stream item out of order or lost");
    ++taken_;
  });
}

void scenario::destroy_app()
{
  // Its shutdown may post to the I/O context (work carried back), and a
  // run_inside there polls both: never the context being destroyed (which
  // std::optional may still hold while its destructor runs).
  app_destroyed_ = true;
  app_.reset();
}

void scenario::poll_both()
{
  io_->poll();
  io_->restart();
  if (app_ && !app_destroyed_)
  {
    app_->poll();
    app_->restart();
  }
}

void scenario::run_everything()
{
  for (int rounds = 0; rounds < 1000; ++rounds)
  {
    std::size_t ran = 0;
    io_->restart();
    ran += io_->poll();
    if (app_)
    {
      app_->restart();
      ran += app_->poll();
    }
    lib_->restart();
    ran += lib_->poll();
    if (ran == 0)
      return;
  }
  violation("the contexts never ran out of handlers");
}

std::vector<std::string> scenario::finish()
{
  if (!io_)
    return violations_;
  // An init still queued on the handler context (awaitify::on) runs first
  // and takes its callback, which the legacy side then lets go of.
  run_everything();
  // A copy of every decided operation stays with the library past the
  // contexts: it still counts its invocation there, in counters that the
  // anchor must have kept alive (it took them only if something outlived the
  // operation), and returns false.
  std::vector<awaitify::callback<void(int)>> kept_past_the_contexts;
  for (op_state& op : ops_)
  {
    if (!op.copies.empty() && awaitify::detail::callback_access::is_decided(op.copies.front()))
      kept_past_the_contexts.push_back(op.copies.front());
    op.copies.clear();
    op.c_handles.clear();
    call_c(op, 0); // A library calls back, at the latest, when it is done.
  }
  if (producer_)
  {
    producer_->close();
    bool ended = false;
    for (int i = 0; !ended && i <= pushed_ + 2; ++i)
    {
      run_everything();
      if (!taking_)
        take_next(&ended);
      run_everything();
    }
    if (taken_ != pushed_)
      violation("stream items lost: " + std::to_string(pushed_ - taken_));
  }
  producer_.reset();
  stream_.reset();
  correlator_.reset();
  run_everything();
  for (const op_state& op : ops_)
  {
    if (op.handler_runs != (op.expected_abandoned ? 0 : 1))
      violation("an operation's handler ran " + std::to_string(op.handler_runs) + " times"
          + (op.expected_abandoned ? " after its context's shutdown" : ""));
  }
  if (awaitify::get_counters(*io_).pending != 0)
    violation("operations still pending at the end: " + std::to_string(awaitify::get_counters(*io_).pending));
  destroy_app();
  io_.reset();
  lib_.reset();
  set_.reset(); // Holding the anchors of operations whose contexts are gone.
  for (const auto& copy : kept_past_the_contexts)
    if (copy(7))
      violation("a copy kept past its contexts delivered a result");
  kept_past_the_contexts.clear();
  if (io_counts_.work != 0 || app_counts_.work != 0)
    violation("work outlived its contexts");
  for (const op_state& op : ops_)
    if (op.token.use_count() != 1)
      violation("a handler outlived its contexts");
  for (const wait_state& w : waits_)
    if (w.token.use_count() != 1)
      violation("a correlator wait's handler outlived its contexts");
  return violations_;
}

std::vector<std::string> play_all(const std::vector<step>& steps)
{
  scenario sc;
  for (const step& s : steps)
    sc.play(s);
  return sc.finish();
}

} // namespace awaitify_test::explore
