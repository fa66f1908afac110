package local_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
)

func Example() {
	e, err := local.New(local.Config{
		Limits: executors.Limits{Timeout: 30 * time.Second},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	res, err := e.Execute(context.Background(), []executors.CodeBlock{{
		Language: "python",
		Code: `def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)

print(fibonacci(14))`,
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(executors.FormatReply(res))
	// Output:
	// exitcode: 0 (execution succeeded)
	// Code output: 377
}
