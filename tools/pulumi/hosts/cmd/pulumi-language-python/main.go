// pulumi-language-python: a stand-in for Pulumi's Python language host, whose
// Go module is not served by the module proxy reachable here (see package
// langhost). It runs programs with the SDK's pulumi-language-python-exec
// script (shipped next to this binary) under the python of the program's
// toolchain (pip with `virtualenv`, poetry or uv, resolved with the SDK's own
// toolchain package), and generates Python SDKs with pkg/v3's python code
// generator. The `typechecker` runtime option is not supported.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"

	"pulumi-awsecr/tools/pulumi/hosts/langhost"
)

const execScript = "pulumi-language-python-exec"

type host struct {
	langhost.Base
	virtualenv string // default for the `virtualenv` runtime option
}

func main() {
	virtualenv := flag.String("virtualenv", "", "Default for the `virtualenv` runtime option")
	langhost.Main("pulumi-language-python", func(base langhost.Base) pulumirpc.LanguageRuntimeServer {
		return &host{Base: base, virtualenv: *virtualenv}
	})
}

// resolveToolchain reads the `toolchain` and `virtualenv` runtime options.
func (h *host) resolveToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts := langhost.Options(info)
	venv, err := langhost.StringOption(opts, "virtualenv", h.virtualenv)
	if err != nil {
		return nil, err
	}
	name, err := langhost.StringOption(opts, "toolchain", "")
	if err != nil {
		return nil, err
	}
	tc := toolchain.Auto
	switch name {
	case "", "auto":
	case "pip":
		tc = toolchain.Pip
	case "poetry":
		tc = toolchain.Poetry
	case "uv":
		tc = toolchain.Uv
	default:
		return nil, fmt.Errorf("unsupported python toolchain %q", name)
	}
	return toolchain.ResolveToolchain(toolchain.PythonOptions{
		Root:       info.GetRootDirectory(),
		ProgramDir: info.GetProgramDirectory(),
		Virtualenv: venv,
		Toolchain:  tc,
	})
}

// findExecScript looks next to this binary (where the toolchain installs it),
// then on the PATH.
func findExecScript() (string, error) {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), execScript)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath(execScript)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	tc, err := h.resolveToolchain(info)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	script, err := findExecScript()
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find %s: %v", execScript, err)}, nil
	}

	// python <exec script> --flag value ... <entry point> [args]
	args := []string{script}
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.EngineAddress)
	flagArg("project", req.GetProject())
	flagArg("root_directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	flagArg("dry_run", strconv.FormatBool(req.GetDryRun()))
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.Tracing)
	flagArg("organization", req.GetOrganization())
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	env, err := langhost.ConfigEnv(req, false)
	if err != nil {
		return nil, err
	}
	// The toolchain's command runs the right python with the virtualenv
	// activated (its Env is set); keep its settings and add the config.
	tcCmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	cmd := langhost.Command(ctx, tcCmd.Path, tcCmd.Args[1:]...)
	cmd.Dir = req.GetPwd()
	cmd.Env = tcCmd.Env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, env...)
	return langhost.RunProgram(cmd), nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := h.resolveToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	about, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: about.PythonExecutable,
		Version:    about.PythonVersion.String(),
	}, nil
}

// InstallDependencies creates the virtualenv if needed and installs the
// program's requirements, as the real host does through the same toolchain.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := h.resolveToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	return langhost.InstallDependencies(req, server, func(ctx context.Context, stdout, stderr io.Writer) error {
		return tc.InstallDependencies(ctx, req.GetInfo().GetProgramDirectory(),
			req.GetUseLanguageVersionTools(), true, stdout, stderr)
	})
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return langhost.GeneratePackage(req, func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return pygen.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), loader)
	})
}
