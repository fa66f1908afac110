package jupyter_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/jupyter"
)

// Variables survive from one block to the next, and shell blocks run in the
// same kernel. Without Config.URL, New starts a private local Jupyter Server
// (see scripts/setup-jupyter.sh) and Close stops it.
func Example() {
	ctx := context.Background()
	e, err := jupyter.New(ctx, jupyter.Config{
		Limits: executors.Limits{Timeout: 30 * time.Second},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	res, err := e.Execute(ctx, []executors.CodeBlock{
		{Language: "python", Code: "x = 41"},
		{Language: "python", Code: "print(x + 1)"},
		{Language: "sh", Code: "echo from the shell"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(executors.FormatReply(res))
}
