package local

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parley-go/parley/executors"
)

// saveCode writes the block's code inside the work dir and returns its
// absolute path. Every file-system step goes through os.Root, so neither
// "../" nor a symlink planted by earlier code can make us write outside.
func (e *Executor) saveCode(b executors.CodeBlock, lang language) (string, error) {
	name := b.Filename
	if name == "" {
		// Named after the code, as AutoGen does; the language is part of the
		// hash so that the same text saved as sh and bash stays apart.
		sum := sha256.Sum256([]byte(lang.name + "\x00" + b.Code))
		name = fmt.Sprintf("tmp_code_%x.%s", sum[:16], lang.ext)
	}
	path, err := executors.SafeJoin(e.workDir, name)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(e.workDir, path)
	if err != nil {
		return "", &executors.UnsafeFilenameError{Name: name, Reason: err.Error()}
	}
	if dir := filepath.Dir(rel); dir != "." {
		if err := e.root.MkdirAll(dir, 0o755); err != nil {
			return "", &executors.UnsafeFilenameError{Name: name, Reason: "cannot create its directory inside the work dir: " + err.Error()}
		}
	}
	if err := executors.ResolveInside(e.workDir, path); err != nil {
		return "", err
	}
	if fi, err := e.root.Lstat(rel); err == nil {
		switch {
		case fi.Mode().IsRegular() && fi.Size() == int64(len(b.Code)):
			// Re-running the same code (common in a chat) need not rewrite
			// it; the content is compared, since earlier code may have
			// edited the file.
			if data, err := e.root.ReadFile(rel); err == nil && string(data) == b.Code {
				return path, nil
			}
		case fi.Mode()&fs.ModeSymlink != 0:
			if _, err := e.root.Stat(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", &executors.UnsafeFilenameError{Name: name, Reason: "it is a symlink that points outside the work dir"}
			}
		case fi.IsDir():
			return "", &executors.UnsafeFilenameError{Name: name, Reason: "a directory of that name exists in the work dir"}
		}
	}
	// Write aside and rename into place, so that a concurrent block running
	// the same file never reads it half-written.
	tmp := filepath.Join(filepath.Dir(rel), ".parley-"+randomHex(8)+".tmp")
	f, err := e.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("save code to %s: %w", path, err)
	}
	_, werr := f.WriteString(b.Code)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = e.root.Remove(tmp)
		return "", fmt.Errorf("save code to %s: %w", path, err)
	}
	if err := e.root.Rename(tmp, rel); err != nil {
		_ = e.root.Remove(tmp)
		return "", fmt.Errorf("save code to %s: %w", path, err)
	}
	return path, nil
}

// randomHex returns n random bytes in hex. crypto/rand never fails on the
// systems we support (Go 1.24+ crashes the program instead).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
