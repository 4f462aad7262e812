// Package langhost is the part shared by this repository's stand-in language
// hosts (cmd/pulumi-language-{nodejs,python,go}).
//
// They stand in for Pulumi's own pulumi-language-nodejs, -python and -go,
// whose Go modules the module proxy reachable here does not serve. They speak
// the same LanguageRuntime gRPC protocol to the pinned Pulumi CLI and run
// programs with the real language SDKs, but implement only what preview, up,
// refresh, destroy, import (with --generate-code=false), install and
// `pulumi package gen-sdk` need. SDK generation uses Pulumi's own code
// generators from pkg/v3.
package langhost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// ExitLoggedError is the exit code with which the language SDKs end a program
// after they have already reported its error to the engine; the host then
// answers Run with Bail so that the engine prints nothing more.
const ExitLoggedError = 32

// Base implements the LanguageRuntime methods that are the same for every
// stand-in host. Hosts embed it and add Run, About, InstallDependencies and
// GeneratePackage. Methods not implemented anywhere answer Unimplemented.
type Base struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// EngineAddress is the engine's gRPC address: the positional argument the
	// engine starts the plugin with, or the one sent with Handshake.
	EngineAddress string
	// Tracing is the -tracing flag, passed on to the programs' SDKs.
	Tracing string
}

// Main is the whole command line of a host: it parses the flags the real
// hosts accept (hosts may add their own to flag.CommandLine first) and the
// engine address, the only positional argument the engine passes; it serves
// the host on a free loopback port, prints that port on stdout as every
// Pulumi plugin does, and serves until interrupted or until the engine is gone.
func Main(name string, newHost func(base Base) pulumirpc.LanguageRuntimeServer) {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.String("root", "", "Project root (ignored; the engine sends it with each request)")
	showVersion := flag.Bool("version", false, "Print the plugin version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	// Exit when the engine goes away, so an interrupted CLI leaves no host behind.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	host := newHost(Base{EngineAddress: engineAddress, Tracing: *tracing})
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("%s: could not start language host RPC server: %w", name, err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("%s: language host RPC stopped serving: %w", name, err))
	}
}

// Handshake is only used when the engine attaches to an already running host
// (PULUMI_DEBUG_LANGUAGES); it tells the host the engine's address.
func (b *Base) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() == "" {
		return nil, errors.New("handshake must contain the engine address")
	}
	b.EngineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the Pulumi version the host was built for.
func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins and GetRequiredPackages name no plugins in advance: the
// engine loads a provider plugin when the program first registers one of its
// resources, and with automatic acquisition disabled it must already be
// installed (`pulumi plugin install`).
func (b *Base) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (b *Base) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// GetProgramDependencies (shown by `pulumi about`) lists nothing.
func (b *Base) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// RuntimeOptionsPrompts (used by `pulumi new`) asks nothing.
func (b *Base) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// Options returns the program's `runtime.options` from Pulumi.yaml.
func Options(info *pulumirpc.ProgramInfo) map[string]any {
	return info.GetOptions().AsMap()
}

// StringOption returns options[key] if it is a string, else def.
func StringOption(options map[string]any, key, def string) (string, error) {
	v, ok := options[key]
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("runtime option %q must be a string", key)
	}
	return s, nil
}

// ConfigEnv returns the PULUMI_CONFIG (a JSON object of the stack's config)
// and PULUMI_CONFIG_SECRET_KEYS (a JSON array of the secret keys) variables
// that every language SDK reads. With legacyKeys, keys are written as
// "ns:config:name", the form the nodejs host has always used.
func ConfigEnv(req *pulumirpc.RunRequest, legacyKeys bool) ([]string, error) {
	cfg := make(map[string]string, len(req.GetConfig()))
	for k, v := range req.GetConfig() {
		if legacyKeys {
			key, err := config.ParseKey(k)
			if err != nil {
				return nil, err
			}
			k = key.Namespace() + ":config:" + key.Name()
		}
		cfg[k] = v
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	keysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	return []string{"PULUMI_CONFIG=" + string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS=" + string(keysJSON)}, nil
}

// Command prepares a program run that ends (SIGINT, then SIGKILL after a
// grace period) when the engine abandons the Run call. Its output goes to the
// host's own stdout and stderr, which the engine shows as the program's.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// Wrapped so that the child gets pipes rather than our descriptors (node
	// may switch an inherited descriptor to non-blocking mode).
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	return cmd
}

// RunProgram runs cmd and turns its outcome into the RunResponse the engine
// expects: nothing on success, Bail when the SDK has already reported the
// error to the engine (exit code 32), otherwise an error message that fails
// the update.
func RunProgram(cmd *exec.Cmd) *pulumirpc.RunResponse {
	err := cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
		}
	}
	switch code := exitErr.ExitCode(); code {
	case ExitLoggedError:
		return &pulumirpc.RunResponse{Bail: true}
	case -1:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}
	}
}

// About describes an executable by the first line that `exe args...` prints.
func About(ctx context.Context, exe string, args ...string) (*pulumirpc.AboutResponse, error) {
	path, err := exec.LookPath(exe)
	if err != nil {
		return nil, fmt.Errorf("could not find %s on the PATH: %w", exe, err)
	}
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("failed to run %s %s: %w", exe, strings.Join(args, " "), err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return &pulumirpc.AboutResponse{Executable: path, Version: line}, nil
}

// InstallDependencies streams the output of install to the engine.
func InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
	install func(ctx context.Context, stdout, stderr io.Writer) error,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprintf(stdout, "Installing dependencies...\n\n")
	if err := install(server.Context(), stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// Generator produces an SDK's files (paths relative to the output directory).
type Generator func(
	pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader,
) (map[string][]byte, error)

// GeneratePackage binds the schema the CLI sent, resolving references to other
// packages through the CLI's schema loader, runs gen and writes its files
// under req.Directory.
func GeneratePackage(
	req *pulumirpc.GeneratePackageRequest, gen Generator,
) (*pulumirpc.GeneratePackageResponse, error) {
	client, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer client.Close()
	loader := schema.NewCachedLoader(client)

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("parsing schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
	if diags.HasErrors() {
		return resp, nil
	}

	files, err := gen(pkg, req, loader)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		path := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// CombinedError formats a failed command with what it wrote to stderr.
func CombinedError(what string, err error, stderr *bytes.Buffer) error {
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		return fmt.Errorf("%s: %w\n%s", what, err, msg)
	}
	return fmt.Errorf("%s: %w", what, err)
}
