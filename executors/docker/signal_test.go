package docker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const signalHelperEnv = "PARLEY_DOCKER_SIGNAL_HELPER"

// TestRemoveOnSignal runs a child process (this test binary) that starts an
// executor with RemoveOnSignal, then sends it SIGTERM: the container must be
// gone once the child has exited, and the child must still die of the
// signal.
func TestRemoveOnSignal(t *testing.T) {
	if os.Getenv(signalHelperEnv) == "1" {
		signalHelper()
		return
	}
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)

	cmd := exec.Command(os.Args[0], "-test.run=^TestRemoveOnSignal$", "-test.count=1")
	cmd.Env = append(os.Environ(), signalHelperEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	var id string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CONTAINER="); ok {
			id = v
			break
		}
	}
	require.NotEmpty(t, id, "helper did not report its container")
	t.Cleanup(func() { _ = removeByID(cli, id) })
	require.True(t, containerExists(t, cli, id))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "the child should die of SIGTERM")
	ws, ok := exitErr.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	assert.True(t, ws.Signaled() && ws.Signal() == syscall.SIGTERM, "child exit status: %v", exitErr)
	assert.False(t, containerExists(t, cli, id), "container survived SIGTERM")
}

func signalHelper() {
	e, err := New(context.Background(), Config{RemoveOnSignal: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if _, err := e.Execute(context.Background(), echoHi); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Printf("CONTAINER=%s\n", e.ContainerID())
	time.Sleep(2 * time.Minute) // killed by the parent's SIGTERM
	os.Exit(4)
}
