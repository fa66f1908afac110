// Package jupyter runs code blocks in a Jupyter kernel, so that variables,
// imports and open files persist from one block to the next the way they do
// in a notebook, and rich outputs (plots, HTML tables) come back as files.
//
// It talks to a Jupyter Server, Kernel Gateway or Enterprise Gateway over the
// REST API (kernels are created, interrupted, restarted and deleted with
// net/http) and the kernel's websocket channels (messaging protocol 5.x, JSON
// frames) for execution. Without a server URL, [New] starts a private
// `jupyter server` on 127.0.0.1 with a random token (see [StartServer]) and
// stops it, with every kernel it started, on Close.
//
// Python blocks run as notebook cells. Shell blocks (sh, bash) run in the
// same kernel through a small Python runner that starts the shell with the
// kernel's environment and working directory, streams its merged output and
// reports its exit status.
//
// Limits: Timeout and OutputBytes apply per block. A block past its
// deadline is interrupted (SIGINT through the server), and the kernel is
// restarted only when the interrupt does not work. MemoryBytes caps the
// data memory of a local server this executor starts and of its kernels
// (RLIMIT_DATA, per process; on Unix), so an oversized allocation fails with
// a MemoryError. CPUTime and Processes are not enforced (a kernel lives across
// blocks, so a per-process CPU limit would add up over the whole chat), nor is
// anything on a server given by URL; run the server in a container or a
// cgroup if you need them.
package jupyter
