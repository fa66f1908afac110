package docker_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/docker"
)

// Example runs a Python block in a locked-down container. It needs a Docker
// Engine and the sandbox image (bash scripts/build-sandbox-image.sh), so it
// is compiled but not run by go test.
func Example() {
	// Ctrl-C or SIGTERM cancels ctx, and a done ctx removes the container.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	exec, err := docker.New(ctx, docker.Config{
		Limits: executors.Limits{Timeout: 30 * time.Second},
		Env:    map[string]string{"MPLBACKEND": "Agg"},
	})
	if err != nil {
		log.Fatal(err) // e.g. "docker: cannot reach the engine at unix:///var/run/docker.sock: is dockerd running? ..."
	}
	defer exec.Close()

	res, err := exec.Execute(ctx, []executors.CodeBlock{
		{Language: "python", Code: "print(sum(range(10)))"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(executors.FormatReply(res))
}
