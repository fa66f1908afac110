package local_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
)

// The Execute benchmarks and the Direct ones run the same code with the same
// interpreter; compare them in one run:
//
//	go test -run '^$' -bench . -benchtime 200x ./executors/local

const (
	benchPython = "total = sum(i * i for i in range(1000))\nprint(total)\n"
	benchSh     = "i=0; while [ $i -lt 100 ]; do i=$((i+1)); done; echo $i\n"
)

func benchExecute(b *testing.B, lang, code string) {
	e, err := local.New(local.Config{WorkDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	blocks := []executors.CodeBlock{{Language: lang, Code: code}}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := e.Execute(ctx, blocks)
		if err != nil || !res.Succeeded() {
			b.Fatalf("execute: %v %+v", err, res)
		}
	}
}

// benchDirect runs exec.Command(interpreter, file) with the interpreter the
// executor would pick from PATH, merging stdout and stderr in memory.
func benchDirect(b *testing.B, command, ext, code string) {
	interp, err := exec.LookPath(command)
	if err != nil {
		b.Skipf("%s not on PATH", command)
	}
	file := filepath.Join(b.TempDir(), "code."+ext)
	if err := os.WriteFile(file, []byte(code), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if out, err := exec.Command(interp, file).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

func BenchmarkExecutePython(b *testing.B) { benchExecute(b, "python", benchPython) }
func BenchmarkDirectPython(b *testing.B)  { benchDirect(b, "python3", "py", benchPython) }
func BenchmarkExecuteSh(b *testing.B)     { benchExecute(b, "sh", benchSh) }
func BenchmarkDirectSh(b *testing.B)      { benchDirect(b, "sh", "sh", benchSh) }
