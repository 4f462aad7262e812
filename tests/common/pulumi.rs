//! End-to-end harness: the real Pulumi CLI (pinned, built by
//! scripts/pulumi-toolchain.sh; or one of the extra CLIs of
//! tools/pulumi/compat, see [`Cli`]), a hermetic PULUMI_HOME and local state
//! backend per stack, and our provider installed as a plugin from the binary
//! cargo built, the way a user installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use super::inspect::copy_dir;
use super::{Moto, REGION, TempDir, root};

/// The Pulumi CLI a stack runs with: the pinned toolchain
/// (`tools/pulumi/VERSION`, every language host), or an extra CLI of
/// `tools/pulumi/compat/<name>` with the YAML host only, for YAML programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cli {
    Pinned,
    /// The newest CLI the Go module proxy serves (`tools/pulumi/compat/newest`).
    Newest,
    /// The oldest CLI the README claims (`tools/pulumi/compat/oldest`): no
    /// Handshake, no autonaming options.
    Oldest,
}

impl Cli {
    /// The argument of scripts/pulumi-toolchain.sh that builds this CLI.
    fn toolchain_arg(self) -> Option<&'static str> {
        match self {
            Cli::Pinned => None,
            Cli::Newest => Some("newest"),
            Cli::Oldest => Some("oldest"),
        }
    }

    /// The file pinning this CLI's version.
    pub fn version_file(self) -> String {
        match self.toolchain_arg() {
            None => "tools/pulumi/VERSION".to_string(),
            Some(name) => format!("tools/pulumi/compat/{name}/VERSION"),
        }
    }

    /// The directory holding this CLI's `pulumi` and language hosts, built
    /// on first use (once per test binary).
    pub fn bin(self) -> &'static Path {
        static BINS: [OnceLock<PathBuf>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        BINS[self as usize].get_or_init(|| {
            let script = root().join("scripts/pulumi-toolchain.sh");
            let out = Command::new("bash")
                .arg(&script)
                .args(self.toolchain_arg())
                .stderr(Stdio::inherit())
                .output()
                .expect("run scripts/pulumi-toolchain.sh");
            assert!(out.status.success(), "scripts/pulumi-toolchain.sh {:?} failed", self.toolchain_arg());
            PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
        })
    }
}

/// The directory holding the pinned `pulumi` and its language hosts.
pub fn toolchain() -> &'static Path {
    Cli::Pinned.bin()
}

/// A Pulumi project copied into a temporary directory, with its own stack.
pub struct Stack {
    dir: TempDir,
    pub project: PathBuf,
    cli: Cli,
}

/// What one `pulumi` command printed.
pub struct Run {
    pub ok: bool,
    pub text: String,
}

impl Stack {
    /// Copies `source` (a folder with Pulumi.yaml), installs the provider
    /// plugin and creates stack `test` configured for the emulator.
    pub fn new(source: &Path, moto: &Moto) -> Stack {
        Stack::create(source, moto, Cli::Pinned, Path::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr")))
    }

    /// The same, with the plugin installed from `plugin`: the binary, or a
    /// plugin tarball as scripts/package.sh builds it.
    pub fn with_plugin(source: &Path, moto: &Moto, plugin: &Path) -> Stack {
        Stack::create(source, moto, Cli::Pinned, plugin)
    }

    /// The same, driven by the given Pulumi CLI.
    pub fn with_cli(source: &Path, moto: &Moto, cli: Cli) -> Stack {
        Stack::create(source, moto, cli, Path::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr")))
    }

    /// The same, with no plugin installed: the test installs it (see `shell`).
    pub fn without_plugin(source: &Path, moto: &Moto) -> Stack {
        Stack::create_with(source, moto, Cli::Pinned, None)
    }

    fn create(source: &Path, moto: &Moto, cli: Cli, plugin: &Path) -> Stack {
        Stack::create_with(source, moto, cli, Some(plugin))
    }

    fn create_with(source: &Path, moto: &Moto, cli: Cli, plugin: Option<&Path>) -> Stack {
        let dir = TempDir::new("stack");
        let project = dir.path().join("project");
        copy_dir(source, &project, &["node_modules", "venv"]);
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        let stack = Stack { dir, project, cli };
        if let Some(plugin) = plugin {
            let plugin = plugin.to_str().unwrap();
            stack.ok(&["plugin", "install", "resource", "awsecr", env!("CARGO_PKG_VERSION"), "--file", plugin]);
        }
        stack.ok(&["stack", "init", "test"]);
        stack.ok(&["config", "set", "awsecr:region", REGION]);
        stack.ok(&["config", "set", "awsecr:endpoint", &moto.endpoint()]);
        stack.ok(&["config", "set", "--secret", "awsecr:accessKey", "testing"]);
        stack.ok(&["config", "set", "--secret", "awsecr:secretKey", "testing"]);
        stack
    }

    /// The stack's PULUMI_HOME (plugins are installed under `plugins/`).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.cli.bin().join("pulumi"));
        cmd.args(args);
        self.environment(&mut cmd);
        cmd
    }

    /// `bash -euo pipefail -c <script>` in the project, with the environment
    /// `command` gives the CLI (the CLI first on PATH, the stack's
    /// PULUMI_HOME and backend): commands as a user types them.
    pub fn shell(&self, script: &str) -> Command {
        let mut cmd = Command::new("bash");
        cmd.args(["-euo", "pipefail", "-c", script]);
        self.environment(&mut cmd);
        cmd
    }

    fn environment(&self, cmd: &mut Command) {
        let bin = self.cli.bin();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        cmd.current_dir(&self.project)
            .env("PATH", path)
            .env("PULUMI_HOME", self.home())
            .env("PULUMI_BACKEND_URL", format!("file://{}", self.dir.path().join("state").display()))
            .env("PULUMI_CONFIG_PASSPHRASE", "e2e-passphrase")
            .env("PULUMI_SKIP_UPDATE_CHECK", "true")
            .env("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
            .env("PULUMI_SKIP_CONFIRMATIONS", "true")
            .env("PULUMI_IGNORE_AMBIENT_PLUGINS", "true")
            .env("NO_COLOR", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-e2e-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-e2e-credentials")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_ENDPOINT_URL");
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// [`Stack::run`] with more environment variables for the CLI.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Run {
        let mut full: Vec<&str> = args.to_vec();
        if matches!(args.first(), Some(&"up" | &"preview" | &"destroy" | &"refresh" | &"import")) {
            full.extend(["--non-interactive", "--color", "never"]);
            if args[0] != "preview" {
                full.push("--yes");
            }
        }
        let Output { status, stdout, stderr } =
            self.command(&full).envs(env.iter().copied()).output().expect("run pulumi");
        let text = format!("{}{}", String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
        Run { ok: status.success(), text }
    }

    /// Runs a command that must succeed; returns what it printed.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.ok, "pulumi {} failed:\n{}", args.join(" "), r.text);
        r.text
    }

    /// Runs a command that must fail; returns what it printed.
    pub fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(!r.ok, "pulumi {} should have failed:\n{}", args.join(" "), r.text);
        r.text
    }

    pub fn outputs(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["stack", "output", "--json", "--show-secrets"])).unwrap()
    }

    /// The ids of the resources of `type_token` in the stack's state.
    pub fn ids_of(&self, type_token: &str) -> std::collections::BTreeSet<String> {
        let export = self.export();
        // An empty stack exports no resource list at all.
        let resources = export["deployment"]["resources"].as_array().cloned().unwrap_or_default();
        resources.iter().filter(|r| r["type"] == type_token).map(|r| r["id"].as_str().unwrap().to_string()).collect()
    }

    /// The ids of the repositories in the stack's state.
    pub fn state_ids(&self) -> std::collections::BTreeSet<String> {
        self.ids_of("awsecr:index:Repository")
    }

    /// The stack's own temporary directory (beside the project), for files a
    /// test asks the CLI to write.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    pub fn export(&self) -> serde_json::Value {
        let Output { stdout, .. } = self.command(&["stack", "export"]).output().unwrap();
        serde_json::from_slice(&stdout).unwrap()
    }
}

/// The languages whose programs the end-to-end tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Yaml,
    TypeScript,
    Python,
    Go,
}

/// Builds the SDKs once per test binary (sdk-gen/build.sh) and returns the
/// Python venv that holds pulumi and the awsecr SDK.
pub fn sdks() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        // scripts/test.sh builds them once before the tests and says where.
        if let Ok(venv) = std::env::var("AWSECR_SDK_VENV") {
            return PathBuf::from(venv);
        }
        let out = Command::new("bash")
            .arg(root().join("sdk-gen/build.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run sdk-gen/build.sh");
        assert!(out.status.success(), "sdk-gen/build.sh failed");
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

impl Stack {
    /// Points the copied program at this repository's SDKs and installs its
    /// dependencies, as a user of the local SDKs would.
    pub fn prepare(&self, lang: Lang) {
        let sdk = root().join("sdk");
        let rewrite = |file: &str, marker: &str, replacement: &str| {
            let path = self.project.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            let out: Vec<String> = text
                .lines()
                .map(|l| match (l.rfind(marker), l.find("../")) {
                    (Some(_), Some(start)) => {
                        let end = l.rfind(marker).unwrap() + marker.len();
                        format!("{}{}{}", &l[..start], replacement, &l[end..])
                    }
                    _ => l.to_string(),
                })
                .collect();
            std::fs::write(&path, out.join("\n") + "\n").unwrap();
        };
        match lang {
            Lang::Yaml => {}
            Lang::TypeScript => {
                sdks();
                rewrite("package.json", "sdk/nodejs/bin", &sdk.join("nodejs/bin").display().to_string());
                let status = Command::new("npm")
                    .args(["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"])
                    .current_dir(&self.project)
                    .status()
                    .unwrap();
                assert!(status.success(), "npm install failed");
            }
            Lang::Python => {
                let venv = sdks();
                let path = self.project.join("Pulumi.yaml");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text.replace("virtualenv: venv", &format!("virtualenv: {}", venv.display())))
                    .unwrap();
            }
            Lang::Go => {
                rewrite("go.mod", "../sdk", &sdk.display().to_string());
            }
        }
    }
}
