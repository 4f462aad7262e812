// pulumi-language-go: a stand-in for Pulumi's Go language host, whose Go
// module is not served by the module proxy reachable here (see package
// langhost). It builds the program with `go build` (or runs the prebuilt
// `binary` runtime option), passes the run's settings in the PULUMI_*
// environment variables that sdk/v3's pulumi.Run reads, and generates Go SDKs
// with pkg/v3's go code generator.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-awsecr/tools/pulumi/hosts/langhost"
)

type host struct {
	langhost.Base
	binary string // default for the `binary` runtime option
}

func main() {
	binary := flag.String("binary", "", "Default for the `binary` runtime option (a prebuilt program)")
	langhost.Main("pulumi-language-go", func(base langhost.Base) pulumirpc.LanguageRuntimeServer {
		return &host{Base: base, binary: *binary}
	})
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	opts := langhost.Options(info)
	binary, err := langhost.StringOption(opts, "binary", h.binary)
	if err != nil {
		return nil, err
	}
	buildTarget, err := langhost.StringOption(opts, "buildTarget", "")
	if err != nil {
		return nil, err
	}

	program := binary
	if program != "" {
		// Relative to the project root if it is there, else looked up on the PATH.
		if p := filepath.Join(info.GetRootDirectory(), program); !filepath.IsAbs(program) {
			if _, err := os.Stat(p); err == nil {
				program = p
			}
		}
	} else {
		program, err = build(ctx, info.GetProgramDirectory(), buildTarget)
		if err != nil {
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
		if buildTarget == "" {
			defer os.Remove(program)
		}
	}

	env, err := langhost.ConfigEnv(req, false)
	if err != nil {
		return nil, err
	}
	setEnv := func(name, value string) {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	setEnv(pulumi.EnvOrganization, req.GetOrganization())
	setEnv(pulumi.EnvProject, req.GetProject())
	setEnv(pulumi.EnvPulumiRootDirectory, info.GetRootDirectory())
	setEnv(pulumi.EnvStack, req.GetStack())
	setEnv(pulumi.EnvDryRun, strconv.FormatBool(req.GetDryRun()))
	setEnv(pulumi.EnvParallel, strconv.Itoa(int(req.GetParallel())))
	setEnv(pulumi.EnvMonitor, req.GetMonitorAddress())
	setEnv(pulumi.EnvEngine, h.EngineAddress)

	cmd := langhost.Command(ctx, program, req.GetArgs()...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), env...)
	return langhost.RunProgram(cmd), nil
}

// build compiles the program in dir into target, or into a temporary file
// when target is empty, and returns the binary's path.
func build(ctx context.Context, dir, target string) (string, error) {
	if target == "" {
		f, err := os.CreateTemp("", "pulumi-go-program-*")
		if err != nil {
			return "", err
		}
		target = f.Name()
		_ = f.Close()
	} else if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("could not find go on the $PATH: %w", err)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", target, ".")
	cmd.Dir = dir
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		_ = os.Remove(target)
		return "", langhost.CombinedError("error in compiling Go", err, &stderr)
	}
	return target, nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return langhost.About(ctx, "go", "version")
}

// InstallDependencies runs `go mod tidy` in the program directory, as the
// real host does.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return langhost.InstallDependencies(req, server, func(ctx context.Context, stdout, stderr io.Writer) error {
		cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
		cmd.Dir = req.GetInfo().GetProgramDirectory()
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("`go mod tidy` failed to install dependencies: %w", err)
		}
		return nil
	})
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	if len(req.GetExtraFiles()) > 0 {
		return nil, errors.New("overlays are not supported for Go")
	}
	return langhost.GeneratePackage(req, func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return gogen.GeneratePackage("pulumi-language-go", pkg, req.GetLocalDependencies())
	})
}
