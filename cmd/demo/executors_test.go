package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/parley-go/parley/executors/docker"
	"github.com/parley-go/parley/executors/jupyter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// needs skips (outside CI) or fails (in CI, where every executor must be
// tested) when what an executor needs is missing.
func needs(t *testing.T, err error, install string) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		require.NoError(t, err, "CI must run this test: %s", install)
	}
	t.Skipf("%v: %s", err, install)
}

func TestDemoReplayOnDocker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	probe, err := docker.New(ctx, docker.Config{})
	if err == nil {
		err = probe.Close()
	}
	needs(t, err, "start dockerd and run: bash scripts/build-sandbox-image.sh")

	dir := t.TempDir()
	code, out, errOut := runDemo(t, noEnv, "--yes", "--executor", "docker", "--work-dir", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "docker parley-sandbox:latest, no network")
	assert.Contains(t, out, "NameError")
	assert.Contains(t, out, "Code output: 377")
	assert.FileExists(t, dir+"/fibonacci.py", "the container wrote to the bind-mounted work dir")
}

func TestDemoReplayOnJupyter(t *testing.T) {
	_, err := jupyter.FindJupyter()
	needs(t, err, "run: sh scripts/setup-jupyter.sh")

	code, out, errOut := runDemo(t, noEnv, "--yes", "--executor", "jupyter", "--work-dir", t.TempDir())
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "jupyter kernel at a local Jupyter server")
	assert.Contains(t, out, "NameError")
	assert.Contains(t, out, "Code output: 377")
}
