package executors

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrClosed is returned by Execute and Restart after Close.
var ErrClosed = errors.New("executor is closed")

// UnsupportedLanguageError reports a block in a language the executor cannot
// run. Executors report it inside the block's result (exit code 1) and return
// it only from helpers such as Interpreter lookups.
type UnsupportedLanguageError struct {
	Language  string
	Supported []string
}

func (e *UnsupportedLanguageError) Error() string {
	if e.Language == "" {
		return fmt.Sprintf("unknown language: the block has no language tag (supported: %s)", strings.Join(e.Supported, ", "))
	}
	return fmt.Sprintf("unknown language %q (supported: %s)", e.Language, strings.Join(e.Supported, ", "))
}

// UnsafeFilenameError reports a filename hint that would escape the work dir.
type UnsafeFilenameError struct {
	Name   string
	Reason string
}

func (e *UnsafeFilenameError) Error() string {
	return fmt.Sprintf("refusing filename %q: %s", e.Name, e.Reason)
}

// SafeJoin resolves a block's filename hint inside dir. It refuses absolute
// paths, paths that climb out of dir, and names with characters that only
// cause trouble (NUL, newlines). It does not touch the file system; callers
// that follow symlinks must check the result again after creating parents
// (see ResolveInside).
func SafeJoin(dir, name string) (string, error) {
	if name == "" {
		return "", &UnsafeFilenameError{Name: name, Reason: "empty name"}
	}
	if strings.ContainsAny(name, "\x00\n\r") {
		return "", &UnsafeFilenameError{Name: name, Reason: "control characters in name"}
	}
	if filepath.IsAbs(name) || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) {
		return "", &UnsafeFilenameError{Name: name, Reason: "absolute paths are not allowed; use a path relative to the work dir"}
	}
	clean := filepath.Clean(filepath.FromSlash(name))
	if clean == "." || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", &UnsafeFilenameError{Name: name, Reason: "it escapes the work dir"}
	}
	return filepath.Join(dir, clean), nil
}

// ResolveInside checks, after parents were created, that path (made by
// SafeJoin) still lies inside dir once symlinks are resolved, so that a
// symlink planted by earlier code cannot redirect a write outside.
func ResolveInside(dir, path string) error {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolve work dir: %w", err)
	}
	realParent, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", filepath.Dir(path), err)
	}
	rel, err := filepath.Rel(realDir, realParent)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return &UnsafeFilenameError{Name: path, Reason: "its directory resolves outside the work dir"}
	}
	return nil
}
