// Package docker runs code blocks inside a Docker container, talking to the
// Docker Engine API directly (no docker CLI).
//
// One [Executor] owns one container. The container is created lazily on the
// first [Executor.Execute], reused for every later block (so files and
// installed state persist between blocks, as in AutoGen's
// DockerCommandLineCodeExecutor), replaced by [Executor.Restart] and
// force-removed by [Executor.Close].
//
// # Security defaults
//
// Every default is the locked-down choice; each is configurable in [Config]:
// no network (network mode "none", loopback only), 512 MiB of memory with no
// swap, one CPU, 256 processes, a read-only root file system with a tmpfs
// /tmp, all capabilities dropped, no-new-privileges, a non-root user, and an
// environment that holds only [Config.Env] (nothing from our process, so API
// keys never reach executed code). The engine's init (tini) is PID 1 so that
// orphans are reaped, and its only child is a sleeper running as a different
// user than the code, so cleaning up the code's processes never stops the
// container.
//
// # Process trees and deadlines
//
// Each block runs under a small shell wrapper as the sandbox user. When the
// block's main process ends, the wrapper runs kill -9 -1, which kills every
// process that user owns except PID 1: background processes left by the block
// do not outlive it. When the deadline passes, the executor kills the tree the
// same way from a second exec; an in-container timeout(1) a little after the
// deadline is the fallback for when no new process can be started (a fork bomb
// holding every pid). If the tree still does not go away the container is
// replaced, and the block's output says so.
//
// # Clean-up
//
// The container is removed by Close, when the context given to [New] is
// done, and (opt-in, see [Config.RemoveOnSignal]) when our process receives
// SIGINT or SIGTERM. The usual way to cover signals is to pass New a context
// from signal.NotifyContext: cancelling it removes the container. Containers
// carry labels naming the owning process; New removes labelled containers
// whose owner is gone (a process killed with SIGKILL cannot clean up after
// itself).
//
// # Images
//
// The default image is parley-sandbox:latest. When it is missing New tries to
// pull it; on a machine without a registry build it offline with
//
//	bash scripts/build-sandbox-image.sh
//
// which bootstraps Debian bookworm with Python 3 from the configured apt
// mirror and imports it into the engine.
package docker
