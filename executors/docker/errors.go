package docker

import (
	"errors"
	"fmt"
)

// ErrEngineUnreachable is matched (errors.Is) by the error New returns when
// the Docker Engine does not answer.
var ErrEngineUnreachable = errors.New("docker engine unreachable")

// ErrImageUnavailable is matched (errors.Is) by the error New returns when
// the image is neither present nor pullable.
var ErrImageUnavailable = errors.New("docker image unavailable")

// EngineError says which engine address was tried and why it failed.
type EngineError struct {
	Host string
	Err  error
}

func (e *EngineError) Error() string {
	return fmt.Sprintf("docker: cannot reach the engine at %s: is dockerd running? (set DOCKER_HOST or Config.Host to use another engine): %v", e.Host, e.Err)
}

func (e *EngineError) Unwrap() []error { return []error{ErrEngineUnreachable, e.Err} }

// ImageError reports a missing image that could not be pulled.
type ImageError struct {
	Image   string
	PullErr error
}

func (e *ImageError) Error() string {
	msg := fmt.Sprintf("docker: image %s is not on the engine and pulling it failed (%v)", e.Image, e.PullErr)
	if e.Image == DefaultImage {
		return msg + "; build it offline with: " + BuildHint
	}
	return msg + "; pull or build it, or set Config.Image (the default image can be built offline with: " + BuildHint + ")"
}

func (e *ImageError) Unwrap() []error { return []error{ErrImageUnavailable, e.PullErr} }
