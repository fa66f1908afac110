package docker

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/parley-go/parley/executors"
)

// Defaults for zero fields of Config.
const (
	DefaultImage            = "parley-sandbox:latest"
	DefaultContainerWorkDir = "/workspace"
	DefaultCPUs             = 1.0
	// DefaultTmpfsSize bounds the tmpfs mounted on /tmp when the root file
	// system is read-only; it counts against the memory limit.
	DefaultTmpfsSize = "64m"
)

// BuildHint is how to make the default image on a machine without a registry.
const BuildHint = "bash scripts/build-sandbox-image.sh"

// fallbackSandboxID is the uid and gid code runs as when our process is root
// and the work dir belongs to root: root itself must not run the code.
const fallbackSandboxID = 1000

// keeperID is the user of the container's sleeping main process. It differs
// from the code's user so that kill -9 -1 run by the code's user leaves it.
const keeperID = 65534

// Config configures an Executor. The zero value is usable: every zero field
// takes the secure default documented on it.
type Config struct {
	// Image is the image to run; default DefaultImage.
	Image string
	// WorkDir is the host directory bind-mounted into the container, where
	// code files are written and where blocks may write. "" means a fresh
	// temporary directory, removed by Close. With a remote engine it is a
	// path on the engine's host.
	WorkDir string
	// ContainerWorkDir is where WorkDir appears inside; default
	// DefaultContainerWorkDir.
	ContainerWorkDir string
	// Limits bound every block; zero fields take the executors defaults
	// (memory 512 MiB, 256 processes, 64 KiB output, 60 s timeout). Memory
	// and Processes apply to the whole container. A negative MemoryBytes or
	// Processes lifts that limit; a negative Timeout leaves only the
	// context's deadline. CPUTime is not enforced (see CPUs); a negative
	// OutputBytes keeps the default cap.
	Limits executors.Limits
	// CPUs is the CPU share of the container; default 1.
	CPUs float64
	// Network, when true, attaches the container to the engine's default
	// network. false (the default) gives network mode "none": loopback only.
	Network bool
	// User is the user:group code runs as. The default is non-root and
	// chosen so that files written by blocks in WorkDir stay usable on the
	// host: our own uid:gid when we are not root; otherwise the owner of
	// WorkDir when that is not root, else 1000:1000. When we are root and
	// WorkDir (or the temporary one) belongs to root, New hands the
	// directory itself (not its contents) to that user so blocks can write
	// in it; root keeps full access.
	User string
	// Env is the whole environment code sees (besides the image's own
	// variables such as PATH, and HOME, which is ContainerWorkDir unless Env
	// sets it, since the sandbox user has no home directory in a read-only
	// image). Nothing is taken from our process.
	Env map[string]string
	// ReadOnlyRootFS keeps the image's file system read-only, with a tmpfs
	// on /tmp; default true. Set it to a pointer to false to let blocks
	// write anywhere their user may (for example to install packages).
	ReadOnlyRootFS *bool
	// Host is the engine address, such as unix:///var/run/docker.sock or
	// tcp://host:2376. "" reads DOCKER_HOST and the standard TLS variables
	// (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), else uses the default socket.
	Host string
	// PullProgress receives pull progress when the image is missing; nil
	// discards it.
	PullProgress io.Writer
	// Logger receives debug and warning logs; nil discards them.
	Logger *slog.Logger
	// RemoveOnSignal, when true, makes the executor remove its container
	// when our process receives SIGINT or SIGTERM, and then re-raise the
	// signal so that the default action (exit) still happens once every
	// executor listening has cleaned up. Programs that handle these signals
	// themselves should leave it off and pass New a context from
	// signal.NotifyContext instead: a done context removes the container
	// too. It is opt-in because installing signal handlers is the program's
	// decision, not a library's.
	RemoveOnSignal bool
}

// settings is a Config with every default resolved.
type settings struct {
	Config
	limits   executors.Limits
	readOnly bool
	uid, gid int // parsed from User when numeric, else -1
}

func (c Config) resolve() settings {
	s := settings{Config: c}
	if s.Image == "" {
		s.Image = DefaultImage
	}
	if s.ContainerWorkDir == "" {
		s.ContainerWorkDir = DefaultContainerWorkDir
	}
	if s.CPUs == 0 {
		s.CPUs = DefaultCPUs
	}
	// A negative OutputBytes needs no mending here: NewCappedOutput keeps
	// the default for it.
	s.limits = c.Limits.WithDefaults()
	s.readOnly = c.ReadOnlyRootFS == nil || *c.ReadOnlyRootFS
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.PullProgress == nil {
		s.PullProgress = io.Discard
	}
	s.uid, s.gid = -1, -1
	return s
}

// chooseUser fills User (when unset) once the work dir exists, and parses it.
func (s *settings) chooseUser(workDir string) error {
	if s.User == "" {
		uid, gid := os.Getuid(), os.Getgid()
		if uid == 0 {
			uid, gid = fallbackSandboxID, fallbackSandboxID
			if fi, err := os.Stat(workDir); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
					uid, gid = int(st.Uid), int(st.Gid)
				}
			}
		}
		s.User = fmt.Sprintf("%d:%d", uid, gid)
	}
	u, g, _ := strings.Cut(s.User, ":")
	if n, err := strconv.Atoi(u); err == nil {
		s.uid = n
		s.gid = n
	}
	if n, err := strconv.Atoi(g); err == nil {
		s.gid = n
	}
	if s.uid == 0 || u == "root" {
		return fmt.Errorf("docker: refusing to run code as root (User %q): choose a non-root uid:gid", s.User)
	}
	return nil
}

// keeperUser is the user of the container's main process.
func (s *settings) keeperUser() string {
	id := keeperID
	if s.uid == keeperID || s.User == "nobody" {
		id = keeperID - 1
	}
	return fmt.Sprintf("%d:%d", id, id)
}
