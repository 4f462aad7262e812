// pulumi-language-nodejs: a stand-in for Pulumi's NodeJS language host, whose
// Go module is not served by the module proxy reachable here (see package
// langhost). It runs JavaScript and TypeScript programs with the program's own
// @pulumi/pulumi (its cmd/run harness compiles TypeScript with ts-node), and
// generates NodeJS SDKs with pkg/v3's nodejs code generator.
//
// Unlike the real host it does not proxy the resource monitor or serve the
// legacy synchronous-invoke pipes (--sync), which the SDK no longer uses.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	nodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-awsecr/tools/pulumi/hosts/langhost"
)

// The program-side harness, resolved from the program directory.
const defaultRunModule = "@pulumi/pulumi/cmd/run"

type host struct {
	langhost.Base
	typescript bool // default for the `typescript` runtime option
}

func main() {
	typescript := flag.Bool("typescript", true, "Default for the `typescript` runtime option")
	langhost.Main("pulumi-language-nodejs", func(base langhost.Base) pulumirpc.LanguageRuntimeServer {
		return &host{Base: base, typescript: *typescript}
	})
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	opts := langhost.Options(info)
	typescript := h.typescript
	if v, ok := opts["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("runtime option \"typescript\" must be a boolean")
		}
		typescript = b
	}
	tsconfig, err := langhost.StringOption(opts, "tsconfig", "")
	if err != nil {
		return nil, err
	}
	nodeargs, err := langhost.StringOption(opts, "nodeargs", "")
	if err != nil {
		return nil, err
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find node on the $PATH: %v", err)}, nil
	}
	runModule := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runModule == "" {
		runModule = defaultRunModule
	}
	runPath, err := resolveModule(ctx, node, info.GetProgramDirectory(), runModule)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	// node [nodeargs] <harness> --flag value ... <entry point> [args]
	args := strings.Fields(nodeargs)
	args = append(args, runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.EngineAddress)
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.Tracing)
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	env, err := langhost.ConfigEnv(req, true)
	if err != nil {
		return nil, err
	}
	if typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	cmd := langhost.Command(ctx, node, args...)
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = append(os.Environ(), env...)
	return langhost.RunProgram(cmd), nil
}

// resolveModule asks node where `mod` resolves from dir, so that hoisted and
// workspace layouts work as they do for the real host.
func resolveModule(ctx context.Context, node, dir, mod string) (string, error) {
	script := fmt.Sprintf("try { console.log(require.resolve(%q)); } catch (e) { "+
		"console.error(e.code === 'MODULE_NOT_FOUND' ? "+
		"'It looks like the Pulumi SDK has not been installed. Have you run pulumi install or npm install?' "+
		": e.message); process.exit(1); }", mod)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = dir
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s", msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return langhost.About(ctx, "node", "--version")
}

// InstallDependencies runs the program's package manager (npm, yarn, pnpm or
// bun, chosen as the real host does) in the program directory.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	pm := npm.AutoPackageManager
	if name, _ := langhost.StringOption(langhost.Options(req.GetInfo()), "packagemanager", ""); name != "" {
		pm = npm.PackageManagerType(name)
	}
	return langhost.InstallDependencies(req, server, func(ctx context.Context, stdout, stderr io.Writer) error {
		_, err := npm.Install(ctx, pm, req.GetInfo().GetProgramDirectory(), false, stdout, stderr)
		return err
	})
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return langhost.GeneratePackage(req, func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return nodegen.GeneratePackage("pulumi-language-nodejs", pkg,
			req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), loader)
	})
}
