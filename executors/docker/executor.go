package docker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
	"github.com/parley-go/parley/executors"
)

// cleanupTimeout bounds engine calls made while cleaning up, when the
// caller's context may already be done.
const cleanupTimeout = 30 * time.Second

// Executor runs code blocks in one Docker container. It is safe for
// concurrent use; Execute and Restart calls are serialised because they share
// the container.
type Executor struct {
	cli     *client.Client
	cfg     settings
	owner   owner
	workDir string // set by New, then fixed
	tempDir bool   // workDir was made by New and is removed by Close

	run sync.Mutex // serialises Execute and Restart

	mu          sync.Mutex // guards the fields below
	containerID string
	closed      bool
	closeErr    error
	life        context.Context // done when Close starts
	endLife     context.CancelFunc
	stopWatch   func() bool
	stopSignals func()
}

var _ executors.Executor = (*Executor)(nil)

// New connects to the engine, checks that it answers and that the image is
// there (pulling it if not), and removes labelled containers left by dead
// processes. The container itself starts on the first Execute.
//
// ctx bounds these checks and also the executor's life: when ctx is done
// the executor closes itself, removing its container. Pass
// context.Background (and call Close) for an executor that lives until
// Close, or a context from signal.NotifyContext so that Ctrl-C removes the
// container.
func New(ctx context.Context, cfg Config) (*Executor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := cfg.resolve()
	opts := []client.Opt{client.FromEnv}
	if s.Host != "" {
		opts = append(opts, client.WithHost(s.Host))
	}
	cli, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker: configure the engine client: %w", err)
	}
	e := &Executor{cli: cli, cfg: s, owner: self()}
	ok := false
	defer func() {
		if !ok {
			_ = e.Close()
		}
	}()
	e.life, e.endLife = context.WithCancel(context.Background())

	// Negotiate the API version explicitly: the engine may be older than
	// the client's default (20.10 speaks 1.41).
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return nil, &EngineError{Host: cli.DaemonHost(), Err: err}
	}
	if n, err := sweepStale(ctx, cli, e.owner); err != nil {
		s.Logger.Warn("docker: removing stale sandbox containers failed", "err", err)
	} else if n > 0 {
		s.Logger.Info("docker: removed stale sandbox containers", "count", n)
	}
	if err := e.ensureImage(ctx); err != nil {
		return nil, err
	}
	if err := e.prepareWorkDir(); err != nil {
		return nil, err
	}

	e.stopWatch = context.AfterFunc(ctx, func() { _ = e.Close() })
	if s.RemoveOnSignal {
		e.stopSignals = e.watchSignals()
	}
	ok = true
	return e, nil
}

func (e *Executor) prepareWorkDir() error {
	dir := e.cfg.WorkDir
	if dir == "" {
		d, err := os.MkdirTemp("", "parley-docker-")
		if err != nil {
			return fmt.Errorf("docker: create work dir: %w", err)
		}
		dir, e.tempDir = d, true
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("docker: create work dir: %w", err)
		}
	}
	abs, err := absReal(dir)
	if err != nil {
		return fmt.Errorf("docker: work dir %s: %w", dir, err)
	}
	e.workDir = abs
	if err := e.cfg.chooseUser(abs); err != nil {
		return err
	}
	// As root, hand a root-owned work dir to the sandbox user so that
	// blocks can write in it (see Config.User).
	if os.Getuid() == 0 && e.cfg.uid > 0 {
		if fi, err := os.Stat(abs); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == 0 {
				if err := os.Chown(abs, e.cfg.uid, e.cfg.gid); err != nil {
					return fmt.Errorf("docker: give work dir %s to the sandbox user: %w", abs, err)
				}
			}
		}
	}
	return nil
}

// watchSignals removes the container on SIGINT or SIGTERM and then
// re-raises the signal (see Config.RemoveOnSignal).
func (e *Executor) watchSignals() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			e.cfg.Logger.Info("docker: signal received, removing sandbox container", "signal", sig)
			_ = e.Close()
			signal.Stop(ch)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(sig)
			}
		case <-done:
			signal.Stop(ch)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// ContainerID is the id of the current container, "" before the first
// Execute and after Close.
func (e *Executor) ContainerID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.containerID
}

// WorkDir is the host directory mounted into the container.
func (e *Executor) WorkDir() string { return e.workDir }

// Close force-removes the container and, when New made it, the work dir. A
// running Execute is stopped. It is safe to call more than once.
func (e *Executor) Close() error {
	e.mu.Lock()
	if e.closed {
		err := e.closeErr
		e.mu.Unlock()
		return err
	}
	e.closed = true
	id := e.containerID
	e.containerID = ""
	if e.endLife != nil {
		e.endLife()
	}
	stopWatch, stopSignals := e.stopWatch, e.stopSignals
	e.mu.Unlock()

	if stopWatch != nil {
		stopWatch()
	}
	if stopSignals != nil {
		stopSignals()
	}
	var errs []error
	if id != "" {
		errs = append(errs, e.removeContainer(id))
	}
	if e.tempDir && e.workDir != "" {
		if err := os.RemoveAll(e.workDir); err != nil {
			errs = append(errs, fmt.Errorf("docker: remove work dir: %w", err))
		}
	}
	if err := e.cli.Close(); err != nil {
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	e.mu.Lock()
	e.closeErr = err
	e.mu.Unlock()
	return err
}

func (e *Executor) removeContainer(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	_, err := e.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !isGone(err) {
		return fmt.Errorf("docker: remove container %.12s: %w", id, err)
	}
	e.cfg.Logger.Debug("docker: container removed", "id", id)
	return nil
}

// Restart replaces the container with a fresh one. Files in the work dir are
// kept; processes, /tmp and anything else inside are lost.
func (e *Executor) Restart(ctx context.Context) error {
	e.run.Lock()
	defer e.run.Unlock()
	if err := e.dropContainer(); err != nil {
		return err
	}
	_, err := e.ensureContainer(ctx)
	return err
}

// dropContainer removes the current container, if any.
func (e *Executor) dropContainer() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return executors.ErrClosed
	}
	id := e.containerID
	e.containerID = ""
	e.mu.Unlock()
	if id == "" {
		return nil
	}
	return e.removeContainer(id)
}

// ensureContainer returns the running container, starting one if needed.
func (e *Executor) ensureContainer(ctx context.Context) (string, error) {
	e.mu.Lock()
	id, closed := e.containerID, e.closed
	e.mu.Unlock()
	if closed {
		return "", executors.ErrClosed
	}
	if id != "" {
		return id, nil
	}
	// Stop creating when Close starts, whatever ctx says.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.life, cancel)
	defer stop()

	id, err := e.createContainer(ctx)
	if err != nil {
		if e.life.Err() != nil {
			return "", executors.ErrClosed
		}
		return "", err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		_ = e.removeContainer(id)
		return "", executors.ErrClosed
	}
	e.containerID = id
	e.mu.Unlock()
	return id, nil
}

func (e *Executor) createContainer(ctx context.Context) (string, error) {
	s := &e.cfg
	env := make([]string, 0, len(s.Env)+1)
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		env = append(env, k+"="+s.Env[k])
	}
	if _, ok := s.Env["HOME"]; !ok {
		// Tools that write under ~ (pip, matplotlib's cache) need a
		// writable home; the work dir is the one writable place we own.
		env = append(env, "HOME="+s.ContainerWorkDir)
	}
	res := container.Resources{NanoCPUs: int64(s.CPUs * 1e9)}
	if s.CPUs < 0 {
		res.NanoCPUs = 0
	}
	if s.limits.MemoryBytes > 0 {
		res.Memory = s.limits.MemoryBytes
		res.MemorySwap = s.limits.MemoryBytes // equal: no swap
	}
	pids := int64(-1)
	if s.limits.Processes > 0 {
		pids = int64(s.limits.Processes)
	}
	res.PidsLimit = &pids
	network := container.NetworkMode("none")
	if s.Network {
		network = "default"
	}
	init := true
	hc := &container.HostConfig{
		NetworkMode:    network,
		Resources:      res,
		ReadonlyRootfs: s.readOnly,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		IpcMode:        container.IPCModePrivate,
		Init:           &init,
		Mounts: []mount.Mount{{
			Type:   mount.TypeBind,
			Source: e.workDir,
			Target: s.ContainerWorkDir,
		}},
	}
	if s.readOnly {
		hc.Tmpfs = map[string]string{"/tmp": "rw,nosuid,nodev,mode=1777,size=" + DefaultTmpfsSize}
	}
	labels := e.owner.labels()
	created, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image:      s.Image,
			Cmd:        []string{"sleep", "infinity"},
			User:       s.keeperUser(),
			WorkingDir: s.ContainerWorkDir,
			Env:        env,
			Labels:     labels,
			Hostname:   "sandbox",
		},
		HostConfig: hc,
	})
	if err != nil {
		return "", fmt.Errorf("docker: create container from %s: %w", s.Image, err)
	}
	if _, err := e.cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		_ = e.removeContainer(created.ID)
		return "", fmt.Errorf("docker: start container from %s: %w", s.Image, err)
	}
	e.cfg.Logger.Debug("docker: container started", "id", created.ID, "image", s.Image)
	return created.ID, nil
}

func absReal(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}
