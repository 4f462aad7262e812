// Command coldstart measures a provider's cold start the way the Pulumi
// engine sees it, with the engine's own gRPC client (grpc-go): process start
// to the port line on stdout, then GetPluginInfo, CheckConfig and Configure
// over gRPC, then the process's memory after Configure once idle. Used by
// bench/measure.py (the startup section of docs/performance.md).
//
//	coldstart -settle 500ms -config '{"region":"us-east-1"}' PROVIDER
//	coldstart -port-only PROGRAM   # the floor: start to the first line only
//
// Prints one JSON object: port_ms, configure_ms (both from process start),
// rpc_ms (each call), rss_configured_kib, rss_idle_kib, hwm_idle_kib.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// status reads VmRSS and VmHWM (KiB) from /proc/<pid>/status.
func status(pid int) (rss, hwm int, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss, _ = strconv.Atoi(f[1])
		case "VmHWM:":
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	return rss, hwm, nil
}

func run() error {
	settle := flag.Duration("settle", 500*time.Millisecond, "idle time after Configure before reading memory")
	config := flag.String("config", "{}", "provider configuration (JSON object) for CheckConfig/Configure")
	urn := flag.String("urn", "urn:pulumi:bench::bench::pulumi:providers:awsecr::default", "the provider's URN")
	portOnly := flag.Bool("port-only", false, "stop at the port line (for the measuring floor: any program printing a line)")
	flag.Parse()
	if flag.NArg() < 1 {
		return fmt.Errorf("usage: coldstart [flags] PROVIDER [ARGS...]")
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(*config), &cfg); err != nil {
		return fmt.Errorf("-config: %w", err)
	}
	news, err := structpb.NewStruct(cfg)
	if err != nil {
		return err
	}

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stderr = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading the port: %w", err)
	}
	toPort := time.Since(start)
	if *portOnly {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"port_ms": ms(toPort)})
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return fmt.Errorf("not a port: %q", line)
	}

	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := pulumirpc.NewResourceProviderClient(conn)
	ctx := context.Background()
	rpc := map[string]float64{}
	t := time.Now()
	if _, err := client.GetPluginInfo(ctx, &emptypb.Empty{}); err != nil {
		return fmt.Errorf("GetPluginInfo: %w", err)
	}
	rpc["GetPluginInfo"] = ms(time.Since(t))
	t = time.Now()
	checked, err := client.CheckConfig(ctx, &pulumirpc.CheckRequest{Urn: *urn, News: news, Olds: &structpb.Struct{}})
	if err != nil {
		return fmt.Errorf("CheckConfig: %w", err)
	}
	rpc["CheckConfig"] = ms(time.Since(t))
	t = time.Now()
	if _, err := client.Configure(ctx, &pulumirpc.ConfigureRequest{
		Args: checked.GetInputs(), AcceptSecrets: true, AcceptResources: true,
	}); err != nil {
		return fmt.Errorf("Configure: %w", err)
	}
	rpc["Configure"] = ms(time.Since(t))
	toConfigure := time.Since(start)
	rssConfigured, _, err := status(cmd.Process.Pid)
	if err != nil {
		return err
	}
	time.Sleep(*settle)
	rssIdle, hwmIdle, err := status(cmd.Process.Pid)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"port_ms":            ms(toPort),
		"configure_ms":       ms(toConfigure),
		"rpc_ms":             rpc,
		"rss_configured_kib": rssConfigured,
		"rss_idle_kib":       rssIdle,
		"hwm_idle_kib":       hwmIdle,
	})
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}
