// Command pulumi-resource-benchpeer is the Go peer of the benchmark suite
// (bench/run.sh, docs/performance.md): the smallest resource provider built on
// Pulumi's own Go provider plumbing (pkg/v3/resource/provider.Main, the
// grpc-go server every Go provider ends up on). It measures what a Go
// provider costs before it does any work: cold start to the port line, to a
// completed Configure, and idle memory after Configure.
//
// It stands in for pulumi-provider-boilerplate (built on pulumi-go-provider),
// whose modules the module proxy reachable here does not serve. That
// framework adds its own start-up work (reflection over the resource types,
// schema generation) on top of this, so these figures are a lower bound for
// a provider written with it.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	name    = "benchpeer"
	version = "0.1.0"
)

// schema is the package contract served by GetSchema: one resource, as small
// as a package can be.
const schema = `{
  "name": "benchpeer",
  "version": "0.1.0",
  "resources": {
    "benchpeer:index:Thing": {
      "inputProperties": {"value": {"type": "string"}},
      "properties": {"value": {"type": "string"}}
    }
  }
}`

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: schema}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) Diff(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	return &pulumirpc.CreateResponse{Id: "thing", Properties: req.GetProperties()}, nil
}

func (s *server) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func main() {
	for _, a := range os.Args[1:] {
		if a == "--version" {
			fmt.Println(version)
			return
		}
	}
	err := provider.Main(name, func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{host: host}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
