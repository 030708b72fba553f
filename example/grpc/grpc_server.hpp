// SPDX-License-Identifier: BSL-1.0
//
// example/grpc/grpc_server.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The Demo service on a free loopback port, in process, with gRPC's callback
// server API. Stopped by its destructor on every path.
//

#ifndef AWAITIFY_EXAMPLE_GRPC_SERVER_HPP
#define AWAITIFY_EXAMPLE_GRPC_SERVER_HPP

#include <grpcpp/grpcpp.h>

#include "demo.grpc.pb.h"

#include <memory>
#include <stdexcept>
#include <string>

namespace rpc {

class demo_service final : public demo::Demo::CallbackService
{
  grpc::ServerUnaryReactor* Add(
      grpc::CallbackServerContext* context, const demo::AddRequest* request, demo::AddReply* reply) override
  {
    reply->set_sum(request->a() + request->b());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* Stall(
      grpc::CallbackServerContext*, const demo::AddRequest*, demo::AddReply*) override
  {
    // Answers only when the client cancels.
    struct stalled final : grpc::ServerUnaryReactor
    {
      void OnCancel() override { Finish(grpc::Status::CANCELLED); }
      void OnDone() override { delete this; }
    };
    return new stalled;
  }

  grpc::ServerWriteReactor<demo::CountReply>* Count(
      grpc::CallbackServerContext*, const demo::CountRequest* request) override
  {
    struct counter final : grpc::ServerWriteReactor<demo::CountReply>
    {
      explicit counter(int n) : n_(n) { next(); }

      void OnWriteDone(bool ok) override
      {
        if (ok)
          next();
        else
          Finish(grpc::Status::CANCELLED);
      }

      void OnCancel() override {}
      void OnDone() override { delete this; }

      void next()
      {
        if (i_ == n_)
          return Finish(grpc::Status::OK);
        reply_.set_i(i_++);
        StartWrite(&reply_);
      }

      int n_;
      int i_ = 0;
      demo::CountReply reply_;
    };
    return new counter(request->n());
  }
};

class server
{
public:
  server()
  {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0)
      throw std::runtime_error("the gRPC server did not start");
  }

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  ~server()
  {
    server_->Shutdown();
    server_->Wait();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

private:
  demo_service service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

} // namespace rpc

#endif // AWAITIFY_EXAMPLE_GRPC_SERVER_HPP
